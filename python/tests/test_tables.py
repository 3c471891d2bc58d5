"""stvp-plot --table: the markdown result tables made from a training sweep's merged CSV
(configs/sweeps/training.yaml, procrustes_study.yaml). Expected cells are written out by hand
from the numbers put into the CSV."""

import csv
import io
import os
import re
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
SRC = os.environ.get("STVP_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))

from stvp_plot import cli, tables  # noqa: E402


def write_csv(path, rows):
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, keys)
        w.writeheader()
        w.writerows(rows)


class TrainingTable(unittest.TestCase):
    def test_rows_against_the_dense_run(self):
        common = {"workload.network": "lenet300", "epoch_count": "5", "steps_per_epoch": "937", "batch": "64"}
        rows = [
            dict(common, id="d", **{"workload.mode": "dense", "mode": "0", "final_accuracy": "0.8813",
                                   "kept_fraction": "1.0", "sim_time_ns": "3313134000", "train_cycles": "1551000000",
                                   "train_energy_pj": "10143200000000", "host_seconds": "31.94"}),
            dict(common, id="p", **{"workload.mode": "procrustes", "workload.procrustes.budget": "0.2", "mode": "1",
                                   "final_accuracy": "0.878", "kept_fraction": "0.19934", "sim_time_ns": "3102267000",
                                   "train_cycles": "1410000000", "train_energy_pj": "5071600000000",
                                   "host_seconds": "99.5"}),
            dict(common, id="s", **{"workload.mode": "sparsetrain", "mode": "4", "final_accuracy": "0.8798",
                                   "kept_fraction": "1.0", "grad_zeros": "0.85071", "sim_time_ns": "3341907000",
                                   "train_cycles": "1551000000", "train_energy_pj": "20286400000000",
                                   "host_seconds": "96.66"}),
        ]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.csv")
            write_csv(path, rows)
            md = tables.training_table(path)
        lines = [l for l in md.splitlines() if l.startswith("| lenet300")]
        self.assertEqual(lines, [
            "| lenet300 | dense | 5 epochs x 937 steps | 88.13% | 1.0000 | - | 3.313134 s | 1.551e+09 | 10143.2 | "
            "1.00x | 1.00 | 31.9 s |",
            "| lenet300 | procrustes-20% | 5 epochs x 937 steps | 87.80% | 0.1993 | - | 3.102267 s | 1.410e+09 | "
            "5071.6 | 1.10x | 2.00 | 99.5 s |",
            "| lenet300 | sparsetrain | 5 epochs x 937 steps | 87.98% | 1.0000 | 0.8507 | 3.341907 s | 1.551e+09 | "
            "20286.4 | 1.00x | 0.50 | 96.7 s |",
        ])
        self.assertTrue(md.startswith("# Training results on the VP\n\nGenerated from `configs/sweeps/training.yaml`"))

    def test_a_network_without_a_dense_run_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.csv")
            write_csv(path, [{"id": "p", "workload.network": "lenet5", "mode": "1", "train_cycles": "1",
                              "train_energy_pj": "1"}])
            with self.assertRaisesRegex(ValueError, "no dense run of lenet5 to compare point p with"):
                tables.training_table(path)


def study_rows():
    """Every point of configs/sweeps/procrustes_study.yaml, with made-up results: point k has
    8000 + k correct test images of 10000 (dense: 8813, p10: 8693, p33: 8817, ...)."""
    with open(os.path.join(SRC, "configs", "sweeps", "procrustes_study.yaml")) as f:
        ids = re.findall(r"^  - \{id: (\w+),", f.read(), re.M)
    rows = []
    for k, i in enumerate(ids):
        correct = {"dense": 8813, "p10": 8693, "dense_s2": 8849, "p10_s2": 8710, "dense_s3": 8777,
                   "p10_s3": 8638, "p33": 8817}.get(i, 8000 + k)
        r = {"id": i, "final_correct": str(correct), "final_count": "10000", "kept_fraction": "0.0999",
             "diverged": "true" if i == "p10_lr4" else "false",
             "epochs.test_correct": "8442 8664", "epochs.test_count": "10000 10000",
             "tracked.layer": "1 2 3", "tracked.tracked": "14420 11350 830", "tracked.weights": "235200 30000 1000",
             "snapshot.layer": "1 2 3", "snapshot.since": "863 10176 0", "snapshot.tracked": "888 10176 0",
             "entered_after_snapshot": "61", "entered_per_step": "9.0"}
        rows.append(r)
    return ids, rows


class ProcrustesStudyTable(unittest.TestCase):
    def test_cells(self):
        ids, rows = study_rows()
        self.assertEqual(len(ids), 36)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "s.csv")
            write_csv(path, rows)
            md = tables.procrustes_study_table(path)
            study = tables.Study(path)
        self.assertIn("| 100% (dense) | 88.13% | - | 1.0000 | - |\n", md)
        self.assertIn("| 10% | 86.93% | -1.20 | 0.0999 | layer 1 14420/235200 (6.1%) layer 2 11350/30000 (37.8%) "
                      "layer 3 830/1000 (83.0%) |\n", md)
        self.assertIn("| 33% | 88.17% | +0.04 |", md)
        # seeds: (86.93 + 87.10 + 86.38 - 88.13 - 88.49 - 87.77) / 3 = -3.98 / 3 = -1.3267
        self.assertIn("| 2 | 88.49% | 87.10% | -1.39 |", md)
        self.assertRegex(md, r"\| mean \| \| \| -1\.33 \| \| [+-]\d+\.\d\d \|\n")
        self.assertIn("| dense | 5 | 84.42 / 86.64 | - | - |\n", md)
        self.assertIn("| Procrustes (the VP) | 20 | layer 1 863/888 (97%) layer 2 10176/10176 (100%) layer 3 0/0 (0%); "
                      "61 weights entered the set after it (9 per step) |\n", md)
        self.assertEqual(study.acc("p10_lr4"), f"{(8000 + ids.index('p10_lr4')) / 100:.2f}% (diverged)")
        self.assertTrue(md.startswith("# Procrustes at 10% of the weights: where the accuracy goes\n"))

    def test_a_missing_point_is_named(self):
        ids, rows = study_rows()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "s.csv")
            write_csv(path, [r for r in rows if r["id"] != "topk_layer"])
            with self.assertRaisesRegex(ValueError, "no point with id topk_layer"):
                tables.procrustes_study_table(path)


class Command(unittest.TestCase):
    def test_table_with_commentary_to_a_file(self):
        ids, rows = study_rows()
        with tempfile.TemporaryDirectory() as d:
            path, note, out = os.path.join(d, "s.csv"), os.path.join(d, "c.md"), os.path.join(d, "o.md")
            write_csv(path, rows)
            with open(note, "w") as f:
                f.write("## Commentary\n\ntext\n")
            with redirect_stdout(io.StringIO()):
                self.assertEqual(cli.main(["--table", "procrustes_study", path, "--commentary", note, "--out", out]), 0)
            with open(out) as f:
                text = f.read()
        self.assertTrue(text.endswith(" |\n\n## Commentary\n\ntext\n"), text[-200:])

    def test_bad_table_input_is_refused(self):
        err = io.StringIO()
        with redirect_stderr(err), redirect_stdout(io.StringIO()):
            self.assertEqual(cli.main(["--table", "training", "/no/such.csv"]), 2)
        self.assertIn("stvp-plot: ", err.getvalue())
        with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            cli.main(["--table", "training", "a.json"])
        with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            cli.main(["--commentary", "c.md", "a.csv"])


if __name__ == "__main__":
    unittest.main()
