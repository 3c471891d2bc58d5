"""Turning sweep CSVs and stats JSON into matplotlib figures (no files written here)."""

import json
import math
import re

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# The summary columns of a sweep point (platform/explore/estimate_io.h): results, not inputs.
METRICS = [
    "cycles", "dense_cycles", "seconds", "speedup", "energy_uj", "dense_energy_uj", "energy_ratio",
    "pe_uj", "rf_uj", "gb_uj", "dram_uj", "sparse_uj", "utilisation", "dense_utilisation",
]
ENERGY_PARTS = [("pe_uj", "PE (MACs)"), ("rf_uj", "register files"), ("gb_uj", "global buffer"),
                ("dram_uj", "DRAM"), ("sparse_uj", "sparse units")]
PRETTY = {
    "speedup": "speedup vs dense (same array)",
    "energy_ratio": "energy ratio (dense / sparse)",
    "utilisation": "MAC utilisation",
    "density": "density of the exploited operand",
    "weight_density": "weight density",
    "act_density": "activation density",
    "prune_rate": "gradient prune rate",
    "accel.rows": "PE rows",
    "accel.cols": "PE columns",
    "accel.gb_bytes": "global buffer (bytes)",
    "accel.gb_bytes_per_cycle": "GB port (B/cycle)",
    "dram.bandwidth_gbps": "DRAM bandwidth (GB/s)",
    "batch": "batch",
}

SHORT = {"speedup": "speedup", "energy_ratio": "energy ratio", "density": "density",
         "dram.bandwidth_gbps": "DRAM bandwidth"}


def pretty(col):
    return PRETTY.get(col, col)


def load_sweep_csv(path):
    """A sweep CSV as a DataFrame. Old files named a grid key twice (pandas reads the second
    as 'key.1'); such duplicates are dropped when they hold the same values."""
    df = pd.read_csv(path)
    for col in list(df.columns):
        m = re.fullmatch(r"(.+)\.(\d+)", col)
        if m and m.group(1) in df.columns and df[m.group(1)].astype(str).equals(df[col].astype(str)):
            df = df.drop(columns=col)
    missing = [c for c in ("speedup", "energy_ratio") if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: not a sweep CSV (no column {', '.join(missing)})")
    return df


def varying_inputs(df):
    """Input columns (not metrics) with more than one value, in column order."""
    return [c for c in df.columns if c not in METRICS and df[c].nunique() > 1]


def _numeric(series):
    return pd.to_numeric(series, errors="coerce").notna().all()


def choose_axes(df):
    """(x, series columns): x is the numeric varying input with the most values (None if
    there is none); the other varying inputs name the series."""
    var = varying_inputs(df)
    numeric = [c for c in var if _numeric(df[c])]
    if not numeric:
        return None, var
    x = max(numeric, key=lambda c: (df[c].nunique(), -var.index(c)))
    return x, [c for c in var if c != x]


def log2_axis(values):
    """True if positive values spanning at least a factor 4 (densities 1..1/8, bandwidths)."""
    v = [float(x) for x in values]
    return min(v) > 0 and max(v) / min(v) >= 4


def series_label(cols, key):
    if not isinstance(key, tuple):
        key = (key,)
    parts = []
    for c, v in zip(cols, key):
        parts.append(str(v) if c == "scheme" else f"{pretty(c)} {v}")
    return ", ".join(parts)


def _fmt_tick(v):
    return f"{v:g}" if v >= 0.01 else f"{v:.0e}"


def _title(df, base, what):
    fixed = []
    for c in ("network", "batch"):
        if c in df.columns and df[c].nunique() == 1:
            fixed.append(f"{c} {df[c].iloc[0]}" if c == "batch" else str(df[c].iloc[0]))
    head = base or ", ".join(fixed)
    return f"{head}: {what}" if head else what


def line_figure(df, y, title=None):
    """One curve per series of y against x, log2 x where it spans powers of two, and the dense
    reference y = 1 as a legend entry (no text on the plot to collide with points)."""
    x, series = choose_axes(df)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    if x is None:  # nothing numeric varies: one point per row along an index
        df = df.reset_index(drop=True)
        df["point"] = df.index
        x = "point"
    if not series:
        groups = [(None, df)]
    elif len(series) == 1:
        groups = df.groupby(series[0], sort=False)
    else:
        groups = df.groupby(series, sort=False)
    for key, g in groups:
        g = g.assign(_x=pd.to_numeric(g[x])).sort_values("_x")
        label = series_label(series, key) if series else pretty(y)
        ax.plot(g["_x"], g[y], marker="o", label=label)
    ax.axhline(1.0, color="black", linestyle="--", linewidth=1, label="dense (= 1)")
    xs = sorted(pd.to_numeric(df[x]).unique())
    if log2_axis(xs):
        ax.set_xscale("log", base=2)
        ax.set_xticks(xs)
        ax.set_xticklabels([_fmt_tick(v) for v in xs])
        ax.minorticks_off()
    ax.set_xlabel(pretty(x))
    ax.set_ylabel(pretty(y))
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.set_title(_title(df, title, f"{SHORT.get(y, y)} vs {SHORT.get(x, pretty(x))}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=9)
    fig.tight_layout()
    return fig


def _bar_labels(df):
    var = varying_inputs(df)
    if not var:
        return [str(i) for i in range(len(df))], "point"
    labels = [" ".join(str(r[c]) for c in var) for _, r in df.iterrows()]
    return labels, ", ".join(pretty(c) for c in var)


def energy_figure(df, title=None):
    """Stacked energy per point (mJ) by component, the dense run's total as a reference mark."""
    labels, xlabel = _bar_labels(df)
    fig, ax = plt.subplots(figsize=(max(7.5, 0.55 * len(df) + 3), 4.8))
    pos = list(range(len(df)))
    bottom = [0.0] * len(df)
    for col, name in ENERGY_PARTS:
        if col not in df.columns:
            continue
        vals = [v * 1e-3 for v in df[col]]
        ax.bar(pos, vals, bottom=bottom, label=name, width=0.7)
        bottom = [b + v for b, v in zip(bottom, vals)]
    if "dense_energy_uj" in df.columns:
        ax.scatter(pos, [v * 1e-3 for v in df["dense_energy_uj"]], marker="_", s=400, color="black",
                   linewidths=2, zorder=3, label="dense (same array)")
    ax.set_xticks(pos)
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_xlabel(xlabel)
    top = max(bottom + ([v * 1e-3 for v in df["dense_energy_uj"]] if "dense_energy_uj" in df.columns else []))
    ax.set_ylim(0, top * 1.08)  # room for the dense marks
    ax.set_ylabel("energy per iteration (mJ)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_title(_title(df, title, "energy per iteration"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=9)
    fig.tight_layout()
    return fig


def bar_figure(df, y, reference=None, title=None):
    """y per point as bars, the dense run's value (column `reference`) as a mark."""
    labels, xlabel = _bar_labels(df)
    fig, ax = plt.subplots(figsize=(max(7.5, 0.55 * len(df) + 3), 4.8))
    pos = list(range(len(df)))
    ax.bar(pos, df[y], width=0.7, label=pretty(y))
    if reference and reference in df.columns:
        ax.scatter(pos, df[reference], marker="_", s=400, color="black", linewidths=2, zorder=3,
                   label="dense (same array)")
    ax.set_xticks(pos)
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(pretty(y))
    top = max(list(df[y]) + (list(df[reference]) if reference and reference in df.columns else []))
    ax.set_ylim(0, top * 1.08)
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_title(_title(df, title, pretty(y)))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=9)
    fig.tight_layout()
    return fig


def sweep_figures(df, title=None):
    """[(name, figure)] for a sweep: speedup, energy_ratio, energy, utilisation."""
    figs = [("speedup", line_figure(df, "speedup", title)),
            ("energy_ratio", line_figure(df, "energy_ratio", title))]
    if all(c in df.columns for c, _ in ENERGY_PARTS):
        figs.append(("energy", energy_figure(df, title)))
    if "utilisation" in df.columns:
        figs.append(("utilisation", bar_figure(df, "utilisation", "dense_utilisation", title)))
    return figs


def load_stats(path):
    with open(path) as f:
        stats = json.load(f)
    if "training" not in stats or not stats["training"].get("epochs"):
        raise ValueError(f"{path}: no training results (the stats of a training run have a 'training' block)")
    return stats


def training_figure(stats_list, names):
    """Test accuracy and training loss per epoch of one or more training runs (stats JSON)."""
    fig, (acc, loss) = plt.subplots(1, 2, figsize=(10, 4))
    for stats, name in zip(stats_list, names):
        ep = stats["training"]["epochs"]
        e = [r["epoch"] for r in ep]
        acc.plot(e, [100 * r.get("test_accuracy", math.nan) for r in ep], marker="o", label=name)
        loss.plot(e, [r.get("train_loss", math.nan) for r in ep], marker="o", label=name)
    acc.set_xlabel("epoch")
    acc.set_ylabel("test accuracy (%)")
    loss.set_xlabel("epoch")
    loss.set_ylabel("training loss (epoch mean)")
    for ax in (acc, loss):
        ax.grid(True, alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
    acc.legend(fontsize=9)
    fig.tight_layout()
    return fig
