// Fuzz harness: accelerator descriptor chains through the SystemC-free engine (decode, bind,
// sparse check, the opcode's execute and cost) on a small DRAM and scratchpad. Input: byte 0 =
// chain length - 1 (mod 4), then the descriptors (128 bytes each, zero-padded), then DRAM contents.
// Beyond "no crash, no sanitizer report, no exception", it checks what accel_desc.h promises:
// a descriptor that fails validation writes nothing, and one that completes writes only inside
// its declared outputs.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "accel/engine/command.h"
#include "accel/engine/engine.h"
#include "../unit/support/accel_host_memory.h"

using namespace stvp::accel;

namespace {

constexpr uint32_t kDram = 0x80000000u, kDramSize = 64 * 1024;
constexpr uint32_t kSpad = 0x12000000u, kSpadSize = 8 * 1024;

// Aborts (a finding) if a byte of `after` differs from `before` outside the command's outputs.
// Compared in 256-byte blocks first: most of memory is unchanged (refused descriptors write
// nothing), and a byte loop over all 72 KiB per descriptor dominated the harness's time.
void check_writes(const Command& cmd, const std::vector<uint8_t>& before, const std::vector<uint8_t>& after,
                  uint32_t base, bool completed) {
    constexpr size_t kBlock = 256;
    for (size_t i = 0; i < before.size(); ++i) {
        if (i % kBlock == 0 && std::memcmp(&before[i], &after[i], std::min(kBlock, before.size() - i)) == 0) {
            i += kBlock - 1;
            continue;
        }
        if (before[i] == after[i]) continue;
        bool inside = false;
        for (const Operand& o : cmd.operands)
            if (completed && o.is_output() && base + i >= o.address && base + i - o.address < o.bytes) inside = true;
        if (!inside) std::abort();
    }
}

// What a campaign ran, in descriptors rather than inputs (issue 13 counts descriptors): every
// descriptor of a chain up to the first refusal is offered (decoded), the decoded ones go to
// the engine (validate, execute, cost), and some complete. Printed at exit (libFuzzer's -runs
// and -max_total_time end with exit(); an interrupt does not run it).
struct Counts {
    uint64_t inputs = 0, offered = 0, run = 0, completed = 0;
    Counts() {
        std::atexit([] {
            const Counts& c = get();
            std::fprintf(stderr,
                         "fuzz_accel_command: %" PRIu64 " inputs, %" PRIu64 " descriptors offered, %" PRIu64
                         " run by the engine, %" PRIu64 " completed\n",
                         c.inputs, c.offered, c.run, c.completed);
        });
    }
    static Counts& get() {
        static Counts c;
        return c;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Counts& counts = Counts::get();
    ++counts.inputs;
    if (size < 1) return 0;
    const size_t chain = 1 + data[0] % 4;
    ++data, --size;
    std::vector<stvp_accel_desc> descs(chain);
    for (size_t i = 0; i < chain; ++i) {
        const size_t n = std::min(size, sizeof(stvp_accel_desc));
        std::memcpy(&descs[i], data, n);
        data += n, size -= n;
    }
    static test::HostMemory mem(kDram, kDramSize, kSpad, kSpadSize);
    std::memset(mem.dram.data(), 0, kDramSize);
    std::memset(mem.spad.data(), 0, kSpadSize);
    std::memcpy(mem.dram.data(), data, std::min<size_t>(size, kDramSize));

    Engine engine{EngineConfig{}};
    for (const stvp_accel_desc& d : descs) {
        Command cmd;  // the declared outputs (decode alone: addresses and sizes)
        ++counts.offered;
        if (decode(d, cmd)) break;
        ++counts.run;
        static std::vector<uint8_t> dram0, spad0;  // reused: no allocation per descriptor
        dram0 = mem.dram, spad0 = mem.spad;
        const OpResult r = engine.run(d, mem);
        // bind() promises the handler's execute() succeeds (its failure is ERR_SHAPE on no field).
        if (r.bound && r.error.code == STVP_ACCEL_ERR_SHAPE && r.error.field == STVP_ACCEL_FIELD_NONE) std::abort();
        const bool completed = !r.error;
        counts.completed += completed;
        check_writes(cmd, dram0, mem.dram, kDram, completed);
        check_writes(cmd, spad0, mem.spad, kSpad, completed);
        if (!completed) break;
    }
    return 0;
}
