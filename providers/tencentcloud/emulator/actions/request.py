"""Requests as pydantic models, and their validation errors as the cloud's error codes.

Each action declares one ``Request`` subclass named after it (``CreateVpcRequest``).
Unknown parameters are refused (``UnknownParameter``); a missing one is
``MissingParameter``; a wrong type ``InvalidParameter``; a bad value
``InvalidParameterValue``, or the more specific code a validator raises with
``value_error(code, message)``. Integers accept a JSON number or a numeric string, as the
cloud does (reference §1.1); strings and booleans are strict.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Annotated, Any, Callable

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .common import ApiError, missing


def _integer(v: Any) -> Any:
    if isinstance(v, str) and re.fullmatch(r"\s*-?\d+\s*", v):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _boolean(v: Any) -> Any:
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return v


Int = Annotated[int, Strict(), BeforeValidator(_integer)]
Str = Annotated[str, Strict()]
Bool = Annotated[bool, Strict(), BeforeValidator(_boolean)]


class _Given(BaseModel):
    # A request's validator is built when its action is first called, not at import: a
    # process calls a few of the hundred actions (startup time, issue #14).
    model_config = ConfigDict(defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, v: Any) -> Any:
        # The SDKs leave out what is None; an in-process caller may pass it.
        return {k: x for k, x in v.items() if x is not None} if isinstance(v, dict) else v


class Request(_Given):
    """An action's parameters: unknown ones are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Part(_Given):
    """A structure inside a request (a route, a tag, an option group): keys the emulator
    does not use are ignored, as they always were."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Tag(Part):
    Key: Str
    Value: Str = ""


def tag_set(tags: list[Tag]) -> list[dict]:
    return [{"Key": t.Key, "Value": t.Value} for t in tags]


class Filter(Part):
    Name: Str
    Values: list[Str]


class DescribeRequest(Request):
    """The parameters every Describe action shares: filters and paging."""

    Filters: list[Filter] = []
    Offset: Int = 0
    Limit: Int = 20

    @field_validator("Filters", mode="wrap")
    @classmethod
    def _filters_shape(cls, v: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(v)
        except ValidationError as e:
            loc = e.errors()[0]["loc"]
            if "Values" in loc:
                raise value_error("InvalidParameter.FilterValuesNotList",
                                  f"The parameter `Filters.{loc[0]}.Values` must be a list "
                                  "of strings.") from None
            raise value_error("InvalidParameter.FilterNotDict", "`Filters` must be a list of "
                              "objects with `Name` and `Values`.") from None


def value_error(code: str, message: str) -> PydanticCustomError:
    """Raise from a validator to answer with ``code`` (an ``InvalidParameter…`` code)."""
    return PydanticCustomError(code, message)


# pydantic's error type -> what the parameter must be (a wrong type: InvalidParameter)
_TYPE_WANTED = {"int_type": "an integer", "int_parsing": "an integer",
                "int_from_float": "an integer", "string_type": "a string",
                "bool_type": "a boolean", "bool_parsing": "a boolean", "list_type": "a list",
                "dict_type": "an object", "model_type": "an object",
                "model_attributes_type": "an object"}
_SENSITIVE = ("PreShareKey",)


def _where(loc: tuple) -> str:
    return ".".join(str(x) for x in loc)


def _api_error(action: str, err: dict) -> ApiError:
    name, kind = _where(err["loc"]), err["type"]
    if kind == "extra_forbidden":
        return ApiError("UnknownParameter", f"The parameter `{name}` is not defined for "
                        f"`{action}`.")
    if kind == "missing":
        return missing(name)
    if kind in _TYPE_WANTED:
        given = repr(err["input"])
        secret = any(s in err["loc"] for s in _SENSITIVE)
        shown = "" if secret or len(given) > 40 else f", not {given}"
        return ApiError("InvalidParameter",
                        f"The parameter `{name}` must be {_TYPE_WANTED[kind]}{shown}.")
    if kind.startswith(("InvalidParameter", "MissingParameter", "UnsupportedOperation")):
        return ApiError(kind, err["msg"])
    return ApiError("InvalidParameterValue", f"The parameter `{name}` is invalid: {err['msg']}.")


# One error answers: an unknown name first, then a missing one, a wrong type, a bad value.
_ORDER = {"extra_forbidden": 0, "missing": 1, **{k: 2 for k in _TYPE_WANTED}}


# Builds the deferred validators one at a time: pydantic before 2.14 could let a thread
# validate with a parent model's validator while another thread built the model's own.
_BUILD_LOCK = threading.Lock()


def build(model: type[Request]) -> None:
    """Build ``model``'s deferred validator now (done at its first ``parse`` otherwise)."""
    if not model.__pydantic_complete__:
        with _BUILD_LOCK:
            model.model_rebuild()


def parse(model: type[Request], params: dict, action: str) -> Any:
    """``params`` as ``model``, or the cloud's error for the first thing wrong with them."""
    build(model)
    try:
        return model.model_validate(params)
    except ValidationError as e:
        errors = sorted(e.errors(), key=lambda x: _ORDER.get(x["type"], 3))
        raise _api_error(action, errors[0]) from None


@dataclass(frozen=True)
class Action:
    """One action: its request model and its handler ``(ctx, tx, request, region) -> dict``."""

    name: str
    request: type[Request]
    handler: Callable[..., dict]

    def run(self, ctx: Any, tx: Any, params: dict, region: str) -> dict:
        return self.handler(ctx, tx, parse(self.request, params, self.name), region)


def actions(handlers: dict[type[Request], Callable[..., dict]]) -> dict[str, Action]:
    """A module's dispatch table: each request model (named ``<Action>Request``) with the
    function that carries it out."""
    out = {}
    for model, handler in handlers.items():
        name = model.__name__.removesuffix("Request")
        out[name] = Action(name, model, handler)
    return out
