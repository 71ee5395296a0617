"""What every resource type shares: schema shorthands, generic planning, the apply
skeleton (create → wait → read; update → read; delete) and error-to-diagnostic mapping.

A resource module subclasses ``ResourceType`` and supplies its schema, its checks and the
cloud calls (``create_object``, ``after_create``, ``read_object``, ``update_object``,
``delete_object``). Values handed to those methods are plain (no marks); Unknown may
remain only where the engine could not know a computed value, and ``known`` turns it
into None.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from engine import values
from engine.diagnostics import Diagnostic, Diagnostics, error, sentence
from engine.providers import ApplyResult, PlanResult
from engine.schema import Attribute, Block, NestedBlock, ResourceSchema

from .. import rules
from ..client import (AMBIGUOUS_CODES, RETRYABLE_CODES, RETRYABLE_ON_DELETE, CloudApiError,
                      CloudError, CloudTransportError, VpcClient)

# --- schema shorthands --------------------------------------------------------------------------


def required(t: values.Type, *, force_new: bool = False, sensitive: bool = False,
             description: str = "") -> Attribute:
    return Attribute(t, required=True, force_new=force_new, sensitive=sensitive,
                     description=description)


def optional(t: values.Type, *, default: Any = None, force_new: bool = False,
             computed: bool = False, description: str = "") -> Attribute:
    return Attribute(t, optional=True, computed=computed, default=default, force_new=force_new,
                     description=description)


def computed(t: values.Type, description: str = "") -> Attribute:
    return Attribute(t, computed=True, description=description)


ID = computed(values.STRING, "The object's ID.")
TAGS = optional(values.MapType(values.STRING), description="Tags of the object.")


# --- small value helpers ------------------------------------------------------------------------

def known(v: Any) -> Any:
    """``v`` without marks, with Unknown read as None (not known = not given)."""
    v = values.strip_sensitive(v)
    return None if isinstance(v, values.Unknown) else v


def plain(v: Any) -> Any:
    return values.unmark(v)[0]


def keep_null(prior_value: Any, api_value: Any, *defaults: Any) -> Any:
    """For an optional attribute the user left unset: an API value that is only the cloud's
    default (empty, zero, or one of ``defaults``) reads back as null, so no diff appears."""
    if prior_value is None and (api_value in (None, "", 0, [], {}) or api_value in defaults):
        return None
    return api_value


# The tag that carries a create's idempotency token. None of the Create* actions vpnform
# calls has a ``ClientToken`` parameter in the real API (checked against the SDK's request
# models), but each of these objects takes tags at creation, atomically, and keeps them:
# the token rides along as a tag, is looked up with the ``tag:`` filter or the TagSet, and
# is never shown in the object's ``tags``.
TOKEN_TAG = "vpnform-create-token"


def tags_to_api(tags: dict | None, token: str | None = None) -> list[dict] | None:
    out = [{"Key": k, "Value": "" if v is None else str(v)} for k, v in (tags or {}).items()
           if k != TOKEN_TAG]
    if token:
        out.append({"Key": TOKEN_TAG, "Value": token})
    return out or None


def tags_from_api(tag_set: list | None, prior_tags: Any) -> dict | None:
    tags = {t["Key"]: t.get("Value", "") for t in tag_set or [] if t["Key"] != TOKEN_TAG}
    if not tags and not prior_tags:
        return None if prior_tags is None else {}
    return tags


def canonical(v: Any) -> str:
    """A comparison key where list order does not matter (sets and set-nested blocks)."""
    def norm(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: norm(val) for k, val in x.items()}
        if isinstance(x, list):
            return sorted((norm(e) for e in x), key=lambda e: json.dumps(e, sort_keys=True,
                                                                        default=repr))
        if isinstance(x, values.Unknown):
            return "<unknown>"
        return x
    return json.dumps(norm(values.unmark(v)[0]), sort_keys=True, default=repr)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _identical(a: Any, b: Any) -> bool:
    """``a`` and ``b`` are the same plain value (dicts, lists and scalars, each of the same
    exact type at the same place): then their ``canonical`` forms are equal too."""
    t = type(a)
    if t is not type(b):
        return False
    if t in _SCALARS:
        return a == b
    if t is dict:
        return a.keys() == b.keys() and all(_identical(x, b[k]) for k, x in a.items())
    if t is list:
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    return False


def differs(a: Any, b: Any) -> bool:
    if type(a) is type(b) and type(a) in _SCALARS and a == b:
        return False  # equal plain scalars: most attributes of a no-change plan
    if _identical(a, b):
        return False  # the same plain collection: no need for the canonical forms
    if values.is_unknown(a) or values.is_unknown(b):
        return not (values.is_unknown(a) and values.is_unknown(b))
    return canonical(a) != canonical(b)


class WaitTimeout(CloudError):
    """An object did not reach the wanted state in time."""


class CreateInDoubt(CloudError):
    """A create failed without an answer, and its object could not be looked up: it may
    exist."""


# IDs one Describe call may name (the API's ``*Ids`` and ``Limit`` maximum).
DESCRIBE_BATCH = 100


@dataclass
class Context:
    """What a resource's cloud calls need: the client, its region and polling settings."""

    client: VpcClient
    region: str
    poll_timeout: float = 300.0
    poll_interval: float = 0.05
    poll_max_interval: float = 2.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    secrets: list = field(default_factory=list)  # strings never to show in messages
    # Answers a create already got, (Describe action, ID) -> object: the wait for
    # AVAILABLE's last one, a parent described before the call. The read-back right after
    # takes each once instead of asking the cloud again.
    fresh: dict = field(default_factory=dict)
    # What a batched read (``ResourceType.read_ahead``, for the provider's ``read_batch``)
    # already asked the cloud, (Describe action, ID) -> its answer for that ID (None: the
    # answer lacked it, gone): every read of that context takes it, as often as asked.
    # Filled only for a context that only reads (a wait for a change must ask anew).
    known: dict = field(default_factory=dict)
    # Answers about parents that this run already got, (Describe action, ID) -> object,
    # read only for what stays as it is for the object's whole life (a VPN gateway's type
    # and public IP, a customer gateway's address): shared by every context of one
    # provider, so that a gateway's hundred tunnels do not each ask for its address.
    lasting: dict = field(default_factory=dict)

    def describe_many(self, action: str, ids_param: str, set_key: str, id_key: str,
                      ids: Iterable[str]) -> None:
        """Describe ``ids`` (not yet known) with one call per ``DESCRIBE_BATCH`` of them and
        keep the answers in ``known``: an ID the answer lacks is gone. A batch the cloud
        refuses because one of its IDs does not exist is left to single reads, which tell
        which one."""
        wanted = sorted({i for i in ids if isinstance(i, str) and i
                         and (action, i) not in self.known})
        for start in range(0, len(wanted), DESCRIBE_BATCH):
            batch = wanted[start:start + DESCRIBE_BATCH]
            try:
                body = self.client.call(action, Limit=DESCRIBE_BATCH, **{ids_param: batch})
            except CloudApiError as e:
                if e.is_not_found:
                    continue
                raise
            found = {item.get(id_key): item for item in body.get(set_key) or []}
            for i in batch:
                self.known[(action, i)] = found.get(i)

    def keep_fresh(self, action: str, id: str, item: Any) -> Any:
        """Keep ``item``, what ``action`` just answered for ``id``, for the read-back that
        follows (``describe_one`` takes it once)."""
        if item is not None:
            self.fresh[(action, id)] = item
        return item

    def take_fresh(self, action: str, id: str) -> Any:
        """What ``keep_fresh`` kept of ``action`` for ``id`` (None: nothing), taken once."""
        return self.fresh.pop((action, id), None)

    def keep_lasting(self, action: str, id: str, item: Any) -> Any:
        """Keep ``item``, a settled answer of ``action`` for ``id``, for ``describe_lasting``."""
        if item is not None:
            self.lasting[(action, id)] = item
        return item

    def wait_for(self, what: str, fetch: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
        """Call ``fetch`` until ``done(result)``; bounded by ``poll_timeout``."""
        deadline = self.clock() + self.poll_timeout
        interval = self.poll_interval
        while True:
            result = fetch()
            if done(result):
                return result
            if self.clock() >= deadline:
                raise WaitTimeout(f"Timed out after {self.poll_timeout:g} s waiting for {what}.")
            self.sleep(interval)
            interval = min(self.poll_max_interval, interval * 1.5)


def redact(text: str, secrets: Iterable[Any]) -> str:
    for s in secrets:
        if isinstance(s, str) and len(s) >= 1 and s in text:
            text = text.replace(s, "(sensitive value)")
    return text


def cloud_error_detail(e: CloudError, secrets: Iterable[Any]) -> str:
    """What the cloud said (its own code and message, which the emulator keeps as the real
    API's), as the detail of a diagnostic that ends with what to do."""
    if isinstance(e, CloudApiError):
        rid = f" (request {e.request_id})" if e.request_id else ""
        text = f"The cloud answered {e.code}{rid}: {sentence(e.message)} "
        if e.code in RETRYABLE_CODES | RETRYABLE_ON_DELETE | AMBIGUOUS_CODES:
            text += "Wait a moment and run the command again."
        else:
            text += "Fix what the message names, then run the command again."
    elif isinstance(e, CloudTransportError):
        text = (f"The cloud did not answer: {sentence(e)} Check the connection to the cloud "
                "and run the command again; vpnform plan shows whether the change was made.")
    else:
        text = (f"{sentence(e)} Run vpnform plan to see the object's state, then run the "
                "command again.")
    return redact(text, secrets)


def violation_diag(v: rules.Violation, summary: str, path: tuple | None) -> Diagnostic:
    return error(summary, v.message, path=path)


# --- the resource type base ---------------------------------------------------------------------

ACTIONS = {"create": "creating", "update": "updating", "delete": "deleting", "read": "reading"}


class ResourceType:
    type_name: str = ""
    noun: str = ""  # "VPN gateway", for messages
    block: Block = Block()
    # O+C nested blocks (the schema's NestedBlock has no "computed" flag).
    computed_blocks: frozenset = frozenset()
    # Attributes whose API value is not read back: kept from the prior value.
    kept_attributes: tuple = ()

    @property
    def schema(self) -> ResourceSchema:
        return ResourceSchema(self.block)

    # -- plan ------------------------------------------------------------------------------
    def validate(self, config: dict) -> Diagnostics:
        """Per-object checks on the (unmarked) config; Unknown values are skipped."""
        return Diagnostics()

    def plan_checks(self, prior: dict, planned: dict) -> Diagnostics:
        """Checks of an in-place update (prior → planned)."""
        return Diagnostics()

    def _plan_shape(self) -> tuple:
        """The schema's attributes as ``plan`` walks them, worked out once per block:
        (block, settable (name, optional, default, computed), computed-only names,
        optional+computed names, force-new names sorted)."""
        shape = self.__dict__.get("_plan_shape_cache")
        if shape is None or shape[0] is not self.block:
            attrs = self.block.attributes
            shape = (self.block,
                     tuple((n, a.optional, a.default, a.computed) for n, a in attrs.items()
                           if not a.is_computed_only),
                     tuple(n for n, a in attrs.items() if a.is_computed_only),
                     tuple(n for n, a in attrs.items() if a.optional and a.computed),
                     tuple(sorted(self.block.force_new_names())))
            self.__dict__["_plan_shape_cache"] = shape
        return shape

    def plan(self, prior: dict | None, config: dict | None) -> PlanResult:
        if config is None:
            return PlanResult(planned=None)
        cfg, marks = values.unmark(config)
        old = values.unmark(prior)[0] if prior is not None else None
        _, settable, computed_only, optional_computed, force_new = self._plan_shape()
        planned: dict = {}
        for name, optional, default, is_computed in settable:
            v = cfg.get(name)
            if v is None and optional:
                if default is not None:
                    v = default
                elif is_computed:
                    v = old.get(name) if old is not None else values.UNKNOWN
            planned[name] = v
        for name, nb in self.block.block_types.items():
            v = cfg.get(name)
            if (v is None or v == []) and name in self.computed_blocks:
                v = old.get(name) if old is not None else values.UNKNOWN
            elif v is None:
                v = [] if nb.nesting != "single" else None
            if isinstance(v, list):
                v = [self._fill_nested(nb, item) for item in v]
            planned[name] = v
        replace: list[tuple] = []
        if old is not None:
            for name in force_new:
                if differs(planned.get(name), old.get(name)):
                    replace.append((name,))
        fresh = old is None or bool(replace)
        if old is not None and replace:
            # A new object: what the cloud decides for unset O+C attributes is not known.
            for name in optional_computed:
                if cfg.get(name) is None:
                    planned[name] = values.UNKNOWN
            for name in self.computed_blocks:
                if cfg.get(name) in (None, []):
                    planned[name] = values.UNKNOWN
        for name in computed_only:
            planned[name] = values.UNKNOWN if fresh else old.get(name)
        if not fresh:
            changed = set()
            same = []  # equal, if only as a set (config order is not the cloud's): no change
            for n, v in planned.items():
                o = old.get(n)
                t = type(v)
                if not (t is type(o) and t in _SCALARS and v == o) and differs(v, o):
                    changed.add(n)
                elif n in old:
                    same.append(n)
            for name in same:
                planned[name] = old[name]
            for name in self.unknown_after_update(changed):
                planned[name] = values.UNKNOWN
        diags = Diagnostics()
        if not fresh:
            diags.extend(self.plan_checks(old, planned))
        sensitive = [p for p in marks if values.has_path(planned, p)]
        sensitive += list(self.block.sensitive_paths(planned))
        return PlanResult(planned=values.mark_paths(planned, sensitive), requires_replace=replace,
                          diagnostics=diags)

    def unknown_after_update(self, changed: set[str]) -> set[str]:
        """Computed attributes an in-place update of ``changed`` makes unknown."""
        return set()

    @staticmethod
    def _fill_nested(nb: NestedBlock, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        out = dict(item)
        for n, a in nb.block.attributes.items():
            if out.get(n) is None:
                out[n] = a.default if a.default is not None else None
        return out

    # -- apply -----------------------------------------------------------------------------
    def create_object(self, ctx: Context, planned: dict, token: str | None) -> str:
        """Create the object, handing ``token`` (when given) to the cloud so that
        ``find_created`` can find the object again; return its ID."""
        raise NotImplementedError

    def find_created(self, ctx: Context, token: str, planned: dict) -> str | None:
        """The ID of the object a ``create_object(ctx, planned, token)`` made, or None."""
        raise NotImplementedError

    def after_create(self, ctx: Context, id: str, planned: dict) -> None:
        """Calls after the ID exists (wait for AVAILABLE, follow-up settings)."""

    def read_object(self, ctx: Context, prior: dict) -> dict | None:
        raise NotImplementedError

    def update_object(self, ctx: Context, prior: dict, planned: dict) -> None:
        raise NotImplementedError

    def delete_object(self, ctx: Context, prior: dict) -> None:
        raise NotImplementedError

    def import_prior(self, id: str) -> dict:
        """The value to read an imported object with: every attribute null but the ID."""
        v: dict = {n: None for n in self.block.attributes}
        v.update({n: [] for n in self.block.block_types})
        v["id"] = id
        return v

    def secrets_of(self, value: dict | None) -> list:
        """Values of this object that must never appear in a message."""
        if not value:
            return []
        return [known(value.get(n)) for n, a in self.block.attributes.items()
                if a.sensitive and known(value.get(n))]

    def apply(self, ctx: Context, prior: dict | None, planned: dict | None,
              token: str | None = None,
              on_created: Callable[[dict], None] | None = None) -> ApplyResult:
        prior = plain(prior) if prior is not None else None
        planned = plain(planned) if planned is not None else None
        ctx.secrets = ctx.secrets + self.secrets_of(prior) + self.secrets_of(planned)
        if planned is None:
            assert prior is not None
            return self._apply_delete(ctx, prior)
        if prior is None:
            return self._apply_create(ctx, planned, token, on_created)
        return self._apply_update(ctx, prior, planned)

    def _fail(self, ctx: Context, verb: str, e: CloudError) -> Diagnostics:
        d = Diagnostics()
        d.error(f"Error {ACTIONS[verb]} {self.noun}", cloud_error_detail(e, ctx.secrets))
        return d

    def _apply_create(self, ctx: Context, planned: dict, token: str | None = None,
                      on_created: Callable[[dict], None] | None = None) -> ApplyResult:
        try:
            new_id = self._create(ctx, planned, token)
        except CreateInDoubt as e:
            d = Diagnostics()
            d.error(f"Error creating {self.noun}", redact(
                f"The outcome of the create is unknown: {e} The {self.noun} may exist; "
                "vpnform keeps its creation token, and the next plan looks for it and "
                "adopts it rather than creating it again. Run apply again.", ctx.secrets))
            return ApplyResult(new=None, diagnostics=d, in_doubt=True)
        except CloudError as e:
            return ApplyResult(new=None, diagnostics=self._fail(ctx, "create", e))
        partial = self._partial(planned, new_id)
        if on_created is not None:
            on_created(partial)  # the engine records the ID before anything else happens
        try:
            self.after_create(ctx, new_id, partial)
            new = self.read_object(ctx, partial)
        except CloudError as e:
            # The object exists: hand it back so the engine records it (tainted).
            return ApplyResult(new=self._best_effort_read(ctx, partial),
                               diagnostics=self._fail(ctx, "create", e))
        if new is None:
            d = Diagnostics()
            d.error(f"Error creating {self.noun}",
                    f"The {self.noun} {new_id} was created but could not be read back; it may "
                    "have been deleted right away. Run plan again to see its state.")
            return ApplyResult(new=None, diagnostics=d)
        return ApplyResult(new=new)

    def _create(self, ctx: Context, planned: dict, token: str | None) -> str:
        """``create_object``, surviving answers that never came: after a failure that leaves
        it unknown whether the object was made (no answer, or an internal error), the token
        finds it; the call is repeated only when it made nothing. Raises ``CreateInDoubt``
        when the outcome stays unknown."""
        policy = ctx.client.retry
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                return self.create_object(ctx, planned, token)
            except CloudError as e:
                if token is None or not is_ambiguous(e):
                    raise
                failure = e
            try:
                ctx.sleep(policy.delay(attempt))
                found = self.find_created(ctx, token, planned)
            except CloudError as e:
                raise CreateInDoubt(f"{failure} Looking the object up by its creation token "
                                    f"failed too: {e}") from e
            if found is not None:
                return found
            if not policy.may_retry(attempt, time.monotonic() - started, read=False):
                raise CreateInDoubt(f"{failure} The create was tried {attempt + 1} times.")
            attempt += 1

    def recover(self, ctx: Context, token: str, planned: dict) -> dict | None:
        """The object an interrupted create made (as read now), or None if it made none."""
        planned = plain(planned)
        ctx.secrets = ctx.secrets + self.secrets_of(planned)
        new_id = self.find_created(ctx, token, planned)
        if new_id is None:
            return None
        partial = self._partial(planned, new_id)
        return self.read_object(ctx, partial) or partial

    def _apply_update(self, ctx: Context, prior: dict, planned: dict) -> ApplyResult:
        try:
            self.update_object(ctx, prior, planned)
            new = self.read_object(ctx, self._partial(planned, prior["id"]))
        except CloudError as e:
            return ApplyResult(new=self._best_effort_read(ctx, prior) or prior,
                               diagnostics=self._fail(ctx, "update", e))
        if new is None:
            d = Diagnostics()
            d.error(f"Error updating {self.noun}",
                    f"The {self.noun} {prior.get('id')} no longer exists. Run plan again to "
                    "create it anew.")
        else:
            d = Diagnostics()
        return ApplyResult(new=new, diagnostics=d)

    def _apply_delete(self, ctx: Context, prior: dict) -> ApplyResult:
        try:
            self.delete_object(ctx, prior)
        except CloudError as e:
            if isinstance(e, CloudApiError) and e.is_not_found:
                return ApplyResult(new=None)
            return ApplyResult(new=prior, diagnostics=self._fail(ctx, "delete", e))
        return ApplyResult(new=None)

    def _partial(self, planned: dict, new_id: str) -> dict:
        out = {k: known(v) for k, v in planned.items()}
        out["id"] = new_id
        return out

    def _best_effort_read(self, ctx: Context, value: dict) -> dict:
        try:
            got = self.read_object(ctx, value)
        except CloudError:
            got = None
        return got if got is not None else value

    # The Describe that reads this type by ID — (action, IDs parameter, set key, ID key) —
    # for ``read_ahead``; None: a type read otherwise.
    describe_by_id: tuple | None = None

    def read_ahead(self, ctx: Context, priors: list[dict]) -> None:
        """Ask the cloud at once, into ``ctx.known``, what reading each of ``priors`` (plain
        values) would ask one by one; what is not asked ahead is read one by one."""
        if self.describe_by_id is not None:
            action, ids_param, set_key, id_key = self.describe_by_id
            ctx.describe_many(action, ids_param, set_key, id_key,
                              (p.get("id") for p in priors))

    def read(self, ctx: Context, prior: dict) -> dict | None:
        return self.read_plain(ctx, plain(prior))

    def read_plain(self, ctx: Context, prior: dict) -> dict | None:
        """``read`` of a plain (unmarked) ``prior`` that is the caller's own copy."""
        try:
            return self.read_object(ctx, prior)
        except CloudApiError as e:
            if e.is_not_found:
                return None
            raise

    # -- helpers for subclasses --------------------------------------------------------------
    def wait_gone(self, ctx: Context, what: str, fetch: Callable[[], Any]) -> None:
        ctx.wait_for(f"{what} to be deleted", fetch, lambda r: r is None)


def check(diags: Diagnostics, vs: list[rules.Violation], summary: str, path: tuple | None) -> None:
    for v in vs:
        diags.append(violation_diag(v, summary, path))


def refuse_on(vs: list[rules.Violation]) -> None:
    """Refuse an operation the cloud would refuse, with the cloud's code and message."""
    if vs:
        raise CloudApiError(vs[0].code, vs[0].message)


def num(v: Any) -> int | None:
    """A known whole number, or None (unknown, unset, or not a whole number)."""
    v = known(v)
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v if isinstance(v, int) else None


def first(items: list | None) -> dict | None:
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    return None


def name_check(diags: Diagnostics, cfg: dict, what: str, attr: str = "name") -> None:
    check(diags, rules.check_name(known(cfg.get(attr)), what), "Invalid name", (attr,))


def is_ambiguous(e: CloudError) -> bool:
    """Whether a failed write may still have been carried out."""
    return isinstance(e, CloudTransportError) or (
        isinstance(e, CloudApiError) and e.code in AMBIGUOUS_CODES)


def find_by_token(ctx: Context, action: str, set_key: str, id_key: str, token: str,
                  filters: list[dict]) -> str | None:
    """The ID of the object of a Describe ``action`` whose token tag is ``token``, among
    those ``filters`` select."""
    for item in ctx.client.describe_all(action, set_key, Filters=filters):
        if any(t.get("Key") == TOKEN_TAG and t.get("Value") == token
               for t in item.get("TagSet") or []):
            return item[id_key]
    return None


def token_filter(token: str) -> list[dict]:
    """For Describe actions that filter by tag (VPCs, subnets, route tables)."""
    return [{"Name": f"tag:{TOKEN_TAG}", "Values": [token]}]


def describe_one(ctx: Context, action: str, ids_param: str, set_key: str, id: str) -> dict | None:
    """One object by ID, or None when the cloud says it does not exist."""
    if (action, id) in ctx.known:
        return ctx.known[(action, id)]
    kept = ctx.take_fresh(action, id)
    if kept is not None:
        return kept
    try:
        body = ctx.client.call(action, **{ids_param: [id]})
    except CloudApiError as e:
        if e.is_not_found:
            return None
        raise
    items = body.get(set_key) or []
    return items[0] if items else None


def describe_lasting(ctx: Context, action: str, ids_param: str, set_key: str, id: str,
                     settled: Callable[[dict], bool]) -> dict | None:
    """``describe_one`` for a caller that reads only what never changes in the object's
    life: an answer this run already kept (``Context.keep_lasting``) serves; a new answer
    is kept when ``settled`` says those fields are final (an AVAILABLE gateway has its
    address)."""
    item = ctx.lasting.get((action, id))
    if item is None:
        item = describe_one(ctx, action, ids_param, set_key, id)
        if item is not None and settled(item):
            ctx.keep_lasting(action, id, item)
    return item


def update_tags(ctx: Context, kind: str, id: str, prior_tags: Any, new_tags: Any) -> None:
    old = dict(prior_tags or {})
    new = dict(new_tags or {})
    if old == new:
        return
    replace = [{"TagKey": k, "TagValue": "" if v is None else str(v)} for k, v in new.items()
               if old.get(k) != v]
    delete = [{"TagKey": k} for k in old if k not in new]
    ctx.client.call("ModifyResourceTags", Resource=f"qcs::vpc:{ctx.region}:uin/:{kind}/{id}",
                    ReplaceTags=replace or None, DeleteTags=delete or None)


def changed(prior: dict, planned: dict, *names: str) -> bool:
    return any(differs(planned.get(n), prior.get(n)) for n in names)
