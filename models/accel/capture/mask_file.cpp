#include "accel/capture/mask_file.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include <yaml-cpp/yaml.h>
#include <zlib.h>

namespace stvp::capture {

namespace {

constexpr char kMagic[8] = {'S', 'T', 'V', 'P', 'M', 'A', 'S', 'K'};
constexpr size_t kPreamble = 16;                // magic, version, header length
constexpr uint32_t kMaxHeaderBytes = 64u << 20;  // a sanity bound against garbage lengths

void put32(std::string& s, uint32_t v) {
    for (int i = 0; i < 4; ++i) s.push_back(char((v >> (8 * i)) & 0xFF));
}
uint32_t get32(const std::string& s, size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(uint8_t(s[at + size_t(i)])) << (8 * i);
    return v;
}

uint32_t crc32_of(const std::vector<uint8_t>& b) {
    return uint32_t(crc32(crc32(0L, Z_NULL, 0), b.data(), uInt(b.size())));
}

uint64_t product(const std::vector<uint32_t>& d) {
    uint64_t n = 1;
    for (uint32_t x : d) n *= x;
    return n;
}

std::string dims_text(const std::vector<uint32_t>& d) {
    std::string s = "[";
    for (size_t i = 0; i < d.size(); ++i) s += (i ? "x" : "") + std::to_string(d[i]);
    return s + "]";
}

bool parse_kind(const std::string& s, MapKind* k) {
    for (int i = 0; i < kMapKinds; ++i)
        if (s == to_string(MapKind(i))) return *k = MapKind(i), true;
    return false;
}

}  // namespace

const char* to_string(LayerKind k) { return k == LayerKind::Conv ? "conv" : "fc"; }

const char* to_string(MapKind k) {
    switch (k) {
        case MapKind::Weights: return "weights";
        case MapKind::Inputs: return "inputs";
        case MapKind::OutputGrads: return "output_grads";
    }
    return "?";
}

std::string LayerShape::describe() const {
    if (kind == LayerKind::Fc) return "fc " + std::to_string(c) + " -> " + std::to_string(k);
    return "conv C" + std::to_string(c) + " H" + std::to_string(h) + " W" + std::to_string(w) + " -> K" +
           std::to_string(k) + " " + std::to_string(r) + "x" + std::to_string(s) + " stride " + std::to_string(stride) +
           " pad " + std::to_string(pad);
}

bool LayerShape::operator==(const LayerShape& o) const {
    return std::tie(id, kind, c, h, w, k, r, s, stride, pad) ==
           std::tie(o.id, o.kind, o.c, o.h, o.w, o.k, o.r, o.s, o.stride, o.pad);
}

uint64_t BitMap::elements() const { return product(dims); }

uint64_t BitMap::ones() const {
    uint64_t n = 0;
    for (uint8_t b : bits) n += uint64_t(__builtin_popcount(b));
    return n;
}

namespace {
// Packs t[i] != 0 over the dims' elements (uint8_t byte maps and float tensors alike).
template <class T>
BitMap pack(std::vector<uint32_t> dims, const T* t) {
    BitMap m;
    m.dims = std::move(dims);
    const uint64_t n = m.elements();
    m.bits.assign(size_t((n + 7) / 8), 0);
    for (uint64_t i = 0; i < n; ++i)
        if (t[i] != T(0)) m.bits[size_t(i >> 3)] |= uint8_t(1u << (i & 7));
    return m;
}
}  // namespace

BitMap BitMap::from_bytes(std::vector<uint32_t> dims, const uint8_t* nz) { return pack(std::move(dims), nz); }
BitMap BitMap::from_floats(std::vector<uint32_t> dims, const float* t) { return pack(std::move(dims), t); }

std::vector<uint8_t> BitMap::unpack(uint64_t count) const {
    std::vector<uint8_t> v(size_t(std::min(count, elements())));
    for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(get(i));
    return v;
}

const LayerShape* MaskFile::layer(uint32_t id) const {
    for (const LayerShape& l : layers)
        if (l.id == id) return &l;
    return nullptr;
}

const MaskRecord* MaskFile::find(uint32_t step, uint32_t layer, MapKind kind) const {
    for (const MaskRecord& r : records)
        if (r.step == step && r.layer == layer && r.kind == kind) return &r;
    return nullptr;
}

std::vector<uint32_t> MaskFile::steps() const {
    std::vector<uint32_t> s;
    for (const MaskRecord& r : records) s.push_back(r.step);
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
}

std::vector<uint32_t> MaskFile::expected_dims(const LayerShape& l, MapKind kind) const {
    switch (kind) {
        case MapKind::Weights: return {l.k, l.c, l.r, l.s};
        case MapKind::Inputs: return {batch, l.c, l.h, l.w};
        case MapKind::OutputGrads: return {batch, l.k, l.out_h(), l.out_w()};
    }
    return {};
}

std::string MaskFile::validate() const {
    if (batch == 0) return "batch must be at least 1";
    for (size_t i = 0; i < layers.size(); ++i) {
        const LayerShape& l = layers[i];
        if (i && l.id <= layers[i - 1].id) return "layers: ids must increase (layer " + std::to_string(l.id) + ")";
        if (!l.c || !l.k || !l.h || !l.w || !l.r || !l.s || !l.stride || l.h + 2 * l.pad < l.r || l.w + 2 * l.pad < l.s)
            return "layer " + std::to_string(l.id) + ": impossible shape (" + l.describe() + ")";
        if (l.kind == LayerKind::Fc && (l.h != 1 || l.w != 1 || l.r != 1 || l.s != 1 || l.stride != 1 || l.pad))
            return "layer " + std::to_string(l.id) + ": an fc layer has h = w = r = s = stride = 1 and pad = 0";
    }
    for (size_t i = 0; i < records.size(); ++i) {
        const MaskRecord& r = records[i];
        const std::string what = "record " + std::to_string(i) + " (step " + std::to_string(r.step) + ", layer " +
                                 std::to_string(r.layer) + ", " + to_string(r.kind) + ")";
        const LayerShape* l = layer(r.layer);
        if (!l) return what + ": no such layer in the layer table";
        const std::vector<uint32_t> want = expected_dims(*l, r.kind);
        if (r.map.dims != want)
            return what + ": dims " + dims_text(r.map.dims) + " do not match the layer (" + l->describe() +
                   ", batch " + std::to_string(batch) + "): expected " + dims_text(want);
        if (r.map.bits.size() != (r.map.elements() + 7) / 8) return what + ": bit data of the wrong size";
        if (r.map.elements() % 8 && (r.map.bits.back() >> (r.map.elements() % 8)))
            return what + ": padding bits after the last element are set";
        for (size_t j = 0; j < i; ++j)
            if (records[j].step == r.step && records[j].layer == r.layer && records[j].kind == r.kind)
                return what + ": duplicate of record " + std::to_string(j);
    }
    return "";
}

std::string encode_mask_file(const MaskFile& f) {
    const std::string bad = f.validate();
    if (!bad.empty()) throw MaskFileError("masks file: " + bad);
    std::string payload;
    YAML::Emitter y;
    y << YAML::BeginMap << YAML::Key << "format" << YAML::Value << "stvp-masks";
    y << YAML::Key << "version" << YAML::Value << kMaskFileVersion;
    y << YAML::Key << "bit_order" << YAML::Value << "lsb-first, row-major";
    y << YAML::Key << "batch" << YAML::Value << f.batch;
    y << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
    for (const LayerShape& l : f.layers) {
        y << YAML::Flow << YAML::BeginMap << YAML::Key << "id" << YAML::Value << l.id << YAML::Key << "kind"
          << YAML::Value << to_string(l.kind);
        const std::pair<const char*, uint32_t> fields[] = {{"c", l.c}, {"h", l.h},           {"w", l.w},
                                                           {"k", l.k}, {"r", l.r},           {"s", l.s},
                                                           {"stride", l.stride}, {"pad", l.pad}};
        for (const auto& [k, v] : fields) y << YAML::Key << k << YAML::Value << v;
        y << YAML::EndMap;
    }
    y << YAML::EndSeq;
    y << YAML::Key << "records" << YAML::Value << YAML::BeginSeq;
    for (const MaskRecord& r : f.records) {
        uLongf n = compressBound(uLong(r.map.bits.size()));
        std::vector<uint8_t> z(n);
        if (compress2(z.data(), &n, r.map.bits.data(), uLong(r.map.bits.size()), 9) != Z_OK)
            throw MaskFileError("masks file: zlib could not compress a record");
        y << YAML::Flow << YAML::BeginMap << YAML::Key << "step" << YAML::Value << r.step << YAML::Key << "layer"
          << YAML::Value << r.layer << YAML::Key << "map" << YAML::Value << to_string(r.kind) << YAML::Key << "dims"
          << YAML::Value << YAML::Flow << r.map.dims << YAML::Key << "ones" << YAML::Value << r.map.ones()
          << YAML::Key << "offset" << YAML::Value << payload.size() << YAML::Key << "bytes" << YAML::Value
          << uint64_t(n) << YAML::Key << "crc32" << YAML::Value << crc32_of(r.map.bits) << YAML::EndMap;
        payload.append(reinterpret_cast<const char*>(z.data()), n);
    }
    y << YAML::EndSeq << YAML::EndMap;
    const std::string header = std::string(y.c_str()) + "\n";
    std::string out(kMagic, sizeof kMagic);
    put32(out, kMaskFileVersion);
    put32(out, uint32_t(header.size()));
    return out + header + payload;
}

MaskFile decode_mask_file(const std::string& bytes, const std::string& origin) {
    auto fail = [&](const std::string& why) { return MaskFileError(origin + ": " + why); };
    if (bytes.size() < kPreamble || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        throw fail("not a masks file (no STVPMASK magic; written by stvp capture.masks or stvp_reftrain)");
    const uint32_t version = get32(bytes, 8), hlen = get32(bytes, 12);
    if (version != kMaskFileVersion)
        throw fail("format version " + std::to_string(version) + " (this program reads version " +
                   std::to_string(kMaskFileVersion) + ")");
    if (hlen > kMaxHeaderBytes || kPreamble + hlen > bytes.size())
        throw fail("truncated: the header needs " + std::to_string(hlen) + " bytes, the file has " +
                   std::to_string(bytes.size() - kPreamble) + " after the preamble");
    YAML::Node h;
    try {
        h = YAML::Load(bytes.substr(kPreamble, hlen));
    } catch (const YAML::Exception& e) {
        throw fail("header is not YAML: " + std::string(e.what()));
    }
    const size_t payload_at = kPreamble + hlen;
    const uint64_t payload_size = bytes.size() - payload_at;
    MaskFile f;
    std::string where = "header";
    try {
        if (!h.IsMap() || h["format"].as<std::string>("") != "stvp-masks") throw fail("header: format is not stvp-masks");
        f.batch = h["batch"].as<uint32_t>();
        where = "header: layers";
        for (const YAML::Node& n : h["layers"]) {
            LayerShape l;
            l.id = n["id"].as<uint32_t>();
            const std::string kind = n["kind"].as<std::string>();
            if (kind != "fc" && kind != "conv") throw fail("header: layer " + std::to_string(l.id) + ": kind '" + kind + "' is not fc or conv");
            l.kind = kind == "conv" ? LayerKind::Conv : LayerKind::Fc;
            l.c = n["c"].as<uint32_t>(), l.h = n["h"].as<uint32_t>(), l.w = n["w"].as<uint32_t>();
            l.k = n["k"].as<uint32_t>(), l.r = n["r"].as<uint32_t>(), l.s = n["s"].as<uint32_t>();
            l.stride = n["stride"].as<uint32_t>(), l.pad = n["pad"].as<uint32_t>();
            f.layers.push_back(l);
        }
        size_t i = 0;
        for (const YAML::Node& n : h["records"]) {
            where = "header: records[" + std::to_string(i++) + "]";
            MaskRecord r;
            r.step = n["step"].as<uint32_t>();
            r.layer = n["layer"].as<uint32_t>();
            const std::string map = n["map"].as<std::string>();
            if (!parse_kind(map, &r.kind)) throw fail(where + ": map '" + map + "' is not weights, inputs or output_grads");
            r.map.dims = n["dims"].as<std::vector<uint32_t>>();
            const uint64_t off = n["offset"].as<uint64_t>(), zbytes = n["bytes"].as<uint64_t>();
            const uint64_t ones = n["ones"].as<uint64_t>();
            const uint32_t crc = n["crc32"].as<uint32_t>();
            if (r.map.dims.size() != 4 || r.map.elements() > (uint64_t{1} << 36))
                throw fail(where + ": dims " + dims_text(r.map.dims) + " are not 4 sizes of a plausible tensor");
            if (off > payload_size || zbytes > payload_size - off)
                throw fail(where + ": truncated: data at payload bytes " + std::to_string(off) + " + " +
                           std::to_string(zbytes) + ", the payload has " + std::to_string(payload_size));
            uLongf n_out = uLongf((r.map.elements() + 7) / 8);
            r.map.bits.assign(n_out, 0);
            const int zr = uncompress(r.map.bits.data(), &n_out,
                                      reinterpret_cast<const Bytef*>(bytes.data() + payload_at + off), uLong(zbytes));
            if (zr != Z_OK || n_out != r.map.bits.size())
                throw fail(where + ": corrupt data (zlib: " + (zr == Z_OK ? std::string("wrong length") : zError(zr)) + ")");
            if (crc32_of(r.map.bits) != crc) throw fail(where + ": CRC-32 mismatch (the data is corrupt)");
            if (r.map.ones() != ones) throw fail(where + ": 'ones' " + std::to_string(ones) + " disagrees with the data");
            f.records.push_back(std::move(r));
        }
    } catch (const YAML::Exception& e) {
        throw fail(where + ": missing or malformed key (" + e.msg + ")");
    }
    const std::string bad = f.validate();
    if (!bad.empty()) throw fail(bad);
    return f;
}

std::string compare_mask_files(const MaskFile& a, const MaskFile& b) {
    if (a.batch != b.batch) return "batch " + std::to_string(a.batch) + " in A, " + std::to_string(b.batch) + " in B";
    for (const LayerShape& la : a.layers) {
        const LayerShape* lb = b.layer(la.id);
        if (!lb) return "layer " + std::to_string(la.id) + " (" + la.describe() + ") only in A";
        if (*lb != la) return "layer " + std::to_string(la.id) + ": " + la.describe() + " in A, " + lb->describe() + " in B";
    }
    for (const LayerShape& lb : b.layers)
        if (!a.layer(lb.id)) return "layer " + std::to_string(lb.id) + " (" + lb.describe() + ") only in B";
    for (const MaskRecord& ra : a.records) {
        const std::string what = "step " + std::to_string(ra.step) + ", layer " + std::to_string(ra.layer) + ", " +
                                 to_string(ra.kind);
        const MaskRecord* rb = b.find(ra.step, ra.layer, ra.kind);
        if (!rb) return what + ": only in A";
        if (ra.map.bits == rb->map.bits) continue;
        for (uint64_t i = 0; i < ra.map.elements(); ++i)
            if (ra.map.get(i) != rb->map.get(i)) {
                std::string idx;
                uint64_t rest = i;
                std::vector<uint64_t> coord(ra.map.dims.size());
                for (size_t d = ra.map.dims.size(); d-- > 0;) coord[d] = rest % ra.map.dims[d], rest /= ra.map.dims[d];
                for (uint64_t c : coord) idx += "[" + std::to_string(c) + "]";
                return what + ": element " + std::to_string(i) + " (" + idx + ") is " + std::to_string(ra.map.get(i)) +
                       " in A, " + std::to_string(rb->map.get(i)) + " in B";
            }
    }
    for (const MaskRecord& rb : b.records)
        if (!a.find(rb.step, rb.layer, rb.kind))
            return "step " + std::to_string(rb.step) + ", layer " + std::to_string(rb.layer) + ", " + to_string(rb.kind) +
                   ": only in B";
    return "";
}

void write_mask_file(const std::string& path, const MaskFile& f) {
    const std::string bytes = encode_mask_file(f);
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) throw MaskFileError(path + ": cannot write the masks file");
}

MaskFile read_mask_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw MaskFileError(path + ": cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return decode_mask_file(s.str(), path);
}

}  // namespace stvp::capture
