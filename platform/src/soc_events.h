// One place that owns the SoC's single-slot event callbacks (Dma::on_descriptor,
// Accel::on_op, SimCtrl::on_marker) and fans them out to every debugging facility that wants
// them (VCD, transaction log, hang monitor). Callbacks are installed only when someone
// subscribes, so an unused facility costs nothing.
#pragma once

#include <functional>
#include <vector>

#include "accel/accel.h"
#include "dma/dma.h"
#include "simctrl/simctrl.h"
#include "soc_parts.h"

namespace stvp {

class SocEvents {
public:
    explicit SocEvents(const SocParts& parts) : parts_(parts) {}
    SocEvents(const SocEvents&) = delete;
    SocEvents& operator=(const SocEvents&) = delete;

    void on_descriptor(std::function<void(const DmaDescriptorEvent&)> fn) {
        if (!parts_.dma) return;
        if (descriptor_.empty())
            parts_.dma->on_descriptor([this](const DmaDescriptorEvent& e) {
                for (auto& f : descriptor_) f(e);
            });
        descriptor_.push_back(std::move(fn));
    }
    void on_op(std::function<void(const AccelOpRecord&)> fn) {
        if (!parts_.accel) return;
        if (op_.empty())
            parts_.accel->on_op([this](const AccelOpRecord& r) {
                for (auto& f : op_) f(r);
            });
        op_.push_back(std::move(fn));
    }
    void on_marker(std::function<void(uint32_t, const sc_core::sc_time&)> fn) {
        if (!parts_.simctrl) return;
        if (marker_.empty())
            parts_.simctrl->on_marker([this](uint32_t v, const sc_core::sc_time& t) {
                for (auto& f : marker_) f(v, t);
            });
        marker_.push_back(std::move(fn));
    }

private:
    SocParts parts_;
    std::vector<std::function<void(const DmaDescriptorEvent&)>> descriptor_;
    std::vector<std::function<void(const AccelOpRecord&)>> op_;
    std::vector<std::function<void(uint32_t, const sc_core::sc_time&)>> marker_;
};

}  // namespace stvp
