"""Applies on the embedded emulator in a helper process: the cloud's work beside the engine's.

When the embedded emulator answers by computation alone (no provisioning delay, no read
latency, no fault rates, no real dataplane), an apply is two kinds of work for one
interpreter: the engine's (evaluating, planning, recording) and the provider's and cloud's
(building requests, validating, storing). A helper process does the second on the other
core: the provider ships a batch of applies to it (``apply_batch``, which the engine calls
for a batch of operations ready at once, two batches at a time: engine/apply/executor.py),
and the engine prepares and records one batch while the helper carries out the next.

The helper is this module run as ``python -m``. It holds a provider configured as each
provider of the parent that uses it (``configure``), on the same store, and answers
pickled ``(id, verb, key, argument)`` messages on its standard input and output, in order:
``configure`` gives a provider's configuration (its diagnostics come back), ``apply`` a
list of ApplyRequests (a list of ApplyResults, or of the exception an apply raised, comes
back). It prints nothing (requests hold pre-shared keys), stops at the end of its input,
and before each apply checks that the process that started it is still there: a killed
apply leaves nothing to be carried out after it (what was carried out already is found
again by its creation token).
"""

from __future__ import annotations

import itertools
import os
import pickle
import subprocess
import sys
import threading
from typing import Any

from .client import CloudTransportError
from .per_workdir import PerWorkdir

PROTOCOL = 5
# Seconds a helper gets to finish its batch and close its store once told to stop.
STOP_TIMEOUT = 30.0


class Pending:
    """The answer to a message sent to the helper, once it comes."""

    __slots__ = ("done", "ok", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.value: Any = None

    def result(self) -> Any:
        """What the helper returned; an exception it returned is raised. Waits for it."""
        self.done.wait()
        if self.ok:
            return self.value
        raise self.value


class ApplyHelper:
    """The parent's side of one helper process serving ``workdir``'s embedded emulator.
    Thread-safe: several batches may wait at once; the helper answers them in order."""

    def __init__(self, workdir: str):
        self.workdir = workdir
        # The same interpreter, finding the same modules (vpnform may run from a source
        # tree), on the same directory whatever the helper's own working directory.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", __name__, os.path.abspath(workdir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            close_fds=True, env=env)
        self._send_lock = threading.Lock()
        self._slots: dict[int, Pending] = {}
        self._slots_lock = threading.Lock()
        self._ids = itertools.count()
        self._keys = itertools.count()
        self._ended: str | None = None  # why no more answers will come
        self.used = False  # whether it was given applies (else it is stopped at once)
        self._reader = threading.Thread(target=self._read_answers, daemon=True,
                                        name="vpnform-apply-helper")
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def running(self) -> bool:
        return self._ended is None

    def new_key(self) -> int:
        """A key for one more provider configuration in the helper."""
        return next(self._keys)

    def ask(self, verb: str, key: int, argument: Any) -> Any:
        """Send one message and wait for its answer (``Pending.result``)."""
        return self.send(verb, key, argument).result()

    def send(self, verb: str, key: int, argument: Any) -> Pending:
        """Send one message; its answer comes later. CloudTransportError: no answer will
        come (the helper has ended)."""
        slot = Pending()
        with self._slots_lock:
            if self._ended is not None:
                raise CloudTransportError(self._ended)
            self.used = self.used or verb == "apply"
            rid = next(self._ids)
            self._slots[rid] = slot
        try:
            with self._send_lock:
                pickle.dump((rid, verb, key, argument), self._proc.stdin, PROTOCOL)
                self._proc.stdin.flush()
        except (OSError, ValueError, pickle.PicklingError) as e:
            with self._slots_lock:
                self._slots.pop(rid, None)
            raise CloudTransportError(f"the apply helper process cannot be reached "
                                      f"({type(e).__name__})") from None
        return slot

    def _read_answers(self) -> None:
        out = self._proc.stdout
        try:
            while True:
                rid, ok, value = pickle.load(out)
                with self._slots_lock:
                    slot = self._slots.pop(rid, None)
                if slot is not None:
                    slot.ok, slot.value = ok, value
                    slot.done.set()
        except (EOFError, OSError, ValueError, pickle.UnpicklingError, AttributeError):
            pass
        finally:
            with self._slots_lock:
                self._ended = "the apply helper process ended before it answered"
                waiting, self._slots = list(self._slots.values()), {}
            for slot in waiting:
                slot.value = CloudTransportError(self._ended)
                slot.done.set()

    def close(self) -> None:
        """Stop the helper: it finishes its batch, closes the store and exits. One that was
        never given an apply (a plan, an apply with nothing to do) has nothing to finish
        and may still be starting up: it is stopped at once, so nobody waits for it."""
        if not self.used:
            self._proc.kill()
        with self._send_lock:
            try:
                self._proc.stdin.close()
            except OSError:
                pass
        try:
            self._proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=STOP_TIMEOUT)
        self._proc.stdout.close()


# -- one helper per working directory per process, shared by its provider configurations ----
_HELPERS: PerWorkdir[ApplyHelper] = PerWorkdir(ApplyHelper, ApplyHelper.close,
                                               usable=lambda helper: helper.running)
acquire = _HELPERS.acquire
release = _HELPERS.release


# -- the helper's side ------------------------------------------------------------------------
def serve(workdir: str, messages: Any, answers: Any, parent: int) -> None:
    """Answer the messages read from ``messages`` on ``answers`` until the input ends or
    the process ``parent`` is gone."""
    from .provider import TencentCloudProvider

    providers: dict[int, TencentCloudProvider] = {}
    threading.Thread(target=_warm_up, daemon=True, name="vpnform-emulator-warm-up").start()
    try:
        while True:
            try:
                rid, verb, key, argument = pickle.load(messages)
            except EOFError:
                return
            try:
                if verb == "configure":
                    p = providers[key] = TencentCloudProvider(workdir, helper=False)
                    p.retry, p.poll_timeout = argument["retry"], argument["poll_timeout"]
                    answer = (rid, True, p.configure(argument["config"]))
                elif verb == "apply":
                    answer = (rid, True, _apply(providers[key], argument, parent))
                else:
                    answer = (rid, False, ValueError(f"unknown message {verb!r}"))
            except Exception as e:  # noqa: BLE001 - the parent hears of it
                answer = (rid, False, e)
            pickle.dump(answer, answers, PROTOCOL)
            answers.flush()
            if answer[1] and verb == "apply" and len(answer[2]) < len(argument):
                return  # the parent is gone
    finally:
        for p in providers.values():
            p.close()


def _apply(provider: Any, requests: list, parent: int) -> list:
    """Each request's ApplyResult, or the exception its apply raised; cut short when the
    process ``parent`` is gone (an apply that was killed starts nothing more)."""
    out: list = []
    for req in requests:
        if os.getppid() != parent:
            break
        try:
            out.append(provider.apply(req))
        except Exception as e:  # noqa: BLE001 - raised again for this operation alone
            out.append(e)
    return out


def _warm_up() -> None:
    """Import every action of the VPC service and build its request's validator, while
    the helper has nothing else to do: what the first call of each would do (a message
    that comes meanwhile waits for the interpreter only a moment; see main)."""
    from .emulator.actions import ACTIONS
    from .emulator.actions.request import build

    try:
        for name in ACTIONS:
            build(ACTIONS[name].request)
    except Exception:  # noqa: BLE001 - the call that needs it builds it, or reports why
        return


def main(argv: list[str]) -> None:
    # The protocol's own descriptors; whatever else writes to stdout or stderr (a warning
    # naming a parameter) goes nowhere. A Ctrl-C is for the parent, which stops handing
    # out work; the batch in hand is finished.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    messages = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    # The warm-up thread yields the interpreter to a message within a millisecond.
    sys.setswitchinterval(0.001)
    serve(argv[1], messages, answers, os.getppid())
    # The store is closed and every answer written: nothing is left for the interpreter's
    # teardown (tens of milliseconds the apply would wait for) to do.
    answers.close()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
