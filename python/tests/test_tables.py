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


VGG5_POINTS = tables.CNN_STUDIES["cnn_vgg5"].points


def cnn_rows(ids):
    """Points of configs/sweeps/cnn_vgg5.yaml (a superset of cnn.yaml's) with made-up results: dense seed s has 9150 + 2 s correct
    of 10000 (91.52%, 91.54%, ...), every other point 9000 + its position in the sweep."""
    rows = []
    for i in ids:
        kinds = {"dense": "0", "procrustes10": "1", "nm2of8": "2", "nm2of8_master": "2"}
        mode, seed = kinds.get(i.rsplit("_", 1)[0], "4"), i[-1]
        acc = (9150 + 2 * int(seed)) if mode == "0" else 9000 + VGG5_POINTS.index(i)
        r = {"id": i, "workload.mode": "x", "workload.seed": seed, "mode": mode, "epoch_count": "12",
             "steps_per_epoch": "937", "final_accuracy": str(acc / 10000), "epochs.test_accuracy": "0.86 " + str(acc / 10000),
             "kept_fraction": "1.0" if mode == "0" else "0.25", "sim_time_ns": "60000000000",
             "train_cycles": "2000000000" if mode == "0" else "1000000000",
             "train_energy_pj": "100000000000" if mode == "0" else "25000000000", "host_seconds": "900.4"}
        if mode == "1":
            r["workload.procrustes.budget"] = "0.1"
        if mode == "2":
            r["workload.nm.n"], r["workload.nm.m"] = "2", "8"
            r["workload.nm.backward"] = "master" if "master" in i else "forward"
        if mode == "4":
            r["grad_zeros"] = "0.85071"
        rows.append(r)
    return rows


class CnnTable(unittest.TestCase):
    def test_the_sweep_files_and_the_tables_name_the_same_points(self):
        for sweep, study in tables.CNN_STUDIES.items():
            with open(os.path.join(SRC, "configs", "sweeps", sweep + ".yaml")) as f:
                text = f.read()
            self.assertEqual(re.findall(r"^  - \{id: (\w+),", text, re.M), study.points, sweep)
            with open(os.path.join(SRC, "configs", "train", study.network + "_dense.yaml")) as f:
                self.assertIn(f"network: {study.network}\n", f.read())
            self.assertIn(f"preset: ../train/{study.network}_dense.yaml\n", text)

    def test_rows_seeds_and_what_did_not_run(self):
        ids = ["dense_s1", "procrustes10_s1", "nm2of8_s1", "dense_s2", "procrustes10_s2", "nm2of8_master_s1"]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.csv")
            write_csv(path, cnn_rows(ids))
            md = tables.cnn_table(path, "cnn_vgg5")
            write_csv(path, [r for r in cnn_rows(ids) if r["id"] != "nm2of8_master_s1"])
            section = tables.cnn_section(path)
        self.assertIn("| dense_s1 | dense | 1 | 91.52% | - | 1.0000 | - | 86.00 / 91.52 | 2.000e+09 | 100.0 | "
                      "1.00x | 1.00 | 900 s |\n", md)
        # procrustes10_s1: 9001 correct; 90.01 - 91.52 = -1.51; half the cycles, a quarter of the energy.
        self.assertIn("| procrustes10_s1 | procrustes-10% | 1 | 90.01% | -1.51 | 0.2500 | - | 86.00 / 90.01 | "
                      "1.000e+09 | 25.0 | 2.00x | 4.00 | 900 s |\n", md)
        self.assertIn("| nm2of8_s1 | nm 2:8 bwd-fwd | 1 | 90.02% | -1.50 |", md)
        self.assertIn("| nm2of8_master_s1 | nm 2:8 bwd-W | 1 | 90.14% | -1.38 |", md)
        # seed 2 against its own dense run: 90.05 - 91.54 = -1.49; mean (-1.51 - 1.49) / 2 = -1.50
        self.assertIn("| 2 | 91.54% | 90.05% | -1.49 | not run | - | not run | - |\n"
                      "| 3 | not run | not run | - | not run | - | not run | - |\n"
                      "| mean | | 2 seeds | -1.50 | 1 seed | -1.50 | - | - |", md)
        self.assertIn("Not run (no result in the CSV): sparsetrain90_s1, dense_s3, procrustes10_s3, procrustes5_s1,", md)
        self.assertTrue(md.startswith("# vgg5: the first VGG-style CNN trained on the VP"))
        # training.md's rows: the training table's columns, the seed named when it is not 1.
        self.assertIn("| vgg5p2 | procrustes-10% (seed 2) | 12 epochs x 937 steps | 90.05% | 0.2500 | - | 60.000000 s | "
                      "1.000e+09 | 25.0 | 2.00x | 4.00 | 900.4 s |", section)
        self.assertTrue(section.startswith(tables.CNN_SECTION_BEGIN) and section.endswith(tables.CNN_SECTION_END + "\n"))
        self.assertIn("\nNot run: sparsetrain90_s1, dense_s3,", section)

    def test_unknown_points_and_no_dense_run_are_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "c.csv")
            write_csv(path, cnn_rows(["dense_s1"]) + [dict(cnn_rows(["nm2of8_s1"])[0], id="nm3of8")])
            with self.assertRaisesRegex(ValueError, "point nm3of8 is not one of configs/sweeps/cnn.yaml's"):
                tables.cnn_table(path)
            # vgg5's BDWP-as-first-modelled point is not one of vgg5p2's
            write_csv(path, cnn_rows(["dense_s1", "nm2of8_master_s1"]))
            with self.assertRaisesRegex(ValueError, "point nm2of8_master_s1 is not one of configs/sweeps/cnn.yaml's"):
                tables.cnn_section(path)
            self.assertIn("| nm2of8_master_s1 |", tables.cnn_table(path, "cnn_vgg5"))
            write_csv(path, cnn_rows(["procrustes10_s1"]))
            with self.assertRaisesRegex(ValueError, "no point dense_s1"):
                tables.cnn_table(path)

    def test_splice_replaces_only_the_marked_part(self):
        sec = lambda body: f"{tables.CNN_SECTION_BEGIN}\n{body}\n{tables.CNN_SECTION_END}\n"  # noqa: E731
        self.assertEqual(tables.splice("# T\n\ntext\n", sec("a")), "# T\n\ntext\n\n" + sec("a"))
        self.assertEqual(tables.splice("# T\n\n" + sec("a") + "\nafter\n", sec("b")), "# T\n\n" + sec("b") + "after\n")


class Command(unittest.TestCase):
    def test_cnn_splices_training_md_and_training_keeps_it(self):
        with tempfile.TemporaryDirectory() as d:
            cnn, train, md, out = (os.path.join(d, n) for n in ("c.csv", "t.csv", "training.md", "cnn.md"))
            write_csv(cnn, cnn_rows(["dense_s1", "procrustes10_s1"]))
            write_csv(train, [{"id": "d", "workload.network": "lenet300", "mode": "0", "epoch_count": "5",
                               "steps_per_epoch": "937", "final_accuracy": "0.8813", "kept_fraction": "1.0",
                               "sim_time_ns": "3313134000", "train_cycles": "1551000000",
                               "train_energy_pj": "10143200000000", "host_seconds": "31.94"}])
            with redirect_stdout(io.StringIO()):
                self.assertEqual(cli.main(["--table", "training", train, "--out", md]), 0)
                with open(md) as f:
                    lenet_only = f.read()
                self.assertEqual(cli.main(["--table", "cnn", cnn, "--out", out, "--splice", md]), 0)
                with open(md) as f:
                    spliced = f.read()
                self.assertEqual(cli.main(["--table", "training", train, "--out", md]), 0)
                with open(md) as f:
                    again = f.read()
            with open(out) as f:
                self.assertTrue(f.read().startswith("# vgg5p2"))
        self.assertNotIn("vgg5", lenet_only)
        self.assertTrue(spliced.startswith(lenet_only))
        self.assertIn("| vgg5p2 | procrustes-10% | 12 epochs x 937 steps | 90.01% |", spliced)
        self.assertEqual(again, spliced)  # train_results keeps the CNN's rows


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
        with redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            cli.main(["--table", "training", "a.csv", "--splice", "t.md"])


if __name__ == "__main__":
    unittest.main()
