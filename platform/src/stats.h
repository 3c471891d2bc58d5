// The structured parts of the stats file: the effective configuration as a JSON object and
// the training results the firmware reported through SIMCTRL (models/simctrl/training_results.h).
#pragma once

#include <string>

#include "json_writer.h"

namespace stvp {

class TrainingResults;

// The effective configuration (YAML text, as --print-config prints it) as a JSON object:
// plain scalars become numbers, booleans or null where YAML reads them so, else strings.
// Throws std::runtime_error if yaml is not YAML.
Json config_json(const std::string& yaml);

// {"epochs": [{"epoch": 1, "train_loss": ..., ...}, ...], "final_accuracy": ..., ...}:
// floats to 7 significant digits (they are float32), integers exact.
Json training_json(const TrainingResults& results);

}  // namespace stvp
