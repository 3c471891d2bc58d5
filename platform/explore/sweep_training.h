// Training points of a sweep (sweep.h, `program: stvp` or `program: stvp_reftrain`): one
// point is one training run of the VP (`stvp --firmware train.elf --stats`) or of the host
// reference trainer (`stvp_reftrain`, the Procrustes study's selection variants). Its result
// file is a JSON object with the run's `training` block and a `sweep_point` block (what made
// it, host seconds); --collect flattens those blocks into one CSV row per point.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stvp::explore {

struct Sweep;
struct SweepPoint;

// The `training` block of an stvp_reftrain run, from its standard output (the program has no
// stats file): network, mode, epoch_count, steps_per_epoch, batch, seed, epochs (epoch,
// test_loss (null when not finite), test_correct, test_count, test_accuracy), final_correct,
// final_count, final_accuracy, kept_fraction, diverged, and for Procrustes modes tracked
// (layer, tracked, weights) and, with --snapshot-step, snapshot_step, snapshot (layer, since,
// tracked), entered_after_snapshot, entered_per_step. Accuracies are fractions, as in stvp's.
// Throws ExploreError naming `origin` if the output lacks the final result line.
nlohmann::json parse_reftrain_output(const std::string& text, const std::string& origin);

// The program's command line for point p: program and firmware paths already resolved;
// stats = where stvp writes its stats file (unused for stvp_reftrain).
std::vector<std::string> training_command(const Sweep& s, const SweepPoint& p, const std::string& program,
                                          const std::string& firmware, const std::string& stats);

// Which build of the program (and firmware) a result comes from: their sizes and modification
// times, part of a training point's signature, so a rebuilt program or firmware reruns the
// points (resume keeps only results of the same build).
std::string training_build_stamp(const Sweep& s);

// Runs point i (the program next to this executable, or its firmware default) and writes its
// result file atomically; `signature` identifies the settings. The program's output goes to
// the point's .log file. Throws ExploreError if the program fails or reports no training.
void run_training_point(const Sweep& s, const std::string& out_dir, size_t i, const std::string& signature);

// The CSV of the points' results (JSON text, "" = no result, left out): the point key
// columns, host_seconds, then every key of the training blocks flattened (objects as
// `a.b`, lists of records as one column per field holding the values separated by spaces),
// in the order of the keys, each named once; a point without a key has an empty cell.
std::string training_csv(const Sweep& s, const std::vector<std::string>& results);

}  // namespace stvp::explore
