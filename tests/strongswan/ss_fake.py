"""An in-memory charon behind a fake ``vici.Session``, recording every call (a unique module
name). Only what the provider uses; answers are shaped (bytes) like charon 5.9.8's."""

from __future__ import annotations

from vici.exception import CommandException


def _b(v):
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, list):
        return [_b(x) for x in v]
    if isinstance(v, dict):
        return {k: _b(x) for k, x in v.items()}
    return v


class FakeCharon:
    def __init__(self):
        self.conns: dict = {}  # name -> load-conn message body
        self.shared: dict = {}  # id -> load-shared message
        self.sas: list = []  # list-sas entries
        self.calls: list = []  # (command, argument)
        self.fail: dict = {}  # command -> errmsg (charon refuses)
        self.unreachable = False

    def factory(self, path):
        if self.unreachable:
            from providers.swankit.vici import CharonUnreachable
            raise CharonUnreachable(f"Cannot connect to the VICI socket {path}: "
                                    "No such file or directory.")
        return FakeSession(self)

    def commands(self):
        return [c for c, _ in self.calls]


class FakeSession:
    def __init__(self, charon: FakeCharon):
        self.c = charon

    def _call(self, command, arg=None):
        self.c.calls.append((command, arg))
        if command in self.c.fail:
            raise CommandException(f"Command failed: {self.c.fail[command]}")

    def version(self):
        self._call("version")
        return {"daemon": b"charon", "version": b"5.9.8"}

    def get_algorithms(self):
        self._call("get_algorithms")
        from ss_samples import ALGS
        return ALGS

    def list_conns(self, filters=None):
        self._call("list_conns", filters)
        want = (filters or {}).get("ike")
        for name, body in self.c.conns.items():
            if want in (None, name):
                yield {name: _b(_as_listed(body))}

    def get_conns(self):
        self._call("get_conns")
        return {"conns": [_b(n) for n in self.c.conns]}

    def get_shared(self):
        self._call("get_shared")
        return {"keys": [_b(k) for k in self.c.shared]}

    def list_sas(self, filters=None):
        self._call("list_sas", filters)
        want = (filters or {}).get("ike")
        for item in self.c.sas:
            if want is None or want in item:
                yield item

    def load_shared(self, msg):
        self._call("load_shared", msg)
        self.c.shared[msg["id"]] = msg

    def unload_shared(self, msg):
        self._call("unload_shared", msg)
        if msg["id"] not in self.c.shared:
            raise CommandException(f"Command failed: unload: shared key '{msg['id']}' not found")
        del self.c.shared[msg["id"]]

    def load_conn(self, msg):
        self._call("load_conn", msg)
        self.c.conns.update(msg)

    def unload_conn(self, msg):
        self._call("unload_conn", msg)
        if msg["name"] not in self.c.conns:
            raise CommandException(f"Command failed: unload: connection '{msg['name']}' not "
                                   "found")
        del self.c.conns[msg["name"]]

    def terminate(self, msg):
        self._call("terminate", msg)
        if "ike-id" in msg:
            self.c.sas = [s for s in self.c.sas
                          if not any(v.get("uniqueid") == msg["ike-id"].encode()
                                     for v in s.values())]
        yield from ()


def _as_listed(body: dict) -> dict:
    """What list-conns shows of a load-conn body (charon 5.9.8's subset)."""
    out = {
        "local_addrs": body.get("local_addrs", ["%any"]),
        "remote_addrs": body.get("remote_addrs", ["%any"]),
        "version": {"1": "IKEv1", "2": "IKEv2"}.get(body.get("version"), "IKEv1/2"),
        "reauth_time": body.get("reauth_time", "0"),
        "rekey_time": body.get("rekey_time", "14400"),
        "unique": "UNIQUE_NO",
    }
    for k in ("dpd_delay", "dpd_timeout"):
        if body.get(k, "0") != "0":
            out[k] = body[k]
    for side in ("local", "remote"):
        auth = {"class": "pre-shared key", "groups": [], "cert_policy": [], "certs": [],
                "cacerts": []}
        if "id" in body.get(f"{side}-1", {}):
            auth = {"id": body[f"{side}-1"]["id"], **auth}
        out[f"{side}-1"] = auth
    actions = {"clear": "none", "none": "none", "trap": "trap", "restart": "start",
               "start": "start"}
    out["children"] = {
        name: {"mode": "TUNNEL", "rekey_time": c.get("rekey_time", "3600"),
               "rekey_bytes": c.get("rekey_bytes", "0"), "rekey_packets": "0",
               "dpd_action": actions[c.get("dpd_action", "clear")],
               "close_action": actions[c.get("close_action", "none")],
               "local-ts": c.get("local_ts", ["dynamic"]),
               "remote-ts": c.get("remote_ts", ["dynamic"])}
        for name, c in body.get("children", {}).items()}
    return out
