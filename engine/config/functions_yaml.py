"""yamlencode and yamldecode, byte for byte as Terraform's; the YAML itself is yaml_codec.py,
imported on the first call (startup time, issue #14)."""

from __future__ import annotations

from typing import Any

from ..values import ANY, STRING
from .functions import Param, builtin


@builtin("yamlencode", Param("value", ANY, allow_null=True), return_type=STRING)
def fn_yamlencode(value: Any) -> Any:
    """``value`` as a YAML document, in the style Terraform writes it."""
    from .yaml_codec import encode
    return encode(value)


@builtin("yamldecode", Param("src", STRING))
def fn_yamldecode(src: str) -> Any:
    """The value of the YAML document ``src``."""
    from .yaml_codec import decode
    return decode(src)
