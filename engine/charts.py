"""Charts of metric series over time (``vpnform tunnel monitor``, the served cloud's web
console): in the terminal with plotext, as an SVG or PNG picture with matplotlib (Agg
backend, no display needed). A plain library: it imports nothing of the engine, so a
provider may use it too.

A series is {"metric", "unit", "period", "timestamps": [Unix seconds], "values": [...]}.
"""

from __future__ import annotations

import io
import time

PICTURE_FORMATS = ("svg", "png")


def _label(series: dict) -> str:
    return f"{series['metric']} ({series['unit']})" if series.get("unit") else series["metric"]


def _ticks(start: float, end: float, n: int = 5) -> list[float]:
    return [start + (end - start) * i / (n - 1) for i in range(n)]


def terminal_chart(series: dict, window: tuple[float, float], *, width: int = 78,
                   height: int = 12, color: bool = False) -> str:
    """One series as a line chart in text over ``window`` (Unix seconds): title, time
    axis (local HH:MM) and value axis."""
    import plotext as plt
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.title(_label(series))
    plt.plot(series["timestamps"], series["values"], marker="dot")
    plt.xlim(*window)
    ticks = _ticks(*window)
    plt.xticks(ticks, [time.strftime("%H:%M", time.localtime(t)) for t in ticks])
    plt.xlabel("time")
    plt.ylabel(series.get("unit") or "value")
    text = plt.build()
    plt.clear_figure()
    return text if color else plt.uncolorize(text)


def picture(all_series: list[dict], window: tuple[float, float], fmt: str, title: str) -> bytes:
    """Every series as one stacked chart each over ``window``, in ``fmt`` (svg or png)."""
    import matplotlib
    matplotlib.use("Agg")
    from datetime import datetime

    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 2.2 * max(1, len(all_series))), layout="constrained")
    axes = fig.subplots(max(1, len(all_series)), 1, squeeze=False)[:, 0]
    for ax, s in zip(axes, all_series):
        xs = [datetime.fromtimestamp(t) for t in s["timestamps"]]
        ax.plot(xs, s["values"], marker=".", linewidth=1.2)
        ax.set_ylabel(s.get("unit") or "")
        ax.set_title(_label(s), fontsize=10, loc="left")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
        ax.set_xlim(datetime.fromtimestamp(window[0]), datetime.fromtimestamp(window[1]))
        ax.grid(True, alpha=0.3)
        if not xs:
            ax.text(0.5, 0.5, "no samples in this range", ha="center", va="center",
                    transform=ax.transAxes)
    axes[-1].set_xlabel("time")
    fig.suptitle(title, fontsize=11)
    buf = io.BytesIO()
    # svg: no creation date, so the same data gives the same file
    fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()
