"""vpnform's version string (``vpnform version``, and ``terraform_version`` in JSON output)."""

VERSION = "0.1.0"
