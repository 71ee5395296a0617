"""Which cloud a provider configuration talks to: its connection arguments (the public
provider's ``secret_id``, ``secret_key``, ``security_token``, ``region``, ``protocol``,
``domain``, plus ``endpoint``) and their environment variables, read into a ``Connection``.

The embedded emulator is used only when neither credentials nor an endpoint are given;
credentials alone reach the real cloud; an endpoint (a served emulator) needs credentials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from engine import values as V
from engine.diagnostics import Diagnostics

REGION_ENV = "TENCENTCLOUD_REGION"
DEFAULT_REGION = "ap-guangzhou"
DEFAULT_DOMAIN = "tencentcloudapi.com"
# Argument -> the environment variable read when the argument is not set.
ENV = {"secret_id": "TENCENTCLOUD_SECRET_ID", "secret_key": "TENCENTCLOUD_SECRET_KEY",
       "security_token": "TENCENTCLOUD_SECURITY_TOKEN", "region": REGION_ENV,
       "endpoint": "TENCENTCLOUD_ENDPOINT"}
ARGUMENTS = ("region", "secret_id", "secret_key", "security_token", "protocol", "domain",
             "endpoint")
PROTOCOLS = ("HTTPS", "HTTP")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
                   r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
INVALID = "Invalid provider configuration"


@dataclass(frozen=True)
class Endpoint:
    """Where the calls go: ``scheme`` (http or https) and ``host`` (with ``:port``)."""

    scheme: str
    host: str

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"


@dataclass(frozen=True)
class Connection:
    region: str
    secret_id: str | None = None
    secret_key: str | None = None
    security_token: str | None = None
    scheme: str = "https"
    domain: str = DEFAULT_DOMAIN
    endpoint: Endpoint | None = None

    @property
    def embedded(self) -> bool:
        """True: the embedded emulator in the working directory, in this process."""
        return self.secret_id is None and self.endpoint is None

    @property
    def url(self) -> str:
        """Where the VPC API calls go (HTTP connections only)."""
        return self.endpoint.url if self.endpoint else f"{self.scheme}://vpc.{self.domain}"

    def describe(self, store: str, proxy: str | None = None) -> str:
        """The target in a few words, for the first lines of plan and apply; ``store`` is
        the embedded emulator's file, as the user should read it, and ``proxy`` the proxy
        the calls go through."""
        if self.embedded:
            return f"embedded emulator ({store})"
        who = f"region {self.region}, SecretId {secret_id_prefix(self.secret_id or '')}"
        if proxy:
            who += f", through the proxy {proxy}"
        if self.endpoint is None:
            at = "" if self.url == f"https://vpc.{DEFAULT_DOMAIN}" else f" at {self.url}"
            return f"the real cloud{at}, {who}"
        host = self.endpoint.host.rsplit(":", 1)[0] if not self.endpoint.host.endswith("]") \
            else self.endpoint.host
        if host == DEFAULT_DOMAIN or host.endswith("." + DEFAULT_DOMAIN):
            return f"the real cloud at {self.endpoint.url}, {who}"
        return f"served emulator at {self.endpoint.url}, {who}"


def secret_id_prefix(secret_id: str) -> str:
    """The first characters of a SecretId: enough to tell keys apart, not the whole key."""
    keep = 6 if len(secret_id) > 8 else len(secret_id) // 2
    return secret_id[:keep] + "…"


def parse_endpoint(text: str, default_scheme: str) -> Endpoint:
    """``http://127.0.0.1:8443``, ``https://vpc.example.com`` or ``host[:port]`` (with
    ``default_scheme``). Raises ValueError saying what is wrong."""
    text = text.strip()
    if "://" not in text:
        text = f"{default_scheme}://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError("its port is not a number between 0 and 65535") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"the scheme {parts.scheme!r} is neither http nor https")
    if parts.username is not None or parts.password is not None:
        raise ValueError("it carries a user name or password; credentials go in secret_id "
                         "and secret_key")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("it has a path, query or fragment; the API is always at \"/\"")
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    if not host or not _HOST.fullmatch(host):
        raise ValueError(f"{host!r} is not a host name or IP address")
    return Endpoint(parts.scheme.lower(), host + (f":{port}" if port is not None else ""))


def resolve(config: dict, environ: Mapping[str, str]) -> tuple[Connection | None, Diagnostics]:
    """The connection a provider block (its evaluated value) and the environment ask for,
    or None with error diagnostics (each with the argument's path where there is one)."""
    d = Diagnostics()
    given: dict[str, str | None] = {}
    from_config: set[str] = set()
    for name in ARGUMENTS:
        raw = V.strip_sensitive(config.get(name))
        if isinstance(raw, V.Unknown):
            d.error(INVALID, f"The {name} must be known at plan time: it cannot depend on a "
                    "resource's attributes. Set it from a literal or a variable.",
                    path=(name,))
            continue
        if raw is not None:
            from_config.add(name)
            given[name] = str(raw)
        elif name in ENV and environ.get(ENV[name]):
            given[name] = environ[ENV[name]]
        else:
            given[name] = None
    if d.has_errors:
        return None, d

    def where(name: str) -> str:
        return f"the {name} argument" if name in from_config else ENV.get(name, name)

    def undo(name: str) -> str:
        return f"remove the {name} argument" if name in from_config else f"unset {ENV[name]}"

    def path(name: str) -> tuple | None:
        return (name,) if name in from_config else None

    region = given["region"] if given["region"] is not None else DEFAULT_REGION
    if not region.strip():
        d.error(INVALID, "The region is empty. Set it to a region such as \"ap-guangzhou\".",
                path=("region",))
    protocol = given["protocol"]
    scheme = "https"
    if protocol is not None:
        if protocol.upper() not in PROTOCOLS:
            d.error(INVALID, f"The protocol {protocol!r} is not supported. Use \"HTTPS\" or "
                    "\"HTTP\".", path=("protocol",))
        scheme = protocol.lower()
    domain = given["domain"]
    if domain is not None and not _HOST.fullmatch(domain.strip().strip(".")):
        d.error(INVALID, f"The domain {domain!r} is not a domain name. Set it to the root "
                f"domain of the API, such as \"{DEFAULT_DOMAIN}\".", path=("domain",))
    endpoint = None
    if given["endpoint"] is not None:
        try:
            endpoint = parse_endpoint(given["endpoint"], scheme)
        except ValueError as err:
            # never echo a URL carrying a password
            shown = "" if "@" in given["endpoint"] else f" {given['endpoint']!r}"
            d.error(INVALID, f"The endpoint{shown} (from {where('endpoint')}) is not a URL "
                    f"such as \"http://127.0.0.1:8443\": {err}.",
                    path=path("endpoint"))
        else:
            if protocol is not None and "://" in given["endpoint"] \
                    and endpoint.scheme != scheme:
                d.error(INVALID, f"The endpoint {endpoint.url} uses {endpoint.scheme} but the "
                        f"protocol is {protocol!r}. Make them agree, or leave protocol unset.",
                        path=("protocol",))
    secret_id, secret_key, token = (given["secret_id"], given["secret_key"],
                                    given["security_token"])
    if (secret_id is None) != (secret_key is None):
        have, missing = ("secret_id", "secret_key") if secret_key is None \
            else ("secret_key", "secret_id")
        d.error("Incomplete credentials",
                f"The {have} is set (from {where(have)}) but the {missing} is not. Set "
                f"{missing} in the provider block or {ENV[missing]}, or {undo(have)} to use "
                "the embedded emulator.", path=path(have))
    elif secret_id is None and token is not None:
        d.error("Incomplete credentials",
                f"The security_token is set (from {where('security_token')}) but the "
                "secret_id and secret_key are not. Set them too: a security token is used "
                "with the temporary secret_id and secret_key it was issued with.",
                path=path("security_token"))
    elif secret_id is None and (endpoint is not None or domain is not None):
        name = "endpoint" if endpoint is not None else "domain"
        d.error("Missing credentials",
                f"The {name} is set (from {where(name)}), so vpnform would call the API over "
                "HTTP, but no credentials are configured. Set secret_id and secret_key in the "
                f"provider block (or {ENV['secret_id']} and {ENV['secret_key']}): for a "
                "served emulator, its account's keys (vpnform cloud serve prints them). "
                f"Or {undo(name)} to use the embedded emulator instead.", path=path(name))
    for name, value in (("secret_id", secret_id), ("secret_key", secret_key)):
        if value is not None and (not value.strip() or value.strip() != value):
            d.error(INVALID, f"The {name} (from {where(name)}) is empty or has spaces around "
                    "it. Copy the key again without the spaces.", path=path(name))
    if d.has_errors:
        return None, d
    return Connection(region=region, secret_id=secret_id, secret_key=secret_key,
                      security_token=token or None, scheme=scheme,
                      domain=(domain or DEFAULT_DOMAIN).strip().strip("."),
                      endpoint=endpoint), d
