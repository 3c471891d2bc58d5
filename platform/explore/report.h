// The reproduction report (configs/results/exploration.md): the platform's speedup and energy
// ratio for each published scheme on the networks the papers used, beside the published figures
// of docs/literature.md, once with the presets' memories and once with the GB port and DRAM
// made unlimited (which separates the compute model from the memory bounds); plus the sweeps
// of configs/sweeps/ with their CSV and SVG plots in configs/results/exploration/.
#pragma once

#include <string>

namespace stvp::explore {

// `repo`: the source tree (configs/ is read from there). Returns 0, or 1 if a point failed.
int write_report(const std::string& out_md, const std::string& repo, unsigned jobs, const char* self);

}  // namespace stvp::explore
