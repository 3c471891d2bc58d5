// The accelerator's part of the platform configuration: the `accel.*` YAML keys, bound into
// the ConfigSchema, checked, and turned into the model's AccelConfig by the SoC builder.
// Plain data (no SystemC), so the configuration library stays light.
#pragma once

#include <cstdint>
#include <string>

#include "accel/core/array_config.h"
#include "accel/core/energy.h"
#include "accel/sparse/sparse_config.h"
#include "config_schema.h"

namespace stvp {

struct AccelPlatformConfig {
    // PE array, buffers and clock (defaults: the Procrustes hardware, docs/literature.md; clock [open]).
    // The DRAM fields of `array` are not keys: the SoC copies dram.latency_ns and
    // dram.bandwidth_gbps into them, so the accelerator sees the same DRAM as everyone else.
    accel::ArrayConfig array;
    std::string dataflow = "CxN";      // CxN | CxK (accel::Dataflow)
    std::string sync = "tile";         // tile | step (accel::SyncMode)
    std::string pipeline = "overlap";  // overlap | serial (accel::TilePipeline)
    std::string timing = "full";       // full | compute_only (accel::TimingRule)
    accel::EnergyTable energy;         // pJ per action (configs/energy/procrustes_40nm.yaml)
    uint32_t decode_cycles = 8;        // cycles to validate a descriptor
    uint32_t max_chain = 4096;         // largest DESC_COUNT
    uint64_t spad_bytes = 128 * 1024;  // RAM behind the spad region
    uint64_t spad_latency_ns = 2;      // scratchpad access latency seen by the CPU/DMA
    // Sparse units (accel.sparse.*); init_kind is the string form of sparse.init_kind.
    accel::AccelSparseConfig sparse;
    std::string sparse_init_kind = "kaiming_uniform";  // kaiming_uniform | uniform
};

// Binds every accel.* key.
void bind_accel_config(ConfigSchema& schema, AccelPlatformConfig& cfg);

// Checks that need several keys (or the memory map): throws ConfigError naming `origin` and
// the key. `spad_region_size` is memory_map.spad.size.
void validate_accel_config(const AccelPlatformConfig& cfg, uint64_t spad_region_size, const std::string& origin);

// The ArrayConfig with the dataflow, sync mode, pipeline and timing rule applied (DRAM fields as bound: the SoC sets them).
accel::ArrayConfig accel_array_config(const AccelPlatformConfig& cfg);
// The sparse units' configuration with the init kind applied.
accel::AccelSparseConfig accel_sparse_config(const AccelPlatformConfig& cfg);

}  // namespace stvp
