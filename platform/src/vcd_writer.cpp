#include "vcd_writer.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <stdexcept>

#include <zlib.h>

namespace stvp {

// ---------------------------------------------------------------------------------------
// NameSelection

NameSelection::NameSelection(std::vector<std::string> patterns) {
    for (auto& p : patterns) {
        if (p.empty()) continue;
        if (p[0] == '-')
            exclude_.push_back(p.substr(1));
        else
            include_.push_back(p);
    }
    if (include_.empty()) include_.push_back("*");
}

bool NameSelection::glob(const char* p, const char* t) {
    // Iterative wildcard match with backtracking to the last '*'.
    const char* star = nullptr;
    const char* resume = nullptr;
    while (*t) {
        if (*p == '*') {
            star = p++;
            resume = t;
        } else if (*p == '?' || *p == *t) {
            ++p;
            ++t;
        } else if (star) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*') ++p;
    return *p == 0;
}

bool NameSelection::matches(const std::string& pattern, const std::string& name) {
    if (glob(pattern.c_str(), name.c_str())) return true;
    // A module name selects everything below it.
    return name.size() > pattern.size() && name.compare(0, pattern.size(), pattern) == 0 &&
           name[pattern.size()] == '.';
}

bool NameSelection::selected(const std::string& name) const {
    bool in = false;
    for (const auto& p : include_) in = in || matches(p, name);
    if (!in) return false;
    for (const auto& p : exclude_)
        if (matches(p, name)) return false;
    return true;
}

// ---------------------------------------------------------------------------------------
// VcdWriter

namespace {

std::string id_code(std::size_t i) {
    // Printable ASCII '!'..'~' (94 symbols), as the standard allows.
    std::string s;
    do {
        s += static_cast<char>('!' + i % 94);
        i /= 94;
    } while (i);
    return s;
}

// A write-only stream buffer into a gzip file.
class GzipFileBuf : public std::streambuf {
public:
    explicit GzipFileBuf(const std::string& path) : file_(gzopen(path.c_str(), "wb6")) {
        setp(buf_, buf_ + sizeof buf_);
    }
    ~GzipFileBuf() override { close(); }
    bool is_open() const { return file_ != nullptr; }
    bool close() {
        if (!file_) return true;
        const bool ok = drain() && gzclose(file_) == Z_OK;
        file_ = nullptr;
        return ok;
    }

protected:
    int_type overflow(int_type c) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) sputc(traits_type::to_char_type(c));
        return traits_type::not_eof(c);
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    bool drain() {
        const int n = int(pptr() - pbase());
        if (n > 0 && (!file_ || gzwrite(file_, pbase(), unsigned(n)) != n)) return false;
        setp(buf_, buf_ + sizeof buf_);
        return true;
    }
    gzFile file_;
    char buf_[1 << 16];
};

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::unique_ptr<std::streambuf> open_file(const std::string& path) {
    if (ends_with(path, ".gz")) {
        auto gz = std::make_unique<GzipFileBuf>(path);
        if (gz->is_open()) return gz;
    } else {
        auto f = std::make_unique<std::filebuf>();
        if (f->open(path, std::ios::out | std::ios::trunc | std::ios::binary)) return f;
    }
    return nullptr;
}

std::vector<std::string> split_name(const std::string& n) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : n) {
        if (c == '.') {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

}  // namespace

VcdWriter::VcdWriter(const std::string& path, const Options& options)
    : path_(path),
      date_(options.date),
      file_(open_file(path)),
      out_(file_.get()),
      selection_(options.signals),
      start_(options.start.value()),
      stop_(options.stop.value()) {
    if (!file_) throw std::runtime_error("cannot write the VCD file " + path);
}

VcdWriter::~VcdWriter() {
    if (!closed_) close(sc_core::sc_time::from_value(now_));
}

int VcdWriter::add(const std::string& name, Kind kind, unsigned width) {
    if (header_done_) throw std::logic_error("VcdWriter: variable '" + name + "' declared after the first change");
    if (!selection_.selected(name)) return -1;
    if (kind == Kind::Wire) width = 1;
    if (kind == Kind::Real) width = 64;
    if (width == 0 || width > 64) throw std::invalid_argument("VcdWriter: width of '" + name + "' must be 1..64");
    for (const auto& v : vars_)
        if (v.name == name) throw std::invalid_argument("VcdWriter: variable '" + name + "' declared twice");
    vars_.push_back(Var{name, kind, width, id_code(vars_.size())});
    return static_cast<int>(vars_.size() - 1);
}

void VcdWriter::initial(int id, uint64_t value) {
    if (id >= 0 && !header_done_) vars_[std::size_t(id)].value = value;
}

void VcdWriter::initial_real(int id, double value) {
    if (id >= 0 && !header_done_) vars_[std::size_t(id)].real = value;
}

void VcdWriter::push(const Event& e) {
    if (closed_) return;
    pending_.push_back(e);
    if (pending_.size() >= flush_at_) {
        flush(horizon_ ? horizon_() : sc_core::sc_time_stamp());
        // What the horizon held back stays; wait for as much again before sorting anew, so a
        // long hold costs amortised O(log n) per change, not a sort per change.
        flush_at_ = std::max<std::size_t>(kFlushBatch, 2 * pending_.size());
    }
}

void VcdWriter::change(int id, uint64_t value, const sc_core::sc_time& t) {
    if (id < 0) return;
    push(Event{t.value(), seq_++, id, value, 0});
}

void VcdWriter::change_real(int id, double value, const sc_core::sc_time& t) {
    if (id < 0) return;
    push(Event{t.value(), seq_++, id, 0, value});
}

void VcdWriter::gate(bool open, const sc_core::sc_time& t) { push(Event{t.value(), seq_++, -1, open ? 1u : 0u, 0}); }

void VcdWriter::write_header() {
    header_done_ = true;
    if (date_ == "now") {
        char date[64] = "";
        const std::time_t now = std::time(nullptr);
        std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
        date_ = date;
    }
    if (!date_.empty()) out_ << "$date " << date_ << " $end\n";
    out_ << "$version stvp $end\n$timescale "
         << sc_core::sc_get_time_resolution().to_string() << " $end\n";
    // Scopes from the dotted names, in name order so that each scope is opened once.
    std::vector<std::size_t> order(vars_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::vector<std::vector<std::string>> parts(vars_.size());
    for (std::size_t i = 0; i < vars_.size(); ++i) parts[i] = split_name(vars_[i].name);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return parts[a] < parts[b]; });
    std::vector<std::string> open;
    for (std::size_t i : order) {
        const std::vector<std::string>& p = parts[i];
        const std::size_t depth = p.size() - 1;
        std::size_t common = 0;
        while (common < open.size() && common < depth && open[common] == p[common]) ++common;
        while (open.size() > common) {
            out_ << "$upscope $end\n";
            open.pop_back();
        }
        while (open.size() < depth) {
            out_ << "$scope module " << p[open.size()] << " $end\n";
            open.push_back(p[open.size()]);
        }
        const Var& v = vars_[i];
        // Vectors carry their range ("state [31:0]"), as Verilog simulators write it, so viewers
        // name them predictably (GTKWave: soc.cpu.state[31:0], as traces/stvp.gtkw expects).
        out_ << "$var " << (v.kind == Kind::Real ? "real" : "wire") << ' ' << v.width << ' ' << v.code << ' '
             << p.back();
        if (v.kind == Kind::Vector && v.width > 1) out_ << " [" << v.width - 1 << ":0]";
        out_ << " $end\n";
    }
    while (!open.empty()) {
        out_ << "$upscope $end\n";
        open.pop_back();
    }
    out_ << "$enddefinitions $end\n";
    // Values at time 0: real ones if the window is open at 0, else unknown until it opens.
    dumping_ = gate_open_ && start_ == 0 && stop_ > 0;
    stamp(0);
    out_ << "$dumpvars\n";
    for (const Var& v : vars_) value_line(v, !dumping_);
    out_ << "$end\n";
}

void VcdWriter::stamp(uint64_t t) {
    if (t == stamped_) return;
    out_ << '#' << t << '\n';
    stamped_ = t;
}

void VcdWriter::value_line(const Var& v, bool unknown) {
    switch (v.kind) {
    case Kind::Wire:
        out_ << (unknown ? 'x' : (v.value & 1) ? '1' : '0') << v.code << '\n';
        break;
    case Kind::Vector: {
        if (unknown) {
            out_ << "bx " << v.code << '\n';
            break;
        }
        char bits[66];
        int n = 0;
        uint64_t x = v.width < 64 ? v.value & ((uint64_t{1} << v.width) - 1) : v.value;
        do {
            bits[n++] = static_cast<char>('0' + (x & 1));
            x >>= 1;
        } while (x);
        out_ << 'b';
        while (n) out_ << bits[--n];
        out_ << ' ' << v.code << '\n';
        break;
    }
    case Kind::Real: {
        // Real variables have no unknown value: they keep their last value while dumping is off.
        char buf[40];
        std::snprintf(buf, sizeof buf, "r%.17g ", v.real);
        out_ << buf << v.code << '\n';
        break;
    }
    }
}

void VcdWriter::set_dumping(bool on, uint64_t t) {
    if (on == dumping_) return;
    dumping_ = on;
    stamp(t);
    out_ << (on ? "$dumpon\n" : "$dumpoff\n");
    for (const Var& v : vars_)
        if (on || v.kind != Kind::Real) value_line(v, !on);
    out_ << "$end\n";
}

void VcdWriter::advance_to(uint64_t t) {
    if (start_ > now_ && start_ <= t) {
        now_ = start_;
        set_dumping(gate_open_ && start_ < stop_, start_);
    }
    if (stop_ > now_ && stop_ <= t) {
        now_ = stop_;
        set_dumping(false, stop_);
    }
}

void VcdWriter::process(const Event& e) {
    const uint64_t t = std::max<uint64_t>(e.t, now_);
    advance_to(t);
    now_ = t;
    if (e.id < 0) {
        gate_open_ = e.value != 0;
        set_dumping(gate_open_ && t >= start_ && t < stop_, t);
        return;
    }
    Var& v = vars_[std::size_t(e.id)];
    if (v.kind == Kind::Real) {
        if (v.real == e.real) return;
        v.real = e.real;
    } else {
        if (v.value == e.value) return;
        v.value = e.value;
    }
    if (!dumping_) return;
    stamp(t);
    value_line(v, false);
    ++written_;
}

void VcdWriter::flush(const sc_core::sc_time& horizon) {
    if (closed_) return;
    if (!header_done_) write_header();
    if (pending_.empty()) return;
    std::stable_sort(pending_.begin(), pending_.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
    const uint64_t h = horizon.value();
    std::size_t n = 0;
    while (n < pending_.size() && pending_[n].t <= h) process(pending_[n++]);
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
}

void VcdWriter::close(const sc_core::sc_time& end) {
    if (closed_) return;
    flush(sc_core::sc_max_time());
    const uint64_t t = std::max<uint64_t>(end.value(), now_);
    advance_to(t);
    stamp(t);
    out_.flush();
    if (auto* gz = dynamic_cast<GzipFileBuf*>(file_.get())) gz->close();
    out_.rdbuf(nullptr);
    file_.reset();
    closed_ = true;
}

}  // namespace stvp
