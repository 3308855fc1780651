"""Label-distribution figure from trisec.release.stats.layer_counts (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLS = 2


def figure(counts: dict[str, dict[str, int]]) -> Any:
    """One horizontal bar chart per layer, most frequent value on top; empty layers say so."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, works without a display
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    layers = list(counts)
    rows = max(1, -(-len(layers) // COLS))
    heights = [max(2.0, 0.28 * max((len(counts[t]) for t in layers[r * COLS:(r + 1) * COLS]),
                                   default=1) + 1.0) for r in range(rows)]
    fig, axes = plt.subplots(rows, COLS, figsize=(11, sum(heights)), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, title in zip(axes.flat, layers, strict=False):
        items = list(counts[title].items())
        ax.set_title(f"{title} ({sum(n for _, n in items)})", fontsize=10, loc="left")
        if not items:
            ax.text(0.5, 0.5, "no gold annotations", ha="center", va="center",
                    transform=ax.transAxes, color="#999")
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        labels = [k for k, _ in items][::-1]
        values = [n for _, n in items][::-1]
        bars = ax.barh(labels, values, color="#4c78a8")
        ax.bar_label(bars, padding=2, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts, not fractions
        ax.set_xlim(0, max(values) * 1.15)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in list(axes.flat)[len(layers):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def write_plot(counts: dict[str, dict[str, int]], out: Path) -> Path:
    import matplotlib.pyplot as plt

    fig = figure(counts)
    out.parent.mkdir(parents=True, exist_ok=True)
    # no timestamp in the PNG, so an unchanged release gives the same file
    fig.savefig(out, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return out
