// stvp_gtkw_filters DIR: writes the GTKWave translate filter files of the SoC's waveform
// (trace_names.h) into DIR, and one per sw/train network for soc.accel.layer
// (train_layer_<network>.txt: the layer ids the training firmware gives its descriptors,
// from its own network tables in sw/train/train_defs.h), and train_phase.txt for
// soc.simctrl.phase (sw/train's PHASE labels, same header). The build runs it into
// build/traces/filters, where traces/stvp.tcl finds them.
#include <fstream>
#include <iostream>

#include "trace_names.h"
#include "train_defs.h"

namespace {

// sw/train's layer ids (train.c): 0 the batch gather, i + 1 network layer i (its last layer's
// id also labels the loss op, told apart by soc.accel.phase).
stvp::TraceCodeNames train_layer_names(const train_net_t& net) {
    stvp::TraceCodeNames t{"soc.accel.layer[31:0]", std::string("train_layer_") + net.name + ".txt", {{0, "input"}}};
    unsigned per_kind[4] = {0, 0, 0, 0};
    for (uint32_t i = 0; i < net.layer_count; ++i) {
        const train_layer_t& l = net.layers[i];
        const char* kind = l.kind == TRAIN_FC ? "fc" : l.kind == TRAIN_CONV ? "conv" : "pool";
        std::string name = kind + std::to_string(++per_kind[l.kind & 3]) + " " +
                           std::to_string(train_in_size(&l)) + "->" + std::to_string(train_out_size(&l));
        t.names.emplace_back(i + 1, name);
    }
    return t;
}

// sw/train's SIMCTRL PHASE labels (set-up, training, evaluation).
stvp::TraceCodeNames train_phase_names_filter() {
    stvp::TraceCodeNames t{"soc.simctrl.phase[31:0]", "train_phase.txt", {}};
    for (uint32_t i = 0; i < TRAIN_PHASE_COUNT; ++i) t.names.emplace_back(i, train_phase_names[i]);
    return t;
}

bool write(const std::string& dir, const stvp::TraceCodeNames& t) {
    const std::string path = dir + "/" + t.file;
    std::ofstream f(path);
    f << stvp::gtkwave_filter_text(t);
    if (!f) std::cerr << "stvp_gtkw_filters: cannot write " << path << "\n";
    return bool(f);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: stvp_gtkw_filters DIR\n";
        return 2;
    }
    bool ok = true;
    for (const stvp::TraceCodeNames& t : stvp::trace_code_names()) ok = write(argv[1], t) && ok;
    for (const train_net_t& net : train_nets) ok = write(argv[1], train_layer_names(net)) && ok;
    ok = write(argv[1], train_phase_names_filter()) && ok;
    return ok ? 0 : 1;
}
