"""Markdown result tables from the merged CSVs of the training sweeps.

  stvp-plot --table training CSV [--commentary MD] [--out FILE.md]
  stvp-plot --table procrustes_study CSV [--commentary MD] [--out FILE.md]
  stvp-plot --table cnn CSV [--commentary MD] [--out FILE.md] [--splice training.md]

The CSV is what `stvp_explore --sweep configs/sweeps/{training,procrustes_study,cnn}.yaml` merges:
the point keys (id, workload.*, args), host_seconds, and the flattened `training` blocks of the
runs (platform/explore/sweep_training.h; lists of per-epoch or per-layer records hold their
values separated by spaces). Numbers are formatted as the printed tables always were.
"""

import csv

# train_defs.h's mode bits, as the stats' training.mode holds them.
MODES = ["dense", "procrustes", "nm", "procrustes+nm", "sparsetrain", "procrustes+sparsetrain",
         "nm+sparsetrain", "procrustes+nm+sparsetrain"]


def load_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{path}: no rows")
    return rows


def need(row, key, path):
    v = row.get(key, "")
    if v == "":
        raise ValueError(f"{path}: point {row.get('id', '?')}: no '{key}' (not a training sweep's CSV?)")
    return v


def ints(text):
    return [int(x) for x in text.split()] if text else []


# ---- configs/results/training.md (configs/sweeps/training.yaml, program stvp) ----

TRAINING_HEAD = """# Training results on the VP

Generated from `configs/sweeps/training.yaml` (`cmake --build build --target train_results`) on
the default platform configuration, full Fashion-MNIST training split, batch 64, lr 0.1 x 0.8
per epoch, seed 1; N:M is 2:4 and SparseTrain p = 0.9 (train_defs.h defaults), Procrustes keeps
10% of the weights (procrustes-20%: workload.procrustes.budget = 0.2); logs and stats
under build/results_training/ (the table reads the stats files' `training` blocks). Cycles and energy are the accelerator's over the training
steps (evaluation excluded); speedup and energy ratio are the dense run's training cycles /
energy over this run's, same network and schedule. Weights kept: Procrustes the last step's
tracked count, N:M the forward copies' weights. Grad zeros: fraction of the pruned output
gradients that are zero after GRAD_PRUNE. Host wall time is the whole stvp run (two runs shared
the 2-core host).

| network | mode | schedule | test accuracy | weights kept | grad zeros | simulated time | training cycles | training energy (mJ) | speedup vs dense | energy ratio (dense/this) | host wall |
|---|---|---|---|---|---|---|---|---|---|---|---|
"""


def mode_label(r):
    """procrustes-20% for a budget, nm 2:8 for a pattern (nm 2:8 bwd-fwd / bwd-W where the run
    names workload.nm.backward: the backward copy pruned from the forward copy / from W), else
    the mode's name."""
    mode = MODES[int(r["mode"]) % 8]
    budget = r.get("workload.procrustes.budget", "")
    if budget:
        mode = mode.replace("procrustes", f"procrustes-{round(100 * float(budget))}%")
    if r.get("workload.nm.n", "") and "nm" in mode:
        backward = {"forward": " bwd-fwd", "master": " bwd-W"}.get(r.get("workload.nm.backward", ""), "")
        mode = mode.replace("nm", f"nm {r['workload.nm.n']}:{r['workload.nm.m']}{backward}")
    return mode


def training_rows(rows, path, network=None):
    """configs/results/training.md's rows, each against the first dense run of its network.
    `network`: the network of rows without a workload.network column (one preset's sweep)."""
    net_of = lambda r: r.get("workload.network") or network or need(r, "workload.network", path)  # noqa: E731
    dense = {}
    for r in rows:
        if int(need(r, "mode", path)) == 0:
            dense.setdefault(net_of(r), r)
    out = []
    for r in rows:
        net = net_of(r)
        if net not in dense:
            raise ValueError(f"{path}: no dense run of {net} to compare point {r.get('id', '?')} with")
        d = dense[net]
        mode = mode_label(r)
        if r.get("workload.seed", "") not in ("", "1"):
            mode += f" (seed {r['workload.seed']})"
        gz = r.get("grad_zeros", "")
        cycles, energy = float(need(r, "train_cycles", path)), float(need(r, "train_energy_pj", path))
        out.append(
            f"| {net} | {mode} | {need(r, 'epoch_count', path)} epochs x {need(r, 'steps_per_epoch', path)} steps | "
            f"{100 * float(need(r, 'final_accuracy', path)):.2f}% | {float(need(r, 'kept_fraction', path)):.4f} | "
            f"{f'{float(gz):.4f}' if gz else '-'} | {float(need(r, 'sim_time_ns', path)) / 1e9:.6f} s | "
            f"{cycles:.3e} | {energy / 1e9:.1f} | {float(d['train_cycles']) / cycles:.2f}x | "
            f"{float(d['train_energy_pj']) / energy:.2f} | {float(need(r, 'host_seconds', path)):.1f} s |")
    return out


def training_table(path):
    return TRAINING_HEAD + "\n".join(training_rows(load_rows(path), path)) + "\n"


# ---- configs/results/cnn.md and cnn_vgg5.md (configs/sweeps/cnn.yaml, cnn_vgg5.yaml; program stvp) ----
# cnn.md is vgg5p2's and its rows in training.md; cnn_vgg5.md is the first CNN's, vgg5's.

# Both studies' points, in their sweep files' order; a point without a result is listed as not run.
CNN_POINTS = ["dense_s1", "procrustes10_s1", "nm2of8_s1", "sparsetrain90_s1", "dense_s2", "procrustes10_s2",
              "dense_s3", "procrustes10_s3", "procrustes5_s1", "procrustes20_s1", "nm1of8_s1", "nm2of4_s1",
              "procrustes10_sparsetrain_s1", "nm2of8_sparsetrain_s1"]

# The schemes the seeds table compares with dense, seed by seed: point prefix, label.
CNN_SEEDED = [("procrustes10", "Procrustes 10%"), ("nm2of8", "N:M 2:8"), ("sparsetrain90", "SparseTrain p = 0.9")]

# training.md's part that `cnn_results` writes and `train_results` keeps (stvp-plot --splice).
CNN_SECTION_BEGIN = ("<!-- begin cnn_results: written by `cmake --build build --target cnn_results` from "
                     "configs/sweeps/cnn.yaml; train_results keeps it as it is -->")
CNN_SECTION_END = "<!-- end cnn_results -->"

CNN_HEAD_COMMON = """(`workload.lr_decay`), weight decay 5e-4 ({preset}); test accuracy on the
10000 test images after the last epoch. Speedup and energy ratio: the same seed's dense run's
training cycles / energy over this run's (seed 1's where that seed has no dense run). Host
wall: the whole stvp run, two runs sharing the 2-core host with other work (not comparable
between rows). Logs and stats under build/results_{sweep}/.
"""


class CnnStudy:
    """One CNN's sweep: its file's name, the network, the points in the file's order, the table's head."""

    def __init__(self, sweep, network, points, head):
        self.sweep, self.network, self.points, self.head = sweep, network, points, head


CNN_STUDIES = {
    "cnn": CnnStudy("cnn", "vgg5p2", CNN_POINTS + ["nm2of8_s2", "sparsetrain90_s2", "nm2of8_s3", "sparsetrain90_s3"], """# vgg5p2: a VGG-style CNN trained on the VP, every scheme

Generated from `configs/sweeps/cnn.yaml` (`cmake --build build --target cnn_results`) on the
default platform configuration: vgg5p2 (sw/train/train_defs.h; configs/networks/vgg5p2.yaml) is 3x3
convolutions with pad 1 and fused ReLU of 16, 32 and 64 channels, 2x2 max pooling after the first
two (28 -> 14 -> 7), then FC 3136-128 (ReLU) reading all of conv3's 7x7x64 output and 128-10:
425872 weights, 2.32 M forward MACs per sample. It is vgg5 (configs/results/cnn_vgg5.md) without
its third pooling. Full Fashion-MNIST training split, batch 64, lr 0.1 x 0.85 per epoch
""" + CNN_HEAD_COMMON.format(preset="configs/train/vgg5p2_dense.yaml", sweep="cnn")),
    "cnn_vgg5": CnnStudy("cnn_vgg5", "vgg5", CNN_POINTS + ["nm2of8_master_s1"], """# vgg5: the first VGG-style CNN trained on the VP, every scheme

Generated from `configs/sweeps/cnn_vgg5.yaml` (`cmake --build build --target cnn_vgg5_results`) on the
default platform configuration: vgg5 (sw/train/train_defs.h; configs/networks/vgg5.yaml) is 3x3
convolutions with pad 1 and fused ReLU of 16, 32 and 64 channels, each followed by 2x2 max pooling
(28 -> 14 -> 7 -> 3), then FC 576-128 (ReLU) and 128-10: 98192 weights, 1.99 M forward MACs per
sample. configs/results/cnn.md has the network that replaced it, vgg5p2 (no third pooling), and
why. Full Fashion-MNIST training split, batch 64, lr 0.1 x 0.85 per epoch
""" + CNN_HEAD_COMMON.format(preset="configs/train/vgg5_dense.yaml", sweep="cnn_vgg5")),
}


class Cnn:
    """The sweep's runs by id."""

    def __init__(self, path, study):
        self.path = path
        self.runs = {}
        for r in load_rows(path):
            i = need(r, "id", path)
            if i not in study.points:
                raise ValueError(f"{path}: point {i} is not one of configs/sweeps/{study.sweep}.yaml's "
                                 f"({', '.join(study.points)})")
            self.runs[i] = r
        if "dense_s1" not in self.runs:
            raise ValueError(f"{path}: no point dense_s1 (every run is compared with it)")

    def has(self, i):
        return i in self.runs

    def acc(self, i):
        return 100.0 * float(need(self.runs[i], "final_accuracy", self.path))

    def dense_of(self, i):
        seed = self.runs[i].get("workload.seed", "1") or "1"
        return self.runs.get(f"dense_s{seed}", self.runs["dense_s1"])

    def row(self, i):
        r, d = self.runs[i], self.dense_of(i)
        gz = r.get("grad_zeros", "")
        cycles, energy = float(need(r, "train_cycles", self.path)), float(need(r, "train_energy_pj", self.path))
        vs = self.acc(i) - 100.0 * float(d["final_accuracy"])
        per_epoch = " / ".join(f"{100 * float(a):.2f}" for a in need(r, "epochs.test_accuracy", self.path).split())
        return (f"| {i} | {mode_label(r)} | {r.get('workload.seed', '') or '1'} | {self.acc(i):.2f}% | "
                f"{'-' if r is d else f'{vs:+.2f}'} | {float(need(r, 'kept_fraction', self.path)):.4f} | "
                f"{f'{float(gz):.4f}' if gz else '-'} | {per_epoch} | {cycles:.3e} | {energy / 1e9:.1f} | "
                f"{float(d['train_cycles']) / cycles:.2f}x | {float(d['train_energy_pj']) / energy:.2f} | "
                f"{float(need(r, 'host_seconds', self.path)):.0f} s |")

    def seeds(self):
        """Dense and each seeded scheme per seed, the scheme's difference to the same seed's dense
        run, and per scheme the mean difference over the seeds that have both."""
        L = ["| seed | dense | " + " | ".join(f"{label} | vs dense" for _, label in CNN_SEEDED) + " |",
             "|---|---|" + "---|---|" * len(CNN_SEEDED)]
        diffs = {p: [] for p, _ in CNN_SEEDED}
        cell = lambda i: f"{self.acc(i):.2f}%" if self.has(i) else "not run"  # noqa: E731
        for s in (1, 2, 3):
            d = f"dense_s{s}"
            cells = [cell(d)]
            for p, _ in CNN_SEEDED:
                i = f"{p}_s{s}"
                if self.has(d) and self.has(i):
                    diffs[p].append(self.acc(i) - self.acc(d))
                    cells += [cell(i), f"{diffs[p][-1]:+.2f}"]
                else:
                    cells += [cell(i), "-"]
            L.append(f"| {s} | " + " | ".join(cells) + " |")
        n = lambda k: f"{k} seed{'s' if k > 1 else ''}"  # noqa: E731
        L.append("| mean | | " + " | ".join(f"{n(len(diffs[p]))} | {sum(diffs[p]) / len(diffs[p]):+.2f}"
                                            if diffs[p] else "- | -" for p, _ in CNN_SEEDED) + " |")
        return L


def cnn_table(path, sweep="cnn"):
    study = CNN_STUDIES[sweep]
    c = Cnn(path, study)
    L = [study.head, "## Every run", "",
         "| run | mode | seed | test accuracy | vs dense | weights kept | grad zeros | test accuracy per epoch (%) | "
         "training cycles | training energy (mJ) | speedup vs dense | energy ratio (dense/this) | host wall |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    L += [c.row(i) for i in study.points if c.has(i)]
    missing = [i for i in study.points if not c.has(i)]
    L += ["", f"Not run (no result in the CSV): {', '.join(missing)}." if missing else "Every point of the sweep ran.",
          "", "## Seeds: dense against Procrustes 10%, N:M 2:8 and SparseTrain", ""] + c.seeds()
    return "\n".join(L) + "\n"


def cnn_section(path):
    """vgg5p2's rows (configs/sweeps/cnn.yaml) in training.md's format, between the markers `--splice` replaces."""
    study = CNN_STUDIES["cnn"]
    Cnn(path, study)  # the same checks as the table's
    rows = load_rows(path)
    order = {i: k for k, i in enumerate(study.points)}
    rows.sort(key=lambda r: order.get(r.get("id", ""), len(order)))
    head = TRAINING_HEAD.strip().splitlines()[-2:]
    missing = [i for i in study.points if i not in {r.get("id") for r in rows}]
    return "\n".join([CNN_SECTION_BEGIN, "", "## vgg5p2 (configs/results/cnn.md: every run, seeds, commentary)", "",
                      "vgg5p2, 16-32-64 3x3 convolutions (pooling after the first two) and FC 3136-128-10, lr 0.1 x "
                      "0.85 per epoch; N:M and Procrustes budgets as the mode says, SparseTrain p = 0.9. The first "
                      "CNN, vgg5 (a third pooling, FC 576-128-10), is in configs/results/cnn_vgg5.md.", ""]
                     + head + training_rows(rows, path, network=study.network)
                     + ([f"\nNot run: {', '.join(missing)}."] if missing else []) + ["", CNN_SECTION_END]) + "\n"


def splice(text, section):
    """text with its cnn_results section replaced by `section` (appended if it has none)."""
    a, b = text.find(CNN_SECTION_BEGIN), text.find(CNN_SECTION_END)
    if a < 0 or b < a:
        return text.rstrip("\n") + "\n\n" + section
    return text[:a] + section + text[b + len(CNN_SECTION_END):].lstrip("\n")


def kept_section(path):
    """The cnn_results section of an existing file (train_results keeps it), or ''."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return ""
    a, b = text.find(CNN_SECTION_BEGIN), text.find(CNN_SECTION_END)
    return text[a:b + len(CNN_SECTION_END)] + "\n" if 0 <= a < b else ""


# ---- configs/results/procrustes_study.md (configs/sweeps/procrustes_study.yaml, stvp_reftrain) ----

class Study:
    """The study's runs by id, and the cells the report is made of."""

    def __init__(self, path):
        self.path = path
        self.runs = {}
        for r in load_rows(path):
            self.runs[need(r, "id", path)] = r

    def run(self, name):
        if name not in self.runs:
            raise ValueError(f"{self.path}: no point with id {name}")
        return self.runs[name]

    def acc(self, name):
        """Final test accuracy as printed, '(diverged)' if an epoch's test loss was not finite."""
        r = self.run(name)
        a = f"{100.0 * int(r['final_correct']) / int(r['final_count']):.2f}%"
        return f"{a} (diverged)" if r.get("diverged") == "true" else a

    def num(self, name):
        r = self.run(name)
        return float(f"{100.0 * int(r['final_correct']) / int(r['final_count']):.2f}")

    def delta(self, a, b):
        return f"{self.num(a) - self.num(b):+.2f}"

    def mean_delta(self, runs, denses):
        a, b, c = (self.num(x) for x in runs)
        d, e, f = (self.num(x) for x in denses)
        return f"{(a + b + c - d - e - f) / 3:+.2f}"

    def kept(self, name):
        return f"{float(self.run(name)['kept_fraction']):.4f}"

    def layers(self, name):
        r = self.run(name)
        return " ".join(f"layer {l} {t}/{w} ({100.0 * t / w:.1f}%)" for l, t, w in
                        zip(ints(r.get("tracked.layer")), ints(r.get("tracked.tracked")), ints(r.get("tracked.weights"))))

    def epochs(self, name):
        r = self.run(name)
        return " / ".join(f"{100.0 * c / n:.2f}" for c, n in
                          zip(ints(r["epochs.test_correct"]), ints(r["epochs.test_count"])))

    def settled(self, name):
        r = self.run(name)
        parts = " ".join(f"layer {l} {s}/{t} ({100.0 * s / t if t else 0.0:.0f}%)" for l, s, t in
                         zip(ints(r.get("snapshot.layer")), ints(r.get("snapshot.since")), ints(r.get("snapshot.tracked"))))
        return (f"{parts}; {need(r, 'entered_after_snapshot', self.path)} weights entered the set after it "
                f"({float(need(r, 'entered_per_step', self.path)):.0f} per step)")


def procrustes_study_table(path):
    s = Study(path)
    acc, delta, layers, kept, epochs, settled = s.acc, s.delta, s.layers, s.kept, s.epochs, s.settled
    L = [
        "# Procrustes at 10% of the weights: where the accuracy goes",
        "",
        "Generated from `configs/sweeps/procrustes_study.yaml` (`cmake --build build --target",
        "procrustes_study`) with the host reference trainer `stvp_reftrain`, whose per-step losses are",
        "bit-identical to the VP's for the algorithm the VP runs (CTest `train_vs_reftrain_*`); the",
        "study options (`--select`, `--dense-steps`, `--ramp-steps`) depart from it on purpose;",
        "seeds, budgets, weight decay and lr are workload keys the VP takes too. LeNet-300-100 on the full "
        "Fashion-MNIST split, batch 64, lr 0.1 x 0.8 per epoch, weight",
        "decay 5e-4, seed 1, 5 epochs (937 steps each) unless a row says otherwise; accuracy on the 10000",
        "test images after the last epoch. Logs: build/results_procrustes_study/.",
        "",
        "## 1. Budget",
        "",
        "| weights kept (budget) | test accuracy | vs dense | kept at the end | tracked per layer (fc1 784x300, fc2 300x100, fc3 100x10) |",
        "|---|---|---|---|---|",
        f"| 100% (dense) | {acc('dense')} | - | 1.0000 | - |",
    ]
    for b in (5, 10, 20, 33, 50):
        L.append(f"| {b}% | {acc(f'p{b}')} | {delta(f'p{b}', 'dense')} | {kept(f'p{b}')} | {layers(f'p{b}')} |")
    L += [
        "",
        "## 2. Seeds (shuffle, W0)",
        "",
        "| seed | dense | Procrustes 10% | vs dense | Procrustes 20% | vs dense |",
        "|---|---|---|---|---|---|",
        f"| 1 | {acc('dense')} | {acc('p10')} | {delta('p10', 'dense')} | {acc('p20')} | {delta('p20', 'dense')} |",
    ]
    for n in (2, 3):
        L.append(f"| {n} | {acc(f'dense_s{n}')} | {acc(f'p10_s{n}')} | {delta(f'p10_s{n}', f'dense_s{n}')} | "
                 f"{acc(f'p20_s{n}')} | {delta(f'p20_s{n}', f'dense_s{n}')} |")
    denses = ("dense", "dense_s2", "dense_s3")
    L += [
        f"| mean | | | {s.mean_delta(('p10', 'p10_s2', 'p10_s3'), denses)} | | "
        f"{s.mean_delta(('p20', 'p20_s2', 'p20_s3'), denses)} |",
        "",
        "## 3. Selection rule and hyper-parameters at 10%",
        "",
        "| variant | test accuracy | vs dense (same hyper-parameters) | tracked per layer |",
        "|---|---|---|---|",
        f"| quantile estimator, global (Procrustes, the VP) | {acc('p10')} | {delta('p10', 'dense')} | {layers('p10')} |",
        f"| exact global top-k (DropBack) | {acc('topk')} | {delta('topk', 'dense')} | {layers('topk')} |",
        f"| exact top-k per layer (10% of each) | {acc('topk_layer')} | {delta('topk_layer', 'dense')} | {layers('topk_layer')} |",
        f"| random mask, fixed | {acc('random')} | {delta('random', 'dense')} | {layers('random')} |",
        f"| quantile, weight decay 0 (dense: {acc('dense_wd0')}) | {acc('p10_wd0')} | {delta('p10_wd0', 'dense_wd0')} | {layers('p10_wd0')} |",
        f"| quantile, lr 0.05 (dense: {acc('dense_lr05')}) | {acc('p10_lr05')} | {delta('p10_lr05', 'dense_lr05')} | {layers('p10_lr05')} |",
        f"| quantile, lr 0.2 (dense: {acc('dense_lr2')}) | {acc('p10_lr2')} | {delta('p10_lr2', 'dense_lr2')} | {layers('p10_lr2')} |",
        "",
        "## 4. Train dense first, then prune to 10% (what Procrustes avoids)",
        "",
        "| method | epochs | test accuracy per epoch (%) | vs dense of the same length | tracked per layer |",
        "|---|---|---|---|---|",
        f"| dense | 5 | {epochs('dense')} | - | - |",
        f"| Procrustes (the VP) | 5 | {epochs('p10')} | {delta('p10', 'dense')} | {layers('p10')} |",
        f"| one-shot: 3 dense epochs, top-10% by magnitude, 2 epochs on them | 5 | {epochs('oneshot')} | {delta('oneshot', 'dense')} | {layers('oneshot')} |",
        f"| gradual: budget 100% -> 10% over 2 epochs (cubic), global magnitude | 5 | {epochs('gradual')} | {delta('gradual', 'dense')} | {layers('gradual')} |",
        f"| dense | 10 | {epochs('dense_e10')} | - | - |",
        f"| Procrustes (the VP) | 10 | {epochs('p10_e10')} | {delta('p10_e10', 'dense_e10')} | {layers('p10_e10')} |",
        f"| one-shot: 5 dense epochs, top-10%, 5 epochs on them | 10 | {epochs('oneshot_e10')} | {delta('oneshot_e10', 'dense_e10')} | {layers('oneshot_e10')} |",
        f"| gradual: 100% -> 10% over 4 epochs | 10 | {epochs('gradual_e10')} | {delta('gradual_e10', 'dense_e10')} | {layers('gradual_e10')} |",
        "",
        "## 5. When the tracked set is chosen (10%, 5 epochs)",
        "",
        "Share of the final tracked set, per layer, that was already tracked at an early step, and the",
        "weights that joined the set after that step (each one joins at about lr x one step's gradient,",
        "and as many leave, reset to d·W0 = 0).",
        "",
        "| run | at step | final set already tracked then; entries after |",
        "|---|---|---|",
        f"| Procrustes (the VP) | 20 | {settled('p10')} |",
        f"| Procrustes (the VP) | 200 | {settled('p10_snap200')} |",
        f"| exact global top-k (DropBack) | 20 | {settled('topk')} |",
        f"| gradual pruning, end of the ramp | 1874 | {settled('gradual')} |",
        "",
        "## 6. lr 0.4 (DropBack's MNIST rate), 2 epochs",
        "",
        "| run | test accuracy per epoch (%) | weights kept at the end |",
        "|---|---|---|",
        f"| dense | {epochs('dense_lr4')} | 1.0000 |",
        f"| Procrustes, quantile estimator (the VP) | {epochs('p10_lr4')} | {kept('p10_lr4')} |",
        f"| Procrustes, exact top-k | {epochs('topk_lr4')} | {kept('topk_lr4')} |",
        "",
        "## 7. LeNet-5 (61470 weights), 3 epochs",
        "",
        "| run | test accuracy | vs dense | tracked per layer (conv1, conv2, fc1, fc2, fc3) |",
        "|---|---|---|---|",
        f"| dense | {acc('l5_dense')} | - | - |",
        f"| Procrustes 10% | {acc('l5_p10')} | {delta('l5_p10', 'l5_dense')} | {layers('l5_p10')} |",
        f"| Procrustes 20% | {acc('l5_p20')} | {delta('l5_p20', 'l5_dense')} | {layers('l5_p20')} |",
        f"| Procrustes 33% | {acc('l5_p33')} | {delta('l5_p33', 'l5_dense')} | {layers('l5_p33')} |",
        f"| one-shot: 2 dense epochs, top-10%, 1 epoch on them | {acc('l5_oneshot')} | {delta('l5_oneshot', 'l5_dense')} | {layers('l5_oneshot')} |",
    ]
    return "\n".join(L) + "\n"


TABLES = {"training": training_table, "procrustes_study": procrustes_study_table, "cnn": cnn_table,
          "cnn_vgg5": lambda path: cnn_table(path, "cnn_vgg5")}


def write_table(kind, csv_path, commentary=None):
    """The markdown of table `kind` from csv_path, with the commentary file appended."""
    text = TABLES[kind](csv_path)
    if commentary:
        with open(commentary) as f:
            text += "\n" + f.read()
    return text
