"""stvp-plot: figures (PNG and SVG) from sweep CSVs and training stats JSON.

  stvp-plot [--out DIR] [--title T] [--format png,svg] FILE...
  stvp-plot --table training|procrustes_study|cnn|cnn_vgg5 CSV [--commentary MD] [--out FILE.md]
  stvp-plot --table cnn CSV ... --splice training.md

A .csv is a sweep (stvp_explore --sweep, merged or old): NAME_speedup, NAME_energy_ratio,
NAME_energy, NAME_utilisation. A .json is a training run's stats (stvp --stats); all JSON
files given together make one figure, training.png/.svg (or --name). Prints the files written.
--table writes a training sweep's markdown result table instead (tables.py; stdout without --out).
--splice (with --table cnn) also rewrites the CNN's (vgg5p2's) rows in FILE (training.md) between their
markers; `--table training --out FILE` keeps that part of FILE as it is.
"""

import argparse
import os
import sys

from . import figures, tables


def save(fig, base, formats):
    out = []
    for fmt in formats:
        path = f"{base}.{fmt}"
        # Fixed metadata so that regenerating unchanged results gives the same files.
        meta = {"Date": None} if fmt == "svg" else ({"Software": None} if fmt == "png" else {})
        fig.savefig(path, dpi=110, bbox_inches="tight", metadata=meta)
        out.append(path)
    figures.plt.close(fig)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="stvp-plot", description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", metavar="FILE", help="sweep CSV or training stats JSON")
    p.add_argument("--out", help="output directory (default: next to each input)")
    p.add_argument("--title", help="title prefix of the sweep figures")
    p.add_argument("--format", default="png,svg", help="comma-separated: png, svg, pdf (default png,svg)")
    p.add_argument("--name", default="training", help="stem of the training figure (JSON inputs)")
    p.add_argument("--table", choices=sorted(tables.TABLES), help="write this result table (markdown) from one CSV")
    p.add_argument("--commentary", help="--table: markdown file appended to the table")
    p.add_argument("--splice", metavar="FILE", help="--table cnn: rewrite the CNN's rows in FILE (training.md)")
    a = p.parse_args(argv)
    if a.commentary and not a.table:
        p.error("--commentary: only with --table")
    if a.splice and a.table != "cnn":
        p.error("--splice: only with --table cnn")
    if a.table:
        return write_table(p, a)
    formats = [f for f in a.format.split(",") if f]
    bad = [f for f in formats if f not in ("png", "svg", "pdf")]
    if bad or not formats:
        p.error(f"--format: {','.join(bad) or 'empty'}: use png, svg or pdf")
    import matplotlib
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: small, searchable SVGs
    matplotlib.rcParams["svg.hashsalt"] = "stvp"
    written = []
    stats, names = [], []
    try:
        for f in a.files:
            if not os.path.isfile(f):
                raise ValueError(f"{f}: no such file")
            out_dir = a.out or os.path.dirname(f) or "."
            os.makedirs(out_dir, exist_ok=True)
            stem = os.path.splitext(os.path.basename(f))[0]
            if f.endswith(".json"):
                stats.append(figures.load_stats(f))
                names.append(stem)
                continue
            df = figures.load_sweep_csv(f)
            if df.empty:
                raise ValueError(f"{f}: no rows")
            for name, fig in figures.sweep_figures(df, a.title):
                written += save(fig, os.path.join(out_dir, f"{stem}_{name}"), formats)
        if stats:
            out_dir = a.out or os.path.dirname(a.files[0]) or "."
            written += save(figures.training_figure(stats, names), os.path.join(out_dir, a.name), formats)
    except (ValueError, OSError, KeyError) as e:
        print(f"stvp-plot: {e}", file=sys.stderr)
        return 2
    for w in written:
        print(w)
    return 0


def write_table(p, a):
    if len(a.files) != 1 or not a.files[0].endswith(".csv"):
        p.error("--table: give one CSV (the training sweep's merged results)")
    try:
        text = tables.write_table(a.table, a.files[0], a.commentary)
        if a.table == "training" and a.out:
            kept = tables.kept_section(a.out)
            text += "\n" + kept if kept else ""
        if a.splice:
            with open(a.splice) as f:
                spliced = tables.splice(f.read(), tables.cnn_section(a.files[0]))
        if a.out:
            with open(a.out, "w") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        if a.splice:
            with open(a.splice, "w") as f:
                f.write(spliced)
    except (ValueError, OSError, KeyError) as e:
        print(f"stvp-plot: {e}", file=sys.stderr)
        return 2
    for written in (a.out, a.splice):
        if written:
            print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
