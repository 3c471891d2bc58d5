// The stvp convention for DMI latencies (tlm::tlm_dmi read/write latency).
//
// A DMI latency is a cost PER BYTE: an initiator charges latency * access size for each
// access it makes through a DMI pointer. Targets and interconnects calibrate their per-byte
// figure so that an access of kDmiLatencyWordBytes bytes (an RV32 load/store) costs the same
// through DMI as through b_transport.
#pragma once

namespace stvp {

constexpr unsigned kDmiLatencyWordBytes = 4;

}  // namespace stvp
