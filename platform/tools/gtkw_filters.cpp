// stvp_gtkw_filters DIR: writes the GTKWave translate filter files of the SoC's waveform
// (trace_names.h) into DIR. The build runs it into build/traces/filters, where
// traces/stvp.tcl finds them.
#include <fstream>
#include <iostream>

#include "trace_names.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: stvp_gtkw_filters DIR\n";
        return 2;
    }
    for (const stvp::TraceCodeNames& t : stvp::trace_code_names()) {
        const std::string path = std::string(argv[1]) + "/" + t.file;
        std::ofstream f(path);
        f << stvp::gtkwave_filter_text(t);
        if (!f) {
            std::cerr << "stvp_gtkw_filters: cannot write " << path << "\n";
            return 1;
        }
    }
    return 0;
}
