"""``vpnform tunnel status|ping|config|monitor``: live operations on the tunnels in state.

Generic over providers: a provider that implements engine.providers.TunnelProvider answers
for its own resource types. The status shape (what providers return) is:

    {"name", "id", "state": "ESTABLISHED" | "CONNECTING" | "DOWN", "ike_version",
     "local", "remote", "established_seconds", "algorithms": {"encryption", "integrity",
     "prf", "dh_group"}, "error": plain-words problem or None,
     "children": [{"name", "state", "protocol", "encryption", "integrity", "local_ts",
                   "remote_ts", "installed_seconds", "bytes_in", "bytes_out",
                   "packets_in", "packets_out"}]}
"""

from __future__ import annotations

import os

from ..addrs import AddressError, parse_instance
from ..diagnostics import Diagnostics
from ..operations import RunOptions, load_configuration, read_state, setup_providers
from ..private_files import write_private
from ..providers import TunnelProvider
from ..values import mark_paths
from .args import (ADDRESSES, BOOL, MULTI, NO_COLOR, VALUE, VAR, VAR_FILE, Flag, UsageError,
                   Verb, command, parse, parse_duration, parse_int, usage_text)
from .views import Console, print_diagnostics

VAR_FLAGS = {"var": VAR, "var-file": VAR_FILE, "no-color": NO_COLOR}
TUNNEL_STATUS = Verb(
    "tunnel status", "IKE and child SA state, algorithms and counters, live",
    usage="[options] [ADDRESS...]",
    description="""
        Shows the live state of the tunnels in state (or of the given ones): the IKE SA,
        its algorithms and endpoints, and each child SA with its traffic selectors and
        counters, as the provider that manages the tunnel reads them.""",
    completes=ADDRESSES,
    flags={"json": Flag(BOOL, "Print the status as a JSON array, one object per tunnel."),
           **VAR_FLAGS})
TUNNEL_PING = Verb(
    "tunnel ping", "Ping the peer range through a tunnel", usage="[options] ADDRESS",
    description="""
        Pings an address of the tunnel's peer range from a host of the local side and says
        whether the tunnel is passing traffic.""",
    completes=ADDRESSES,
    flags={"count": Flag(VALUE, "Number of echo requests to send. Defaults to 3.", "=N"),
           "target": Flag(VALUE, "The address to ping. Defaults to the first host of the "
                          "peer range.", "=IP"),
           **VAR_FLAGS})
TUNNEL_CONFIG = Verb(
    "tunnel config", "The peer device's configuration for a tunnel",
    usage="[options] ADDRESS",
    description="""
        Renders the configuration of the device at the other end of the tunnel, in the
        given vendor's syntax. It holds the pre-shared key: it is printed only on request,
        and -out writes it to a file of mode 0600.""",
    completes=ADDRESSES,
    flags={"vendor": Flag(VALUE, "The peer device's vendor, such as cisco-ios or strongswan.",
                          "=NAME"),
           "out": Flag(VALUE, "Write the configuration to this file (mode 0600) instead of "
                       "printing it.", "=FILE"),
           **VAR_FLAGS})
TUNNEL_MONITOR = Verb(
    "tunnel monitor", "The tunnel's monitoring metrics over time, as a chart",
    usage="[options] [ADDRESS]",
    description="""
        Charts the cloud's monitoring metrics of a tunnel (bandwidth, packets, packet
        loss, latency, disconnection) over the recent past: in the terminal, or as an SVG
        or PNG picture with -out. Without ADDRESS, the state's only tunnel.""",
    completes=ADDRESSES,
    flags={"metric": Flag(MULTI, "A metric to show, such as OutBandwidth or Delay "
                          "(repeatable, or comma-separated). Defaults to every tunnel metric.",
                          "=NAME"),
           "period": Flag(VALUE, "Seconds per data point, as the cloud keeps them (the "
                          "emulated cloud: 60, 300, 3600 or 86400). Defaults to 60.",
                          "=SECONDS"),
           "since": Flag(VALUE, "How far back to show, e.g. 30m or 6h. Defaults to 1h.",
                         "=DURATION"),
           "out": Flag(VALUE, "Write the chart to this .svg or .png file (mode 0600) instead "
                       "of printing it.", "=FILE"),
           **VAR_FLAGS})
TUNNEL = Verb(
    "tunnel", "Live tunnel status, ping through a tunnel, peer configuration, monitoring",
    usage="<subcommand> [options] ADDRESS",
    description="""
        Live operations on the tunnels recorded in state, answered by the provider that
        manages each tunnel.""",
    subcommands={"status": TUNNEL_STATUS, "ping": TUNNEL_PING, "config": TUNNEL_CONFIG,
                 "monitor": TUNNEL_MONITOR})


@command(TUNNEL)
def cmd_tunnel(argv: list[str], console: Console) -> int:
    if not argv or argv[0] not in TUNNEL.subcommands:
        console.print(usage_text(TUNNEL), err=bool(argv))
        return 1 if argv else 0
    sub, rest = argv[0], argv[1:]
    args = parse(rest, TUNNEL.subcommands[sub])
    if args.get("no-color"):
        console.color = False
    workdir = os.getcwd()
    opts = RunOptions(workdir=workdir, var_sources=list(args.var_sources),
                      input_enabled=False)
    config, variables, diags = load_configuration(opts)
    console.add_secrets_from(variables)
    if config is None or diags.has_errors:
        print_diagnostics(console, diags, config.files if config else {})
        return 1
    state = read_state(workdir, config)
    console.add_state_secrets(state)
    if state is None or state.empty:
        d = Diagnostics()
        d.error("No tunnels in state", "The state has no resources yet. Run vpnform apply "
                "first.")
        print_diagnostics(console, d, {})
        return 1
    providers, d = setup_providers(config, variables, workdir, state)
    try:
        if d.has_errors:
            print_diagnostics(console, d, config.files)
            return 1
        if sub == "monitor":
            return _monitor(console, providers, state, args)
        targets = _targets(args.positional, state, required=(sub != "status"))
        if sub == "status":
            return _status(console, providers, state, targets, bool(args.get("json")))
        if sub == "ping":
            return _ping(console, providers, state, targets[0], args.get("target"),
                         parse_int(args, "count", 3, minimum=1))
        vendor = args.get("vendor")
        if not vendor:
            raise UsageError("tunnel config needs -vendor=NAME, e.g. -vendor=strongswan")
        return _config(console, providers, state, targets[0], vendor, args.get("out"))
    finally:
        providers.close()


def _targets(positional: list[str], state, required: bool) -> list:
    if not positional:
        if required:
            raise UsageError("Give the tunnel's address, e.g. "
                             "vpnform tunnel ping tencentcloud_vpn_connection.tom")
        return [a for a, _, _ in state.instances()]
    out = []
    for text in positional:
        try:
            addr = parse_instance(text)
        except AddressError as err:
            raise UsageError(str(err)) from None
        if state.instance(addr) is None:
            raise UsageError(f"{addr} is not in the state. Run vpnform state list to see "
                             "what is.")
        out.append(addr)
    return out


def _provider_for(providers, state, addr):
    rs = state.resources[addr.resource]
    provider = providers.get(rs.provider)
    obj = rs.instances[addr.key]
    value = mark_paths(obj.attributes, [tuple(p) for p in obj.sensitive_paths])
    return (provider if isinstance(provider, TunnelProvider) else None), value


def _status(console: Console, providers, state, targets, as_json: bool) -> int:
    results = []
    diags = Diagnostics()
    for addr in targets:
        provider, value = _provider_for(providers, state, addr)
        if provider is None:
            continue
        status, d = provider.tunnel_status(addr.resource.type, value)
        diags.extend(d)
        if status is not None:
            results.append({"address": str(addr), **status})
    print_diagnostics(console, diags, {})
    if as_json:
        console.print_json(results, indent=2)
        return 1 if diags.has_errors else 0
    if not results:
        console.print("No tunnels with live status in this state.")
        return 1 if diags.has_errors else 0
    for st in results:
        console.print("\n".join(render_status(st)))
        console.print("")
    return 1 if diags.has_errors else 0


def _fmt_seconds(s) -> str:
    if s is None:
        return "-"
    s = int(s)
    return f"{s // 3600}h{s % 3600 // 60}m{s % 60}s" if s >= 3600 else (
        f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s")


def render_status(st: dict) -> list[str]:
    lines = [f"{st['address']}" + (f" ({st['id']})" if st.get("id") else "")]
    lines.append(f"  IKE SA:      {st.get('state', 'DOWN')}"
                 + (f", {st['ike_version']}" if st.get("ike_version") else "")
                 + (f", established {_fmt_seconds(st.get('established_seconds'))} ago"
                    if st.get("established_seconds") is not None else ""))
    if st.get("local") or st.get("remote"):
        lines.append(f"  endpoints:   {st.get('local') or '?'} <-> {st.get('remote') or '?'}")
    algs = st.get("algorithms") or {}
    if any(algs.values()):
        lines.append("  algorithms:  " + "/".join(str(algs[k]) for k in
                                                ("encryption", "integrity", "prf", "dh_group")
                                                if algs.get(k)))
    if st.get("error"):
        lines.append(f"  problem:     {st['error']}")
    for ch in st.get("children") or []:
        lines.append(f"  child {ch.get('name')}: {ch.get('state')}"
                     + (f", {ch.get('protocol')}" if ch.get("protocol") else "")
                     + (f" {ch.get('encryption')}" if ch.get("encryption") else "")
                     + (f"/{ch.get('integrity')}" if ch.get("integrity") else ""))
        if ch.get("local_ts") or ch.get("remote_ts"):
            lines.append(f"    traffic:   {', '.join(ch.get('local_ts') or [])} <-> "
                         f"{', '.join(ch.get('remote_ts') or [])}")
        lines.append(f"    in:        {ch.get('bytes_in', 0)} bytes, "
                     f"{ch.get('packets_in', 0)} packets")
        lines.append(f"    out:       {ch.get('bytes_out', 0)} bytes, "
                     f"{ch.get('packets_out', 0)} packets")
    return lines


def _ping(console: Console, providers, state, addr, target, count: int) -> int:
    provider, value = _provider_for(providers, state, addr)
    if provider is None:
        raise UsageError(f"The provider of {addr} cannot ping through its tunnels.")
    result, d = provider.tunnel_ping(addr.resource.type, value, target, count)
    print_diagnostics(console, d, {})
    if result is None:
        return 1
    rtts = result.get("rtts_ms") or []
    console.print(f"PING {result['target']} from {result.get('source', '?')} through {addr}: "
                  f"{result['received']}/{result['sent']} replies")
    if rtts:
        console.print(f"round-trip min/avg/max = {min(rtts):.3f}/{sum(rtts) / len(rtts):.3f}/"
                      f"{max(rtts):.3f} ms")
    ok = result["received"] > 0
    console.print("tunnel is passing traffic" if ok else "no reply: the tunnel is not "
                  "passing traffic (see vpnform tunnel status)")
    return 0 if ok else 1


def _config(console: Console, providers, state, addr, vendor: str, out: str | None) -> int:
    provider, value = _provider_for(providers, state, addr)
    if provider is None:
        raise UsageError(f"The provider of {addr} cannot render peer configurations.")
    text, d = provider.tunnel_config(addr.resource.type, value, vendor)
    print_diagnostics(console, d, {})
    if text is None:
        return 1
    # The device configuration is secret material asked for explicitly (like
    # `output -raw`): it carries the pre-shared key, so it bypasses redaction — written
    # 0600 with -out, or printed raw with a note on stderr.
    if out:
        write_private(out, text if text.endswith("\n") else text + "\n")
        console.print(f"Wrote the {vendor} configuration for {addr} to {out} (mode 0600; it "
                      "contains the pre-shared key).")
        return 0
    console.err.write("# note: this configuration contains the tunnel's pre-shared key\n")
    console.out.write(text if text.endswith("\n") else text + "\n")
    console.out.flush()
    return 0


def _monitor(console: Console, providers, state, args) -> int:
    import time

    from .. import charts
    period = parse_int(args, "period", 60, minimum=1)  # the cloud says which it keeps
    since = parse_duration(args, "since", 3600.0)
    if since <= 0:
        raise UsageError("-since must be a positive duration such as 30m or 6h")
    out = args.get("out")
    fmt = os.path.splitext(out)[1].lower().lstrip(".") if out else None
    if out and fmt not in charts.PICTURE_FORMATS:
        raise UsageError(f"-out must name a .svg or .png file, not {out}")
    metrics = [m.strip() for text in args.get("metric") or [] for m in text.split(",")
               if m.strip()] or None
    addr = _monitored(args.positional, state, providers)
    provider, value = _provider_for(providers, state, addr)
    if provider is None or not hasattr(provider, "tunnel_metrics"):
        raise UsageError(f"The provider of {addr} has no monitoring data for its tunnels.")
    end = time.time()
    series, d = provider.tunnel_metrics(addr.resource.type, value, metrics, period,
                                        end - since, end)
    print_diagnostics(console, d, {})
    if series is None:
        return 1
    title = f"{addr} ({value.get('id') if isinstance(value, dict) else ''}), {period} s points"
    if out:
        write_private(out, charts.picture(series, (end - since, end), fmt, title))
        console.print(f"Wrote {len(series)} metric chart(s) of {addr} to {out} (mode 0600).")
        return 0
    console.print(title)
    for s in series:
        if not s["timestamps"]:
            console.print(f"{s['metric']}: no samples in the last {args.get('since') or '1h'}")
            continue
        console.print(charts.terminal_chart(s, (end - since, end),
                                           color=console.color and console.out.isatty()))
    return 0


def _monitored(positional: list[str], state, providers):
    """The tunnel to monitor: the one named, else the state's only tunnel."""
    if len(positional) > 1:
        raise UsageError("tunnel monitor shows one tunnel; give one address")
    if positional:
        return _targets(positional, state, required=True)[0]
    def is_tunnel(addr) -> bool:
        provider = _provider_for(providers, state, addr)[0]
        return (hasattr(provider, "tunnel_metrics")
                and addr.resource.type in getattr(provider, "tunnel_types", ()))

    tunnels = [a for a, _, _ in state.instances() if is_tunnel(a)]
    if len(tunnels) != 1:
        raise UsageError("Give the tunnel's address, e.g. vpnform tunnel monitor "
                         "tencentcloud_vpn_connection.tom" + (
                             f" (the state has {len(tunnels)} tunnels)" if tunnels else ""))
    return tunnels[0]
