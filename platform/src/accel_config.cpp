#include "accel_config.h"

namespace stvp {

void bind_accel_config(ConfigSchema& s, AccelPlatformConfig& c) {
    using namespace check;
    accel::ArrayConfig& a = c.array;
    s.bind("accel.clock_hz", &a.clock_hz,
           "accelerator clock in Hz (the unit of its cycle counts) [open: not published; 500 MHz, a moderate 40 nm clock]",
           range_real(1e3, 10e9));
    s.bind("accel.rows", &a.rows, "PE array rows (Procrustes: 16)", range(1, 1024));
    s.bind("accel.cols", &a.cols, "PE array columns (Procrustes: 16)", range(1, 1024));
    s.bind("accel.macs_per_pe", &a.macs_per_pe, "fp32 MACs per PE per cycle (Procrustes: 1)", range(1, 1024));
    s.bind_enum("accel.dataflow", &c.dataflow, {"CxN", "CxK"},
                "loop dimensions spread over the array's rows x columns: CxN = input channels x minibatch "
                "(Procrustes' choice for convolutions), CxK = input channels x output channels (its choice for FC)");
    s.bind_enum("accel.sync", &c.sync, {"tile", "step"},
                "how often the PEs synchronise: tile = once per global-buffer tile, the array waits for the PE "
                "with the most work over the tile (the Procrustes authors' rule, docs/literature.md); step = every "
                "lock-step array step waits for its slowest PE. Identical for dense work");
    s.bind_enum("accel.pipeline", &c.pipeline, {"overlap", "serial"},
                "GB tiles on the array: overlap = the next tile's first fill and the previous tile's drain and "
                "last write-back overlap compute (double-buffered RFs; needs double_buffering, serial without "
                "it); serial = each tile pays its first fill, a rows + cols drain and its last write-back");
    s.bind_enum("accel.timing", &c.timing, {"full", "compute_only"},
                "what the accelerator's cycle counts include: full = compute, GB port, DRAM and their overlap; "
                "compute_only = the Procrustes authors' rule: the sum over sync windows of the busiest PE's "
                "work, memory free (energy unchanged)");
    s.bind("accel.sparse_aware_mapping", &a.sparse_aware_mapping,
           "map a sparse op also for its own work (operand densities) and keep that mapping when it costs fewer "
           "cycles than the dense op's; false = every op on the dense op's mapping");
    s.bind("accel.rf_bytes", &a.rf_bytes, "register file per PE in bytes (Procrustes: 1 KiB = 256 x 32 bit)",
           range(12, 1u << 24));
    s.bind("accel.gb_bytes", &a.gb_bytes, "global buffer in bytes (Procrustes: 128 KiB)", range(12, 1u << 30));
    s.bind("accel.gb_banks", &a.gb_banks, "global buffer banks (Procrustes: 16)", range(1, 1024));
    s.bind("accel.gb_bytes_per_cycle", &a.gb_bytes_per_cycle,
           "global buffer <-> PE bandwidth in bytes per cycle (Procrustes: 16 banks x 64-bit rows = 128)",
           range(4, 1u << 20));
    s.bind("accel.double_buffering", &a.double_buffering,
           "split the global buffer and register files in halves to load the next tile while computing");
    s.bind("accel.decode_cycles", &c.decode_cycles, "cycles to validate a fetched descriptor and resolve its operands",
           range(0, 1000000));
    s.bind("accel.max_chain", &c.max_chain, "largest descriptor count of one chain (DESC_COUNT)", range(1, 1u << 20));
    s.bind_size("accel.spad_bytes", &c.spad_bytes,
                "scratchpad RAM behind the spad region in bytes (default: the global buffer's 128 KiB)",
                [](const uint64_t& v) {
                    return (v < 4 || v > (1ull << 30) || v % 4) ? std::string("must be a multiple of 4 between 4 and 1 GiB")
                                                               : std::string();
                });
    s.bind("accel.spad_latency_ns", &c.spad_latency_ns, "scratchpad access latency for the CPU and DMA in ns",
           range(0, 1000000));

    accel::EnergyTable& e = c.energy;
    const std::string src = " (Procrustes 40 nm setup, configs/energy/procrustes_40nm.yaml)";
    auto pj = range_real(0, 1e9);
    s.bind("accel.energy.mac_pj", &e.mac_pj, "energy of an fp32 MAC in pJ" + src, pj);
    s.bind("accel.energy.mac_gated_pj", &e.mac_gated_pj, "energy of a skipped (clock-gated) MAC in pJ" + src, pj);
    s.bind("accel.energy.mac_idle_pj", &e.mac_idle_pj, "energy of an idle MAC slot in pJ [open]", pj);
    s.bind("accel.energy.rf_read_pj", &e.rf_read_pj, "energy of a 32-bit register-file read in pJ" + src, pj);
    s.bind("accel.energy.rf_write_pj", &e.rf_write_pj, "energy of a 32-bit register-file write in pJ" + src, pj);
    s.bind("accel.energy.gb_read_pj", &e.gb_read_pj, "energy of a global-buffer read of gb_access_bytes in pJ" + src, pj);
    s.bind("accel.energy.gb_write_pj", &e.gb_write_pj, "energy of a global-buffer write of gb_access_bytes in pJ" + src,
           pj);
    s.bind("accel.energy.gb_access_bytes", &e.gb_access_bytes, "bytes per global-buffer access (64-bit rows: 8)",
           range(1, 4096));
    s.bind("accel.energy.dram_read_pj", &e.dram_read_pj, "energy of a DRAM read of dram_access_bytes in pJ" + src, pj);
    s.bind("accel.energy.dram_write_pj", &e.dram_write_pj, "energy of a DRAM write of dram_access_bytes in pJ" + src,
           pj);
    s.bind("accel.energy.dram_access_bytes", &e.dram_access_bytes, "bytes per DRAM access (8)", range(1, 4096));
    s.bind("accel.energy.vector_op_pj", &e.vector_op_pj,
           "energy of an element-wise fp32 op (pool compare, softmax step, SGD update) in pJ [open: one MAC]", pj);
    s.bind("accel.energy.descriptor_fetch_pj", &e.descriptor_fetch_pj,
           "energy of fetching 64 bytes of command descriptor from DRAM in pJ (8 x 512 pJ); a 128-byte "
           "descriptor costs twice this",
           pj);

    // Sparse units (firmware/include/stvp/hw/accel_desc.h, SPARSE MODES).
    accel::AccelSparseConfig& sp = c.sparse;
    s.bind("accel.sparse.load_balance", &sp.load_balance,
           "pair the densest half-tile with the sparsest before each step (Procrustes' load balancer)");
    s.bind("accel.sparse.prune_lanes", &sp.prune_lanes,
           "gradient pruner lanes, one xorshift32 generator each (GRAD_PRUNE) [open]", range(1, 4096));
    s.bind_enum("accel.sparse.init_kind", &c.sparse_init_kind, {"kaiming_uniform", "uniform"},
                "distribution of the regenerated initial weights W0 (INIT_WEIGHTS, DROPBACK): kaiming_uniform = "
                "U(-b, b) with b = sqrt(6 / fan_in) [code], uniform = U(-init_uniform_bound, init_uniform_bound)");
    s.bind("accel.sparse.init_uniform_bound", &sp.init_uniform_bound,
           "bound of init_kind uniform, in weight units", range_real(1e-30, 1e30));
    s.bind("accel.sparse.quantile.initial", &sp.quantile.initial,
           "first estimate of the Procrustes quantile estimator (score units) [code]", range_real(1e-30, 1e30));
    s.bind("accel.sparse.quantile.lambda", &sp.quantile.lambda,
           "step size of the quantile estimator, in (0, 1) [code: 1e-6]", range_real(1e-30, 1 - 1e-12));
    s.bind("accel.sparse.quantile.moving_average", &sp.quantile.moving_average,
           "weight of the previous steps' estimate in the starting estimate of a step, in [0, 1); 0 = off [open]",
           range_real(0, 1 - 1e-12));
    accel::sparse::SparseEnergyTable& se = sp.energy;
    const std::string open = " [open: no published value; 40 nm logic estimate]";
    s.bind("accel.sparse.energy.decoder_unit_pj", &se.decoder_unit_pj,
           "energy of decoding one block bitmask or N:M group in pJ" + open, pj);
    s.bind("accel.sparse.energy.zero_check_pj", &se.zero_check_pj,
           "energy of one operand zero check on the GB -> PE path in pJ" + open, pj);
    s.bind("accel.sparse.energy.pruner_op_pj", &se.pruner_op_pj,
           "energy of one gradient through the pruner (xorshift32, compare, select) in pJ" + open, pj);
    s.bind("accel.sparse.energy.quantile_op_pj", &se.quantile_op_pj,
           "energy of one quantile-estimator update (fp32 multiply + compare) in pJ [open: one MAC]", pj);
    s.bind("accel.sparse.energy.transposed_pointer_factor", &se.transposed_pointer_factor,
           "cost of a block-pointer read in the transposed (input-grad) walk, in GB reads [code: 1.5]",
           range_real(1, 1e6));
}

accel::ArrayConfig accel_array_config(const AccelPlatformConfig& c) {
    accel::ArrayConfig a = c.array;
    a.dataflow = c.dataflow == "CxK" ? accel::Dataflow::CxK : accel::Dataflow::CxN;
    a.sync = c.sync == "step" ? accel::SyncMode::Step : accel::SyncMode::Tile;
    a.pipeline = c.pipeline == "serial" ? accel::TilePipeline::Serial : accel::TilePipeline::Overlap;
    a.timing = c.timing == "compute_only" ? accel::TimingRule::ComputeOnly : accel::TimingRule::Full;
    return a;
}

accel::AccelSparseConfig accel_sparse_config(const AccelPlatformConfig& c) {
    accel::AccelSparseConfig s = c.sparse;
    s.init_kind = c.sparse_init_kind == "uniform" ? accel::sparse::InitKind::Uniform
                                                  : accel::sparse::InitKind::KaimingUniform;
    return s;
}

void validate_accel_config(const AccelPlatformConfig& c, uint64_t spad_region_size, const std::string& origin) {
    // The model's own checks name a field; the key is accel.<field>.
    const std::string e = accel_array_config(c).validate();
    if (!e.empty()) throw ConfigError(origin + ": 'accel." + e.substr(0, e.find(' ')) + "': " + e);
    const std::string en = c.energy.validate();
    if (!en.empty()) throw ConfigError(origin + ": 'accel.energy." + en.substr(0, en.find(' ')) + "': " + en);
    // The sparse config's messages start with the field's dotted path below accel.sparse.
    const std::string sp = accel_sparse_config(c).validate();
    if (!sp.empty()) throw ConfigError(origin + ": 'accel.sparse." + sp.substr(0, sp.find(' ')) + "': " + sp);
    if (c.spad_bytes > spad_region_size)
        throw ConfigError(origin + ": 'accel.spad_bytes': " + std::to_string(c.spad_bytes) +
                          " bytes do not fit the spad region ('memory_map.spad.size' " +
                          std::to_string(spad_region_size) + ")");
}

}  // namespace stvp
