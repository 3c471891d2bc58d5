#include "txlog.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "accel/accel.h"
#include "bus/router.h"
#include "dma/dma.h"
#include "json_writer.h"
#include "soc_events.h"
#include "soc_parts.h"

namespace stvp {

namespace {

bool parse_number(const std::string& s, uint64_t& v) {
    if (s.empty() || s[0] == '-') return false;
    char* end = nullptr;
    v = std::strtoull(s.c_str(), &end, 0);
    return *end == 0;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

std::string hex(uint64_t v, int digits = 8) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
    return buf;
}

double ns_of(const sc_core::sc_time& t) { return t.to_seconds() * 1e9; }

}  // namespace

const char* tx_kind_name(TxKind k) {
    switch (k) {
    case TxKind::Reg: return "reg";
    case TxKind::Mem: return "mem";
    case TxKind::Desc: return "desc";
    case TxKind::Op: return "op";
    }
    return "?";
}

TxFilter TxFilter::parse(const std::vector<std::string>& terms) {
    TxFilter f;
    for (const std::string& raw : terms) {
        // Several terms may share one argument, separated by spaces.
        for (const std::string& term : split(raw, ' ')) {
            if (term.empty()) continue;
            const auto eq = term.find('=');
            if (eq == std::string::npos || eq + 1 == term.size())
                throw std::invalid_argument("transaction-log filter '" + term + "': expected key=value");
            const std::string key = term.substr(0, eq);
            const std::vector<std::string> values = split(term.substr(eq + 1), ',');
            for (const std::string& v : values) {
                if (v.empty()) throw std::invalid_argument("transaction-log filter '" + term + "': empty value");
                if (key == "initiator") {
                    f.initiators_.push_back(v);
                } else if (key == "target") {
                    f.targets_.push_back(v);
                } else if (key == "kind") {
                    if (v == "reg") f.kinds_.push_back(TxKind::Reg);
                    else if (v == "mem") f.kinds_.push_back(TxKind::Mem);
                    else if (v == "desc") f.kinds_.push_back(TxKind::Desc);
                    else if (v == "op") f.kinds_.push_back(TxKind::Op);
                    else throw std::invalid_argument("transaction-log filter '" + term + "': kind is reg, mem, desc or op");
                } else if (key == "addr") {
                    const auto dash = v.find('-'), plus = v.find('+');
                    uint64_t lo = 0, hi = 0;
                    bool ok = false;
                    if (dash != std::string::npos) {
                        ok = parse_number(v.substr(0, dash), lo) && parse_number(v.substr(dash + 1), hi) && lo <= hi;
                    } else if (plus != std::string::npos) {
                        uint64_t size = 0;
                        ok = parse_number(v.substr(0, plus), lo) && parse_number(v.substr(plus + 1), size) && size > 0;
                        hi = lo + size - 1;
                    } else {
                        ok = parse_number(v, lo);
                        hi = lo;
                    }
                    if (!ok)
                        throw std::invalid_argument("transaction-log filter '" + term +
                                                    "': addr is LO-HI, LO+SIZE or one address");
                    f.ranges_.emplace_back(lo, hi);
                } else if (key == "response") {
                    if (v != "ok" && v != "error")
                        throw std::invalid_argument("transaction-log filter '" + term + "': response is ok or error");
                    const int want = v == "error";
                    f.response_ = (f.response_ >= 0 && f.response_ != want) ? 2 : want;  // both: any
                } else {
                    throw std::invalid_argument("transaction-log filter '" + term +
                                                "': unknown key (initiator, target, kind, addr, response)");
                }
            }
        }
    }
    if (f.response_ == 2) f.response_ = -1;
    return f;
}

bool TxFilter::any_of(const std::vector<std::string>& set, const std::string& v) {
    for (const auto& s : set)
        if (s == v) return true;
    return false;
}

bool TxFilter::empty() const {
    return initiators_.empty() && targets_.empty() && kinds_.empty() && ranges_.empty() && response_ < 0;
}

bool TxFilter::wants_target(const std::string& target, bool device) const {
    if (!targets_.empty() && !any_of(targets_, target)) return false;
    if (kinds_.empty()) return true;
    const TxKind k = (device || target == "hole") ? TxKind::Reg : TxKind::Mem;
    for (TxKind x : kinds_)
        if (x == k) return true;
    return false;
}

bool TxFilter::accepts(const TxRecord& r) const {
    if (!initiators_.empty() && !(r.initiator && any_of(initiators_, *r.initiator))) return false;
    if (!targets_.empty() && !any_of(targets_, r.target ? *r.target : std::string("hole"))) return false;
    if (!kinds_.empty()) {
        bool k = false;
        for (TxKind x : kinds_) k = k || x == r.kind;
        if (!k) return false;
    }
    if (!ranges_.empty()) {
        const uint64_t last = r.address + (r.length ? r.length - 1 : 0);
        bool hit = false;
        for (const auto& [lo, hi] : ranges_) hit = hit || (r.address <= hi && last >= lo);
        if (!hit) return false;
    }
    if (response_ >= 0 && (response_ == 1) == r.ok) return false;
    return true;
}

TxLog::Format TxLog::parse_format(const std::string& name) {
    if (name == "text") return Format::Text;
    if (name == "jsonl") return Format::Jsonl;
    throw std::invalid_argument("transaction-log format '" + name + "': expected text or jsonl");
}

TxLog::TxLog(const std::string& path, Format format, TxFilter filter)
    : path_(path), file_(std::make_unique<std::ofstream>(path)), out_(file_.get()), format_(format),
      filter_(std::move(filter)) {
    if (!*file_) throw std::runtime_error("cannot write the transaction log " + path);
    if (format_ == Format::Text)
        *out_ << "# stvp transaction log: time initiator kind target what value/length response latency\n";
}

TxLog::TxLog(std::ostream& out, Format format, TxFilter filter)
    : out_(&out), format_(format), filter_(std::move(filter)) {}

void TxLog::write(const TxRecord& r) {
    ++observed_;
    if (!filter_.accepts(r)) return;
    ++written_;
    if (format_ == Format::Text)
        text(r);
    else
        jsonl(r);
}

// "    1234.000 ns  cpu    W reg uart     UART.TXDATA @0x10000000 = 0x00000048  ok  +1.000 ns"
void TxLog::text(const TxRecord& r) {
    char head[96];
    std::snprintf(head, sizeof head, "%14.3f ns  %-5s ", ns_of(r.time), r.initiator ? r.initiator->c_str() : "?");
    std::string line = head;
    const std::string target = r.target ? *r.target : std::string("hole");
    if (r.kind == TxKind::Reg || r.kind == TxKind::Mem) {
        line += r.write ? "W " : "R ";
        line += tx_kind_name(r.kind);
        line += ' ';
        char t[24];
        std::snprintf(t, sizeof t, "%-8s ", target.c_str());
        line += t;
        if (!r.reg.empty()) line += r.reg + ' ';
        line += '@' + hex(r.address);
        if (r.has_value)
            line += " = " + hex(r.value, int(2 * (r.length ? r.length : 4)));
        else
            line += " len " + std::to_string(r.length);
    } else {
        line += std::string(tx_kind_name(r.kind)) + " @" + hex(r.address) + ' ' + r.detail;
    }
    char tail[64];
    std::snprintf(tail, sizeof tail, "  %s  +%.3f ns", r.response.c_str(),
                  r.end > r.time ? ns_of(r.end - r.time) : 0.0);
    line += tail;
    *out_ << line << '\n';
}

void TxLog::jsonl(const TxRecord& r) {
    std::string s = "{\"t_ns\": ";
    char num[40];
    std::snprintf(num, sizeof num, "%.3f", ns_of(r.time));
    s += num;
    s += ", \"initiator\": " + JsonWriter::escape(r.initiator ? *r.initiator : "?");
    s += ", \"kind\": \"" + std::string(tx_kind_name(r.kind)) + "\"";
    if (r.kind == TxKind::Reg || r.kind == TxKind::Mem) s += std::string(", \"cmd\": \"") + (r.write ? "write" : "read") + "\"";
    s += ", \"target\": " + JsonWriter::escape(r.target ? *r.target : "hole");
    if (!r.reg.empty()) s += ", \"reg\": " + JsonWriter::escape(r.reg);
    s += ", \"addr\": \"" + hex(r.address) + "\"";
    s += ", \"len\": " + std::to_string(r.length);
    if (r.has_value) s += ", \"value\": \"" + hex(r.value, int(2 * (r.length ? r.length : 4))) + "\"";
    if (!r.detail.empty()) s += ", \"detail\": " + JsonWriter::escape(r.detail);
    s += ", \"response\": " + JsonWriter::escape(r.response);
    std::snprintf(num, sizeof num, "%.3f", r.end > r.time ? ns_of(r.end - r.time) : 0.0);
    s += ", \"latency_ns\": ";
    s += num;
    s += "}\n";
    *out_ << s;
}

namespace {

const char* response_name(tlm::tlm_response_status s) {
    switch (s) {
    case tlm::TLM_OK_RESPONSE: return "ok";
    case tlm::TLM_INCOMPLETE_RESPONSE: return "incomplete";
    case tlm::TLM_GENERIC_ERROR_RESPONSE: return "generic-error";
    case tlm::TLM_ADDRESS_ERROR_RESPONSE: return "address-error";
    case tlm::TLM_COMMAND_ERROR_RESPONSE: return "command-error";
    case tlm::TLM_BURST_ERROR_RESPONSE: return "burst-error";
    case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE: return "byte-enable-error";
    }
    return "?";
}

// Shared state of the SoC feed (names live here so records can borrow them).
struct Feed {
    TxLog& log;
    SocParts parts;
    std::vector<std::string> initiators;
    const std::string dma = "dma", accel = "accel";
};

}  // namespace

void attach_txlog(TxLog& log, const SocParts& parts, SocEvents& events) {
    auto feed = std::make_shared<Feed>(Feed{log, parts, parts.initiators});
    if (parts.router) {
        parts.router->add_observer([feed](int initiator, const tlm::tlm_generic_payload& t, const RouterRegion* region,
                                          const sc_core::sc_time& start, const sc_core::sc_time& end) {
            static const std::string unknown = "?";
            TxRecord r;
            r.time = start;
            r.end = end;
            r.initiator = initiator >= 0 && std::size_t(initiator) < feed->initiators.size()
                              ? &feed->initiators[std::size_t(initiator)]
                              : &unknown;
            r.target = region ? &region->name : nullptr;
            RegisterDevice* dev = nullptr;
            if (region) {
                auto it = feed->parts.devices.find(region->name);
                if (it != feed->parts.devices.end()) dev = it->second;
            }
            r.kind = (dev || !region) ? TxKind::Reg : TxKind::Mem;
            r.write = t.is_write();
            r.address = t.get_address();
            r.length = t.get_data_length();
            r.ok = t.is_response_ok();
            if (!feed->log.filter().accepts(r)) {
                feed->log.write(r);  // counted as observed, not written
                return;
            }
            r.response = response_name(t.get_response_status());
            if (r.length <= 8 && t.get_data_ptr() && (r.write || r.ok)) {
                r.has_value = true;
                std::memcpy(&r.value, t.get_data_ptr(), r.length);
            }
            if (dev) r.reg = dev->registers().name_at(r.address - region->base);
            feed->log.write(r);
        },
        [feed](const RouterRegion* region) {
            return feed->log.filter().wants_target(region ? region->name : std::string("hole"),
                                                   region && feed->parts.devices.count(region->name));
        });
    }
    if (parts.dma)
        events.on_descriptor([feed](const DmaDescriptorEvent& e) {
            TxRecord r;
            r.time = e.start;
            r.end = e.end;
            r.initiator = &feed->dma;
            r.target = &feed->dma;
            r.kind = TxKind::Desc;
            r.address = e.address;
            r.ok = e.fetched && e.error == STVP_DMA_ERR_NONE;
            if (e.fetched) {
                const stvp_dma_desc& d = e.desc;
                r.length = d.row_bytes * d.rows;
                char buf[200];
                std::snprintf(buf, sizeof buf,
                              "src 0x%08x -> dst 0x%08x, %u x %u bytes (strides %u/%u), next 0x%08x, flags 0x%x",
                              d.src, d.dst, d.rows, d.row_bytes, d.src_stride, d.dst_stride, d.next, d.flags);
                r.detail = buf;
            } else {
                r.detail = "not fetched";
            }
            if (r.ok) {
                r.response = "ok";
            } else {
                char buf[64];
                std::snprintf(buf, sizeof buf, "error %u at 0x%08x", e.error, e.error_address);
                r.response = buf;
            }
            feed->log.write(r);
        });
    if (parts.accel)
        events.on_op([feed](const AccelOpRecord& o) {
            TxRecord r;
            r.time = o.start;
            r.end = o.end;
            r.initiator = &feed->accel;
            r.target = &feed->accel;
            r.kind = TxKind::Op;
            r.address = o.address;
            r.length = static_cast<unsigned>(o.cost.dram_bytes);
            r.ok = !o.error;
            char buf[240];
            std::snprintf(buf, sizeof buf,
                          "#%u %s layer %u phase %s: %llu cycles (+%llu fetch/decode), %llu MACs, %llu skipped, "
                          "%llu DRAM bytes, %llu GB bytes",
                          o.index, o.fetched ? accel::opcode_name(o.opcode) : "(not fetched)", o.layer,
                          accel::phase_name(o.phase), static_cast<unsigned long long>(o.cost.cycles),
                          static_cast<unsigned long long>(o.cost.overhead_cycles),
                          static_cast<unsigned long long>(o.cost.macs),
                          static_cast<unsigned long long>(o.cost.macs_skipped),
                          static_cast<unsigned long long>(o.cost.dram_bytes),
                          static_cast<unsigned long long>(o.cost.gb_bytes));
            r.detail = buf;
            if (r.ok) {
                r.response = "ok";
            } else {
                std::snprintf(buf, sizeof buf, "error %u (%s), field %s, value 0x%08x", o.error.code,
                              accel::error_name(o.error.code), accel::field_name(o.error.field), o.error.value);
                r.response = buf;
            }
            feed->log.write(r);
        });
}

}  // namespace stvp
