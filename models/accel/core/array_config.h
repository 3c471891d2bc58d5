// Configuration of the accelerator's compute array and memories, as the timing model sees it.
// Defaults: the Procrustes hardware as modelled by its authors (compstruct/procrustes-timeloop-model,
// 40 nm, see docs/literature.md); fields tagged [open] have no published value.
#pragma once

#include <cstdint>
#include <string>

#include "common/config_keys.h"
#include "memory/memory_config.h"

namespace stvp::accel {

// Which two loop dimensions of the (renamed) loop nest are spread over the array's rows and
// columns (loop_nest.h). C is always the phase's reduction dimension.
enum class Dataflow : uint8_t {
    CxN,  // rows <- input channels C, columns <- minibatch N (Procrustes maps convolutions this way)
    CxK,  // rows <- input channels C, columns <- output channels K (Procrustes maps FC layers this way)
};

const char* to_string(Dataflow d);

// How often the PEs of the array synchronise (timing.h).
enum class SyncMode : uint8_t {
    Step,  // every lock-step array step waits for its slowest PE
    Tile,  // once per GB tile: the array waits for the PE with the most work over the whole tile
           // (the Procrustes authors' model: dense cycles x the densest PE tile's density, docs/literature.md)
};

const char* to_string(SyncMode s);

// Whether consecutive GB tiles overlap on the array (timing.h).
enum class TilePipeline : uint8_t {
    Overlap,  // double-buffered RFs: the next tile's first fill, the previous tile's drain and last
              // write-back overlap compute; the array drains once per nest (needs double_buffering)
    Serial,   // each tile pays its first fill, a rows + cols drain and its last write-back
};

const char* to_string(TilePipeline p);

// What the cycle count includes (timing.h).
enum class TimingRule : uint8_t {
    Full,         // compute, GB port, DRAM and their overlap
    ComputeOnly,  // the Procrustes authors' rule: sum over sync windows of the busiest PE's work,
                  // memory free (fills, write-backs, drains and DRAM take no time)
};

const char* to_string(TimingRule t);

struct ArrayConfig {
    uint32_t rows = 16;                 // PE rows [code]
    uint32_t cols = 16;                 // PE columns [code]
    uint32_t macs_per_pe = 1;           // fp32 MACs per PE per cycle [code]
    double clock_hz = 500e6;            // Hz [open]: not published; a moderate 40 nm clock
    uint32_t rf_bytes = 1024;           // register file per PE, bytes (256 x 32 bit) [code]
    uint32_t gb_bytes = 128 * 1024;     // global buffer, bytes [code]
    uint32_t gb_banks = 16;             // global buffer banks [code]
    uint32_t gb_bytes_per_cycle = 128;  // global buffer <-> PE bandwidth, bytes/cycle: 16 banks x 64-bit rows [code]
    // DRAM bandwidth (bytes/s) and latency per transfer request (ns): the platform's DRAM, the
    // dram.* keys (memory/memory_config.h; the platform passes the configured values).
    double dram_bytes_per_s = DramParams{}.bytes_per_s();
    double dram_latency_ns = double(DramParams{}.latency_ns);
    bool double_buffering = true;       // global buffer and RFs split in halves: load the next tile while computing
    Dataflow dataflow = Dataflow::CxN;  // [code]: Procrustes' choice for convolutions
    SyncMode sync = SyncMode::Tile;     // [code]: the authors' model synchronises per PE tile; identical for dense work
    TilePipeline pipeline = TilePipeline::Overlap;  // tiles overlap where the double buffers allow
    TimingRule timing = TimingRule::Full;
    // A sparse op may run on a mapping chosen for its own work (mapping.h SparseHints) when that
    // costs fewer cycles than the dense op's mapping; false: always the dense op's mapping.
    bool sparse_aware_mapping = true;

    // The first unusable field (declared range or a rule across fields), as a value.
    config::Problem problem() const;
    // "" if usable, otherwise "<field> <value> <reason>" (problem().text()).
    std::string validate() const { return problem().text(); }

    // Derived quantities used by the timing model.
    int64_t pes() const { return int64_t{rows} * cols; }
    int64_t rf_words() const { return rf_bytes / 4; }
    int64_t gb_words() const { return gb_bytes / 4; }
    double dram_bytes_per_cycle() const { return dram_bytes_per_s / clock_hz; }
    int64_t dram_latency_cycles() const;  // rounded up
    // Tiles overlap only with double-buffered RFs.
    bool tiles_overlap() const { return pipeline == TilePipeline::Overlap && double_buffering; }
};

// The accel.* keys of the array (common/config_keys.h). The DRAM fields are not keys: the
// platform gives the accelerator the DRAM of its dram.* keys.
template <class Keys>
void declare_keys(Keys& k, ArrayConfig& a) {
    k.real("clock_hz", a.clock_hz, 1e3, 10e9,
           "accelerator clock in Hz (the unit of its cycle counts) [open: not published; 500 MHz, a moderate 40 nm clock]");
    k.integer("rows", a.rows, 1, 1024, "PE array rows (Procrustes: 16)");
    k.integer("cols", a.cols, 1, 1024, "PE array columns (Procrustes: 16)");
    k.integer("macs_per_pe", a.macs_per_pe, 1, 1024, "fp32 MACs per PE per cycle (Procrustes: 1)");
    k.choice("dataflow", a.dataflow, {{"CxN", Dataflow::CxN}, {"CxK", Dataflow::CxK}},
             "loop dimensions spread over the array's rows x columns: CxN = input channels x minibatch "
             "(Procrustes' choice for convolutions), CxK = input channels x output channels (its choice for FC)");
    k.choice("sync", a.sync, {{"tile", SyncMode::Tile}, {"step", SyncMode::Step}},
             "how often the PEs synchronise: tile = once per global-buffer tile, the array waits for the PE "
             "with the most work over the tile (the Procrustes authors' rule, docs/literature.md); step = every "
             "lock-step array step waits for its slowest PE. Identical for dense work");
    k.choice("pipeline", a.pipeline, {{"overlap", TilePipeline::Overlap}, {"serial", TilePipeline::Serial}},
             "GB tiles on the array: overlap = the next tile's first fill and the previous tile's drain and "
             "last write-back overlap compute (double-buffered RFs; needs double_buffering, serial without "
             "it); serial = each tile pays its first fill, a rows + cols drain and its last write-back");
    k.choice("timing", a.timing, {{"full", TimingRule::Full}, {"compute_only", TimingRule::ComputeOnly}},
             "what the accelerator's cycle counts include: full = compute, GB port, DRAM and their overlap; "
             "compute_only = the Procrustes authors' rule: the sum over sync windows of the busiest PE's "
             "work, memory free (energy unchanged)");
    k.flag("sparse_aware_mapping", a.sparse_aware_mapping,
           "map a sparse op also for its own work (operand densities) and keep that mapping when it costs fewer "
           "cycles than the dense op's; false = every op on the dense op's mapping");
    k.integer("rf_bytes", a.rf_bytes, 12, 1u << 24, "register file per PE in bytes (Procrustes: 1 KiB = 256 x 32 bit)");
    k.integer("gb_bytes", a.gb_bytes, 12, 1u << 30, "global buffer in bytes (Procrustes: 128 KiB)");
    k.integer("gb_banks", a.gb_banks, 1, 1024, "global buffer banks (Procrustes: 16)");
    k.integer("gb_bytes_per_cycle", a.gb_bytes_per_cycle, 4, 1u << 20,
              "global buffer <-> PE bandwidth in bytes per cycle (Procrustes: 16 banks x 64-bit rows = 128)");
    k.flag("double_buffering", a.double_buffering,
           "split the global buffer and register files in halves to load the next tile while computing");
}

}  // namespace stvp::accel
