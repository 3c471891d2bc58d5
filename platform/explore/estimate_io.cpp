#include "estimate_io.h"

#include <cstdio>

#include "json_writer.h"

namespace stvp::explore {

namespace {
std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0) {
    char buf[128];
    std::snprintf(buf, sizeof buf, f, a, b, c, d);
    return buf;
}
}  // namespace

void print_table(std::ostream& out, const Estimate& e, const std::string& title, bool per_op) {
    out << title << "\n";
    if (per_op) {
        char buf[320];
        std::snprintf(buf, sizeof buf, "%-26s %-11s %14s %14s %8s %14s %8s %-8s %12s %8s\n", "layer", "phase",
                      "dense cycles", "cycles", "speedup", "compute-only", "speedup", "bound", "energy uJ", "e ratio");
        out << buf;
        for (const OpRow& r : e.ops) {
            std::snprintf(buf, sizeof buf, "%-26s %-11s %14.0f %14.0f %8.2f %14.0f %8.2f %-8s %12.2f %8.2f%s\n",
                          r.layer.c_str(), r.phase.c_str(), r.dense_cycles, r.cycles, r.dense_cycles / r.cycles,
                          r.rule_cycles, r.dense_rule_cycles / r.rule_cycles, r.bound.c_str(), r.energy.total() * 1e-6,
                          r.dense_energy.total() / r.energy.total(), r.sampled ? " s" : "");
            out << buf;
        }
        out << "(compute-only: the published rule, the sum over sync windows of the busiest PE's work with memory "
               "free; bound: the largest of compute, GB port and DRAM busy cycles of the op; s: sparse ratios "
               "measured on a sample batch, see timing_only.h)\n";
    }
    const OpRow& t = e.total;
    out << fmt("cycles        %.0f (dense %.0f)\n", t.cycles, t.dense_cycles);
    out << fmt("compute-only  %.0f (dense %.0f), speedup %.3f\n", t.rule_cycles, t.dense_rule_cycles,
               t.dense_rule_cycles / t.rule_cycles);
    out << fmt("time          %.6f s (dense %.6f s) at %.0f MHz\n", e.seconds(), e.dense_seconds(), e.clock_hz * 1e-6);
    out << fmt("energy        %.3f mJ (dense %.3f mJ)\n", t.energy.total() * 1e-9, t.dense_energy.total() * 1e-9);
    out << fmt("  PE %.3f  RF %.3f  GB %.3f  DRAM %.3f", t.energy.pe * 1e-9, t.energy.rf * 1e-9, t.energy.gb * 1e-9,
               t.energy.dram * 1e-9)
        << fmt("  sparse units %.3f mJ\n", t.energy.sparse * 1e-9);
    out << fmt("utilisation   %.3f (dense %.3f)\n", e.utilisation(), e.dense_utilisation());
    out << fmt("speedup       %.3f   energy ratio %.3f (dense / this, same array)\n", e.speedup(), e.energy_ratio());
}

void write_json(std::ostream& out, const Estimate& e, const std::string& network, const Workload& w) {
    JsonWriter j(out);
    auto energy = [&](const std::string& key, const Energy& x) {
        j.begin_object(key);
        j.value("pe_pj", x.pe).value("rf_pj", x.rf).value("gb_pj", x.gb).value("dram_pj", x.dram);
        j.value("sparse_pj", x.sparse).value("total_pj", x.total());
        j.end_object();
    };
    auto row = [&](const OpRow& r, const std::string& key) {
        j.begin_object(key);
        j.value("layer", r.layer).value("phase", r.phase);
        j.value("dense_cycles", r.dense_cycles).value("cycles", r.cycles);
        j.value("dense_compute_only_cycles", r.dense_rule_cycles).value("compute_only_cycles", r.rule_cycles);
        if (!r.bound.empty()) j.value("bound", r.bound);
        j.value("dense_macs", r.dense_macs).value("macs", r.macs).value("sampled", r.sampled);
        energy("dense_energy", r.dense_energy);
        energy("energy", r.energy);
        j.end_object();
    };
    j.begin_object();
    j.value("network", network).value("scheme", to_string(w.scheme)).value("batch", uint64_t{w.batch});
    j.value("clock_hz", e.clock_hz).value("seconds", e.seconds()).value("dense_seconds", e.dense_seconds());
    j.value("speedup", e.speedup()).value("energy_ratio", e.energy_ratio());
    j.value("utilisation", e.utilisation()).value("dense_utilisation", e.dense_utilisation());
    row(e.total, "total");
    j.begin_array("ops");
    for (const OpRow& r : e.ops) row(r, "");
    j.end_array();
    j.end_object();
    out << "\n";
}

void write_ops_csv(std::ostream& out, const Estimate& e) {
    out << "layer,phase,dense_cycles,cycles,speedup,dense_compute_only_cycles,compute_only_cycles,bound,"
           "dense_energy_pj,energy_pj,pe_pj,rf_pj,gb_pj,dram_pj,sparse_pj,energy_ratio,sampled\n";
    for (const OpRow& r : e.ops) {
        char buf[640];
        std::snprintf(buf, sizeof buf, "%s,%s,%.0f,%.0f,%.6f,%.0f,%.0f,%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.6f,%d\n",
                      r.layer.c_str(), r.phase.c_str(), r.dense_cycles, r.cycles, r.dense_cycles / r.cycles,
                      r.dense_rule_cycles, r.rule_cycles, r.bound.c_str(),
                      r.dense_energy.total(), r.energy.total(), r.energy.pe, r.energy.rf, r.energy.gb, r.energy.dram,
                      r.energy.sparse, r.dense_energy.total() / r.energy.total(), int(r.sampled));
        out << buf;
    }
}

std::string summary_csv_header() {
    return "network,scheme,batch,cycles,dense_cycles,seconds,speedup,energy_uj,dense_energy_uj,energy_ratio,pe_uj,"
           "rf_uj,gb_uj,dram_uj,sparse_uj,utilisation,dense_utilisation";
}

std::string summary_csv_row(const Estimate& e, const std::string& network, const Workload& w) {
    const OpRow& t = e.total;
    char buf[640];
    std::snprintf(buf, sizeof buf, "%s,%s,%u,%.0f,%.0f,%.9g,%.6f,%.3f,%.3f,%.6f,%.3f,%.3f,%.3f,%.3f,%.3f,%.6f,%.6f",
                  network.c_str(), to_string(w.scheme), w.batch, t.cycles, t.dense_cycles, e.seconds(), e.speedup(),
                  t.energy.total() * 1e-6, t.dense_energy.total() * 1e-6, e.energy_ratio(), t.energy.pe * 1e-6,
                  t.energy.rf * 1e-6, t.energy.gb * 1e-6, t.energy.dram * 1e-6, t.energy.sparse * 1e-6,
                  e.utilisation(), e.dense_utilisation());
    return buf;
}

}  // namespace stvp::explore
