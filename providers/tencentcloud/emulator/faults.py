"""Arming the emulated cloud's fault injection from another process or a shell.

    python -m providers.tencentcloud.emulator.faults WORKDIR ACTION CODE \
        [--message TEXT] [--count N] [--match SUBSTRING] [--region REGION]
    python -m providers.tencentcloud.emulator.faults WORKDIR --clear

The fault is stored in ``WORKDIR/.vpnform/cloud.db``; the next ``--count`` calls of
ACTION (whose JSON params contain SUBSTRING, if given) by any process fail with CODE. The
code ``ResponseLost`` instead lets the call be carried out and loses its answer. Faults at
a rate (every call may fail) are set with ``VPNFORM_EMULATOR_FAULTS``: see chaos.py.
"""

from __future__ import annotations

import argparse
import os
import sys

from .service import EmulatedVpcService
from .store import SqliteStore


def arm_fault(workdir: str | os.PathLike, action: str, code: str, message: str | None = None, *,
              count: int = 1, match: str | None = None, region: str | None = None) -> None:
    store = SqliteStore.for_workdir(workdir)
    try:
        EmulatedVpcService(store).inject_fault(action, code, message, count=count, match=match,
                                               region=region)
    finally:
        store.close()


def clear_faults(workdir: str | os.PathLike) -> None:
    store = SqliteStore.for_workdir(workdir)
    try:
        EmulatedVpcService(store).clear_faults()
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m providers.tencentcloud.emulator.faults",
                                 description="Arm a fault in the emulated cloud of WORKDIR.")
    ap.add_argument("workdir")
    ap.add_argument("action", nargs="?")
    ap.add_argument("code", nargs="?")
    ap.add_argument("--message")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--match")
    ap.add_argument("--region")
    ap.add_argument("--clear", action="store_true", help="remove every armed fault")
    args = ap.parse_args(argv)
    if args.clear:
        clear_faults(args.workdir)
        return 0
    if not args.action or not args.code:
        ap.error("ACTION and CODE are required unless --clear is given")
    arm_fault(args.workdir, args.action, args.code, args.message, count=args.count,
              match=args.match, region=args.region)
    return 0


if __name__ == "__main__":
    sys.exit(main())
