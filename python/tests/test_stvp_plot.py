"""stvp-plot on every shipped sweep CSV: the figures carry the CSV's numbers, log2 density
axes, a dense reference, complete legends; old CSVs (a column named twice) still plot; bad
input is refused with a message. Run: python3 -m unittest discover -s python/tests
(STVP_SOURCE_DIR = the repository; default: two levels up)."""

import glob
import io
import os
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
SRC = os.environ.get("STVP_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))

from stvp_plot import cli, figures  # noqa: E402

SHIPPED = sorted(glob.glob(os.path.join(SRC, "configs", "results", "**", "*.csv"), recursive=True))


def legend_texts(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


class ShippedSweeps(unittest.TestCase):
    def test_there_are_shipped_sweeps(self):
        self.assertGreaterEqual(len(SHIPPED), 2, SHIPPED)

    def test_line_figures_carry_the_csv_values(self):
        for path in SHIPPED:
            df = figures.load_sweep_csv(path)
            x, series = figures.choose_axes(df)
            self.assertIsNotNone(x, path)
            for name, fig in figures.sweep_figures(df):
                if name not in ("speedup", "energy_ratio"):
                    continue
                ax = fig.axes[0]
                curves = [l for l in ax.get_lines() if l.get_label() != "dense (= 1)"]
                dense = [l for l in ax.get_lines() if l.get_label() == "dense (= 1)"]
                self.assertEqual(len(dense), 1, f"{path} {name}: a dense reference")
                self.assertEqual(list(dense[0].get_ydata()), [1.0, 1.0])
                groups = df.groupby(series[0] if len(series) == 1 else series, sort=False) if series else [(None, df)]
                self.assertEqual(len(curves), len(list(groups)), f"{path} {name}")
                for line, (key, g) in zip(curves, groups):
                    g = g.assign(_x=g[x].astype(float)).sort_values("_x")
                    self.assertEqual(list(line.get_xdata()), list(g["_x"]), f"{path} {name} {key}")
                    self.assertEqual(list(line.get_ydata()), list(g[name]), f"{path} {name} {key}")
                    self.assertEqual(line.get_label(), figures.series_label(series, key))
                xs = sorted(df[x].astype(float).unique())
                if max(xs) / min(xs) >= 4:
                    self.assertEqual(ax.get_xscale(), "log", f"{path}: log2 axis")
                    self.assertEqual([float(t) for t in ax.get_xticks()], xs)
                figures.plt.close(fig)

    def test_bar_figures_carry_the_csv_values_and_the_dense_reference(self):
        for path in SHIPPED:
            df = figures.load_sweep_csv(path)
            for name, fig in figures.sweep_figures(df):
                ax = fig.axes[0]
                if name == "utilisation":
                    heights = [p.get_height() for p in ax.patches]
                    self.assertEqual(heights, list(df["utilisation"]), path)
                    ref = ax.collections[0].get_offsets()[:, 1]
                    self.assertEqual(list(ref), list(df["dense_utilisation"]), path)
                elif name == "energy":
                    total = [0.0] * len(df)
                    for i, p in enumerate(ax.patches):
                        total[i % len(df)] += p.get_height()
                    want = (df[["pe_uj", "rf_uj", "gb_uj", "dram_uj", "sparse_uj"]].sum(axis=1) * 1e-3).tolist()
                    for a, b in zip(total, want):
                        self.assertAlmostEqual(a, b, places=6, msg=path)
                    ref = ax.collections[0].get_offsets()[:, 1]
                    self.assertEqual([round(v, 9) for v in ref], [round(v * 1e-3, 9) for v in df["dense_energy_uj"]])
                    self.assertLessEqual(max(ref), ax.get_ylim()[1], f"{path}: dense marks inside the axes")
                figures.plt.close(fig)

    def test_legends_name_every_series_in_full(self):
        mem = [p for p in SHIPPED if os.path.basename(p) == "memory.csv"]
        self.assertTrue(mem)
        df = figures.load_sweep_csv(mem[0])
        fig = figures.line_figure(df, "speedup")
        texts = legend_texts(fig)
        for v in ("128", "512", "4096"):
            self.assertIn(f"GB port (B/cycle) {v}", texts)
        # The legend lies inside the saved figure (bbox_inches="tight" in cli.save).
        fig.canvas.draw()
        leg = fig.axes[0].get_legend().get_window_extent()
        tight = fig.get_tightbbox(fig.canvas.get_renderer())
        self.assertLessEqual(leg.x1 / fig.dpi, tight.x1 + 1e-6)
        figures.plt.close(fig)


class OldAndBadInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def test_old_csv_with_a_column_named_twice_plots(self):
        head = ("scheme,density,network,scheme,batch,cycles,dense_cycles,seconds,speedup,energy_uj,dense_energy_uj,"
                "energy_ratio,pe_uj,rf_uj,gb_uj,dram_uj,sparse_uj,utilisation,dense_utilisation\n")
        rows = "".join(f"nm,{d},vgg_s,nm,16,1,2,0.1,{s},5,6,{s},1,1,1,1,1,0.5,0.6\n" for d, s in ((1.0, 1.1), (0.5, 1.5)))
        path = os.path.join(self.tmp, "old.csv")
        with open(path, "w") as f:
            f.write(head + rows)
        df = figures.load_sweep_csv(path)
        self.assertEqual(list(df.columns).count("scheme"), 1)
        self.assertNotIn("scheme.1", df.columns)
        out = io.StringIO()
        with redirect_stdout(out):
            self.assertEqual(cli.main(["--out", self.tmp, "--format", "png", path]), 0)
        files = out.getvalue().split()
        self.assertEqual([os.path.basename(f) for f in files],
                         ["old_speedup.png", "old_energy_ratio.png", "old_energy.png", "old_utilisation.png"])
        for f in files:
            with open(f, "rb") as fh:
                self.assertEqual(fh.read(8), b"\x89PNG\r\n\x1a\n")

    def test_bad_input_is_refused_with_a_message(self):
        notsweep = os.path.join(self.tmp, "x.csv")
        with open(notsweep, "w") as f:
            f.write("a,b\n1,2\n")
        for args, msg in (([notsweep], "not a sweep CSV"), ([os.path.join(self.tmp, "none.csv")], "no such file"),
                          (["--format", "gif", notsweep], "--format")):
            err = io.StringIO()
            with redirect_stderr(err):
                try:
                    code = cli.main(args)
                except SystemExit as e:  # argparse errors
                    code = e.code
            self.assertEqual(code, 2, args)
            self.assertIn(msg, err.getvalue())

    def test_training_stats_figure(self):
        stats = os.path.join(self.tmp, "run.json")
        with open(stats, "w") as f:
            f.write('{"training": {"epochs": [{"epoch": 1, "train_loss": 0.9, "test_accuracy": 0.8},'
                    ' {"epoch": 2, "train_loss": 0.5, "test_accuracy": 0.85}], "final_accuracy": 0.85}}')
        fig = figures.training_figure([figures.load_stats(stats)], ["run"])
        acc = fig.axes[0].get_lines()[0]
        self.assertEqual(list(acc.get_xdata()), [1, 2])
        self.assertEqual(list(acc.get_ydata()), [80.0, 85.0])
        figures.plt.close(fig)
        nostats = os.path.join(self.tmp, "hello.json")
        with open(nostats, "w") as f:
            f.write('{"run": {}}')
        with self.assertRaises(ValueError):
            figures.load_stats(nostats)


class Command(unittest.TestCase):
    def test_stvp_plot_command_renders_every_shipped_csv(self):
        exe = os.environ.get("STVP_PLOT")
        if not exe:
            self.skipTest("STVP_PLOT (the built stvp-plot command) not set")
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run([exe, "--out", tmp] + SHIPPED, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            files = r.stdout.split()
            self.assertEqual(len(files), 8 * len(SHIPPED))
            for f in files:
                self.assertGreater(os.path.getsize(f), 1000, f)


if __name__ == "__main__":
    unittest.main()
