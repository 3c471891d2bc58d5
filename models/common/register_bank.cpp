#include "register_bank.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace stvp {

RegisterBank::RegisterBank(std::string name, const RegInfo* table, std::size_t n) : name_(std::move(name)) {
    for (std::size_t r = 0; r < n; ++r) {
        const RegInfo& info = table[r];
        for (unsigned i = 0; i < info.count; ++i)
            slots_.push_back(Slot{&info, i, info.reset, nullptr, nullptr});
    }
    auto addr = [](const Slot& s) { return s.info->offset + s.idx * s.info->stride; };
    std::sort(slots_.begin(), slots_.end(), [&](const Slot& a, const Slot& b) { return addr(a) < addr(b); });
    for (std::size_t i = 1; i < slots_.size(); ++i)
        if (addr(slots_[i]) == addr(slots_[i - 1]))
            throw std::logic_error(name_ + ": registers " + slots_[i - 1].info->name + " and " +
                                   slots_[i].info->name + " overlap");
}

RegisterBank::Slot* RegisterBank::find(uint64_t addr) {
    return const_cast<Slot*>(static_cast<const RegisterBank*>(this)->find(addr));
}

const RegisterBank::Slot* RegisterBank::find(uint64_t addr) const {
    auto it = std::lower_bound(slots_.begin(), slots_.end(), addr, [](const Slot& s, uint64_t a) {
        return s.info->offset + uint64_t(s.idx) * s.info->stride < a;
    });
    if (it == slots_.end() || it->info->offset + uint64_t(it->idx) * it->info->stride != addr) return nullptr;
    return &*it;
}

void RegisterBank::on_read(uint32_t offset, ReadFn fn) {
    bool any = false;
    for (auto& s : slots_)
        if (s.info->offset == offset) s.read = fn, any = true;
    if (!any) throw std::logic_error(name_ + ": on_read for unknown register offset " + std::to_string(offset));
}

void RegisterBank::on_write(uint32_t offset, WriteFn fn) {
    bool any = false;
    for (auto& s : slots_)
        if (s.info->offset == offset) s.write = fn, any = true;
    if (!any) throw std::logic_error(name_ + ": on_write for unknown register offset " + std::to_string(offset));
}

uint32_t& RegisterBank::value(uint32_t offset, unsigned idx) {
    for (auto& s : slots_)
        if (s.info->offset == offset && s.idx == idx) return s.value;
    throw std::logic_error(name_ + ": no register at offset " + std::to_string(offset) + " index " +
                           std::to_string(idx));
}

uint32_t RegisterBank::value(uint32_t offset, unsigned idx) const {
    return const_cast<RegisterBank*>(this)->value(offset, idx);
}

void RegisterBank::reset() {
    for (auto& s : slots_) s.value = s.info->reset;
}

tlm::tlm_response_status RegisterBank::access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                                              bool debug) {
    if (len != 4 || (addr & 3)) {
        ++errors_;
        return tlm::TLM_BURST_ERROR_RESPONSE;
    }
    Slot* s = find(addr);
    if (!s) {
        ++errors_;
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
    if (cmd == tlm::TLM_READ_COMMAND) {
        uint32_t v;
        if (debug)
            v = s->value;
        else if (s->info->access == Access::WO)
            v = 0;
        else
            v = s->read ? s->read(s->idx) : s->value;
        std::memcpy(data, &v, 4);  // host is little-endian like RV32
        return tlm::TLM_OK_RESPONSE;
    }
    if (cmd != tlm::TLM_WRITE_COMMAND) return tlm::TLM_OK_RESPONSE;  // TLM_IGNORE_COMMAND
    uint32_t v;
    std::memcpy(&v, data, 4);
    if (debug) {
        s->value = v;
        return tlm::TLM_OK_RESPONSE;
    }
    if (s->info->access == Access::RO) {
        ++errors_;
        return tlm::TLM_COMMAND_ERROR_RESPONSE;
    }
    if (s->write) {
        if (!s->write(s->idx, v)) {
            ++errors_;
            return tlm::TLM_COMMAND_ERROR_RESPONSE;
        }
        return tlm::TLM_OK_RESPONSE;
    }
    if (s->info->access == Access::W1C)
        s->value &= ~v;
    else
        s->value = v;
    return tlm::TLM_OK_RESPONSE;
}

std::string RegisterBank::name_at(uint64_t addr) const {
    const Slot* s = find(addr);
    if (!s) return "";
    std::string n = std::string(s->info->block) + "." + s->info->name;
    if (s->info->count > 1) n += "[" + std::to_string(s->idx) + "]";
    return n;
}

}  // namespace stvp
