"""Machine-readable output: the ``-json`` message stream of
plan / apply / destroy (Terraform's machine-readable UI, one JSON object per line).

The stream is driven by the same engine hooks as the human view (HumanHooks); the CLI
installs a ``JsonUI`` as ``console.ui`` and every diagnostic printed through
views.print_diagnostics becomes a ``diagnostic`` message. Secrets are redacted as in the
human view: sensitive values never enter a message, and every string is passed through
the Console's known-secret redaction before it is encoded.

Beyond Terraform's message types, a priced plan adds one ``cost_estimate`` message after
``change_summary``: ``cost`` holds the monthly totals before/after/diff and each priced
object (engine/plan/cost.py ``cost_json``). Consumers that switch on ``type`` skip it.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

from ..addrs import AddressError, InstanceAddr, module_str, parse_instance
from ..diagnostics import Diagnostics, Severity
from ..hooks import Hooks
from ..plan.cost import cost_json, signed
from ..plan.model import Action, Plan
from ..state.codec import infer_type
from ..state.json_state import json_value
from ..version import VERSION
from .json_views import diagnostic_json
from .views import Console

UI_VERSION = "1.2"
MODULE = "vpnform.ui"


# --- the message stream ---------------------------------------------------------------

def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="microseconds")


def resource_json(address: str) -> dict:
    """The ``resource`` object of a hook or change message."""
    try:
        addr = parse_instance(address)
    except AddressError:
        return {"addr": address, "module": "", "resource": address, "implied_provider": "",
                "resource_type": "", "resource_name": "", "resource_key": None}
    return _resource_of(addr)


def _resource_of(addr: InstanceAddr) -> dict:
    r = addr.resource
    full = str(addr)
    module = module_str(r.module)
    return {"addr": full, "module": module,
            "resource": full[len(module) + 1:] if module else full,
            "implied_provider": r.type.split("_", 1)[0], "resource_type": r.type,
            "resource_name": r.name, "resource_key": addr.key}


_UI_ACTION = {Action.NOOP: "noop", Action.CREATE: "create", Action.READ: "read",
              Action.UPDATE: "update", Action.DELETE: "delete",
              Action.DELETE_THEN_CREATE: "replace", Action.CREATE_THEN_DELETE: "replace"}
_UI_REASON = {"replace_because_tainted": "tainted", "replace_by_request": "requested",
              "replace_because_cannot_update": "cannot_update",
              "replace_by_triggers": "replace_triggered_by"}
_PLAN_VERB = {"create": "Plan to create", "read": "Plan to read", "update": "Plan to update",
              "delete": "Plan to delete", "replace": "Plan to replace", "noop": "No changes"}
_APPLY = {"create": ("Creating...", "Creation complete", "Still creating...", "Creation errored"),
          "update": ("Modifying...", "Modifications complete", "Still modifying...",
                     "Modifications errored"),
          "delete": ("Destroying...", "Destruction complete", "Still destroying...",
                     "Destruction errored"),
          "read": ("Reading...", "Read complete", "Still reading...", "Read errored")}


def _elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s"


class JsonUI(Hooks):
    """One run's message stream on the console's standard output."""

    def __init__(self, console: Console):
        self.console = console
        self.lock = threading.Lock()
        self.added = self.changed = self.destroyed = 0

    # -- writing ---------------------------------------------------------------------
    def message(self, type_: str, text: str, level: str = "info", **fields: Any) -> None:
        msg = {"@level": level, "@message": text, "@module": MODULE, "@timestamp": _now()}
        msg.update(fields)
        msg["type"] = type_
        self.console.print_json(msg, separators=(",", ":"))

    def version(self) -> None:
        self.message("version", f"vpnform {VERSION}", terraform=VERSION, ui=UI_VERSION)

    def log(self, text: str, level: str = "info") -> None:
        self.message("log", text, level)

    def diagnostics(self, diags, files: dict) -> None:
        for d in diags:
            is_err = d.severity is Severity.ERROR
            self.message("diagnostic", ("Error: " if is_err else "Warning: ") + d.summary,
                         "error" if is_err else "warn", diagnostic=diagnostic_json(d, files))

    # -- plan --------------------------------------------------------------------------
    def _change(self, ch) -> dict:
        action = _UI_ACTION[ch.action]
        out: dict = {"resource": _resource_of(ch.addr), "action": action}
        if ch.previous_addr is not None:
            out["previous_resource"] = _resource_of(ch.previous_addr)
        if ch.reason:
            out["reason"] = _UI_REASON.get(ch.reason, ch.reason)
        if ch.importing_id is not None:
            out["importing"] = {"id": ch.importing_id}
        return out

    def planned(self, plan: Plan, operation: str) -> None:
        """resource_drift, planned_change, change_summary and outputs of a plan."""
        for addr in sorted(plan.drift):
            ch = plan.drift[addr]
            action = _UI_ACTION[ch.action]
            self.message("resource_drift", f"{addr}: Drift detected ({action})",
                         change={"resource": _resource_of(addr), "action": action})
        for ch in plan.resource_changes:
            if not ch.is_change and ch.importing_id is None and ch.previous_addr is None:
                continue
            change = self._change(ch)
            self.message("planned_change", f"{ch.addr}: {_PLAN_VERB[change['action']]}",
                         change=change)
        add, change, destroy = plan.counts()
        imports = sum(1 for c in plan.changes.values() if c.importing_id is not None)
        prefix = f"{imports} to import, " if imports else ""
        self.message("change_summary",
                     f"Plan: {prefix}{add} to add, {change} to change, {destroy} to destroy.",
                     changes={"add": add, "change": change, "import": imports,
                              "remove": destroy, "operation": operation})
        if plan.cost is not None:
            report = plan.cost
            self.message("cost_estimate",
                         f"Monthly cost change: {signed(report.delta_monthly)} {report.currency} "
                         f"({report.past_monthly:.2f} -> {report.monthly:.2f})",
                         cost=cost_json(report))
        if plan.output_changes:
            outs = {}
            for name in sorted(plan.output_changes):
                oc = plan.output_changes[name]
                outs[name] = {"sensitive": bool(oc.sensitive), "action": _UI_ACTION[oc.action]}
            self.message("outputs", f"Outputs: {len(outs)}", outputs=outs)

    # -- apply -------------------------------------------------------------------------
    def applied(self, final, destroy: bool) -> None:
        if destroy:
            self.message("change_summary",
                         f"Destroy complete! Resources: {self.destroyed} destroyed.",
                         changes={"add": 0, "change": 0, "import": 0, "remove": self.destroyed,
                                  "operation": "destroy"})
            return
        self.message("change_summary",
                     f"Apply complete! Resources: {self.added} added, {self.changed} changed, "
                     f"{self.destroyed} destroyed.",
                     changes={"add": self.added, "change": self.changed, "import": 0,
                              "remove": self.destroyed, "operation": "apply"})
        if final is not None and final.outputs:
            outs = {}
            for name in sorted(final.outputs):
                ov = final.outputs[name]
                entry: dict = {"sensitive": bool(ov.sensitive),
                               "type": ov.type if ov.type is not None else infer_type(ov.value)}
                if not ov.sensitive:
                    entry["value"] = json_value(ov.value)
                outs[name] = entry
            self.message("outputs", f"Outputs: {len(outs)}", outputs=outs)

    # -- hooks -------------------------------------------------------------------------
    def pre_refresh(self, address: str, id: str | None) -> None:
        hook = {"resource": resource_json(address), "id_key": "id", "id_value": id or ""}
        self.message("refresh_start", f"{address}: Refreshing state... [id={id}]", hook=hook)

    def post_refresh(self, address: str, id: str | None, gone: bool) -> None:
        hook = {"resource": resource_json(address), "id_key": "id", "id_value": id or ""}
        self.message("refresh_complete", f"{address}: Refresh complete"
                     + (" (gone)" if gone else "") + f" [id={id}]", hook=hook)

    def pre_apply(self, address: str, action: str, id: str | None) -> None:
        hook: dict = {"resource": resource_json(address), "action": action}
        suffix = ""
        if id and action != "create":
            hook.update(id_key="id", id_value=id)
            suffix = f" [id={id}]"
        self.message("apply_start", f"{address}: {_APPLY[action][0]}{suffix}", hook=hook)

    def progress_apply(self, address, action, id, elapsed) -> None:
        self.message("apply_progress",
                     f"{address}: {_APPLY[action][2]} [{_elapsed(elapsed)} elapsed]",
                     hook={"resource": resource_json(address), "action": action,
                           "elapsed_seconds": int(elapsed)})

    def post_apply(self, address, action, id, elapsed, error) -> None:
        hook: dict = {"resource": resource_json(address), "action": action}
        if error:
            hook["elapsed_seconds"] = int(elapsed)
            self.message("apply_errored",
                         f"{address}: {_APPLY[action][3]} after {_elapsed(elapsed)}", "error",
                         hook=hook)
            return
        with self.lock:
            if action == "create":
                self.added += 1
            elif action == "update":
                self.changed += 1
            elif action == "delete":
                self.destroyed += 1
        text = f"{address}: {_APPLY[action][1]} after {_elapsed(elapsed)}"
        if id and action != "delete":
            hook.update(id_key="id", id_value=id)
            text += f" [id={id}]"
        hook["elapsed_seconds"] = int(elapsed)
        self.message("apply_complete", text, hook=hook)

    def interrupted(self) -> None:
        self.log("Interrupt received. Please wait for vpnform to exit or data loss may occur. "
                 "Gracefully shutting down...", "warn")


def enable(console: Console, args) -> JsonUI | None:
    """For ``-json``: install the stream as ``console.ui``, print the version message, and
    imply -input=false. Returns the UI, or None when ``-json`` was not given."""
    if not args.get("json"):
        return None
    ui = JsonUI(console)
    console.ui = ui
    console.color = False
    args.flags["input"] = False
    ui.version()
    return ui


def approval_refused(ui: JsonUI, args, verb: str) -> bool:
    """apply/destroy -json cannot ask for approval: refuse without -auto-approve (or a plan
    file), as Terraform does."""
    if args.get("auto-approve") or (verb == "apply" and args.positional):
        return False
    d = Diagnostics()
    d.error("Plan file or auto-approve required",
            "vpnform cannot ask for interactive approval when -json is set. You can either "
            "apply a saved plan file, or enable the -auto-approve option.")
    ui.diagnostics(d, {})
    return True


__all__ = ["JsonUI", "enable", "approval_refused", "Hooks"]
