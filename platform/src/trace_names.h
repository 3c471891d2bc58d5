// Names of the coded values in the SoC's waveform (tracing.h), for GTKWave translate filters
// (traces/stvp.tcl installs them): taken from the tables the models and the firmware share
// (accel_desc.h through the accelerator's op table, CoreState), so they cannot drift.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace stvp {

struct TraceCodeNames {
    std::string signal;  // as GTKWave names it, e.g. "soc.accel.opcode[31:0]"
    std::string file;    // filter file name, e.g. "accel_opcode.txt"
    std::vector<std::pair<uint64_t, std::string>> names;
};

std::vector<TraceCodeNames> trace_code_names();

// The filter file's text: "value name" lines, values in decimal as traces/stvp.gtkw shows them.
std::string gtkwave_filter_text(const TraceCodeNames& t);

}  // namespace stvp
