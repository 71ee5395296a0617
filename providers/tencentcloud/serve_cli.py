"""``vpnform cloud serve``: the emulated cloud served over the cloud's real API (API 3.0,
TC3-HMAC-SHA256), for the official SDK, tccli, scripts and other IaC tools.

    vpnform cloud serve [-listen=127.0.0.1:PORT] [-data=DIR] [-tls] [-credentials=FILE]
                        [-rate-limit=N]

The first line printed is the URL served (port 0 picks a free port). SIGINT and SIGTERM
stop it gracefully: the calls in flight finish and the stores are closed.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import sys
import threading

from engine.cli.plugin import BOOL, VALUE, Flag, UsageError, Verb, parse, parse_int

DEFAULT_LISTEN = "127.0.0.1:8443"

SERVE = Verb(
    "cloud serve", "Serve the emulated cloud over the real API (SDK, tccli, Terraform)",
    usage="[options]",
    description="""
        Serves the emulated cloud over the cloud's own API 3.0 (POST JSON and GET forms,
        TC3-HMAC-SHA256 signatures, HTTP 200 envelopes), so that the official SDK, tccli
        and the public Terraform provider can work it. Each account has its own cloud under
        the data directory. Requests in proxy form are answered too, so
        HTTP_PROXY=http://127.0.0.1:PORT reaches it with protocol HTTP. The first line
        printed is the URL served. A read-only web console, signed in with an account's
        SecretId and SecretKey, is at /console/ on the same listener. Stop it with Ctrl-C
        or SIGTERM.""",
    flags={"listen": Flag(VALUE, f"Address and port to listen on (default {DEFAULT_LISTEN}; "
                                 "port 0 picks a free one).", "=HOST:PORT"),
           "data": Flag(VALUE, "Directory of the accounts' stores, generated keys and "
                               "certificate (default: ./.vpnform).", "=DIR"),
           "tls": Flag(BOOL, "Serve HTTPS with a self-signed certificate, made once and "
                             "kept under the data directory; its path is printed."),
           "credentials": Flag(VALUE, 'The accounts, as JSON: {"accounts": [{"name", '
                                      '"secret_id", "secret_key"}, ...]}. Default: one '
                                      "account, made on the first start.", "=FILE"),
           "rate-limit": Flag(VALUE, "Calls per second each account may make to each action "
                                     "(default 20, as the cloud; 0 turns it off).", "=N")},
    notes="""
        Examples:
          vpnform cloud serve -listen=127.0.0.1:8443
          vpnform cloud serve -tls -data=/srv/cloud -credentials=accounts.json
        Then, e.g.: TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=...
          tccli vpc DescribeVpcs --region ap-guangzhou --endpoint 127.0.0.1:8443

        Alarm policies are evaluated every $VPNFORM_ALARM_INTERVAL seconds (default 60;
        1 to 3600): the bound tunnels are sampled, alarms raised or recovered, and the
        notice templates' (loopback) URLs called back.""")


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise UsageError(f'Invalid value for -listen: "{text}" (write HOST:PORT, e.g. '
                         f"{DEFAULT_LISTEN})")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def cmd_serve(argv: list[str], console) -> int:
    from .emulator.accounts import AccountsError, generated_accounts, load_accounts
    from .emulator.alarm_evaluator import BackgroundEvaluator, interval_from_env
    from .emulator.gateway import CloudGateway
    from .emulator.products import PRODUCTS
    from .emulator.server import CloudServer
    from .emulator.throttle import DEFAULT_RATE
    from engine.private_files import private_dirs

    args = parse(argv, SERVE)
    if args.positional:
        raise UsageError(f"cloud serve takes no arguments, got: {' '.join(args.positional)}")
    host, port = parse_listen(args.get("listen") or DEFAULT_LISTEN)
    rate = parse_int(args, "rate-limit", DEFAULT_RATE)
    data_dir = private_dirs(os.path.abspath(args.get("data") or
                                            os.path.join(os.getcwd(), ".vpnform")))
    made = False
    try:
        if args.get("credentials"):
            accounts = load_accounts(args.get("credentials"))
            if os.stat(args.get("credentials")).st_mode & 0o077:
                console.print(f"Warning: {args.get('credentials')} holds secret keys and others "
                              "may read it; chmod 600 it.", err=True)
        else:
            accounts, made = generated_accounts(data_dir)
    except AccountsError as err:
        raise UsageError(str(err)) from None
    context = cert = None
    if args.get("tls"):
        from .emulator.tls import ensure_certificate, server_context
        cert, key = ensure_certificate(os.path.join(data_dir, "tls"), host)
        context = server_context(cert, key)
    try:
        interval = interval_from_env()
    except ValueError as err:
        raise UsageError(str(err)) from None
    gateway = CloudGateway(accounts, data_dir, rate_limit=rate)
    try:
        server = CloudServer((host, port), gateway, tls=context)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}") from None

    console.print(f"Serving the emulated cloud at {server.url}")
    console.print(f"  web console: {server.url}/console/ (sign in with an account's keys)")
    console.print(f"  data directory: {data_dir}")
    console.print("  products: " + ", ".join(PRODUCTS.services()))
    console.print("  accounts: " + ", ".join(
        f"{a.name} (SecretId {a.secret_id[:8]}...)" for a in accounts.accounts))
    console.print(f"  rate limit: {f'{rate} calls/s per account and action' if rate else 'off'}")
    console.print(f"  alarm evaluation: every {interval:g} s")
    if cert is not None:
        console.print(f"  TLS certificate: {cert}  (trust it: REQUESTS_CA_BUNDLE={cert})")
    if not _is_loopback(host):
        console.print(f"Warning: listening on {host}, beyond this machine.", err=True)
    if made:
        first = accounts.accounts[0]
        # printed this once; the file keeps them (0600) for later starts
        console.print_unredacted(
            f"Created the account {first.name!r}; its keys, shown only this once, are kept in "
            f"{os.path.join(data_dir, 'credentials.json')}:\n"
            f"  TENCENTCLOUD_SECRET_ID={first.secret_id}\n"
            f"  TENCENTCLOUD_SECRET_KEY={first.secret_key}\n")
    elif not args.get("credentials"):
        console.print(f"  keys: {os.path.join(data_dir, 'credentials.json')}")
    console.print("Press Ctrl-C to stop.")

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=server.serve_forever, name="cloud-serve", daemon=True)
    thread.start()
    evaluator = BackgroundEvaluator(lambda: gateway.services_of("monitor", "2018-07-24"),
                                    interval)
    evaluator.start()
    try:
        while not stop.wait(0.5):
            if not thread.is_alive():
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        console.print("Stopping: finishing the calls in flight...", err=True)
        evaluator.stop()
        drained = server.stop()
        thread.join(5)
    console.print("Stopped." if drained else "Stopped; some calls did not finish in time.",
                  err=True)
    sys.stderr.flush()
    return 0 if drained else 1
