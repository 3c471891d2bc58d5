// Captured training masks (the "masks file"): per training step and weight layer, which weights
// the forward op reads are non-zero (Procrustes/DropBack: the tracked set), which elements of the
// layer's input activations are non-zero (ReLU zeros), and which elements of its output gradient
// are non-zero as the weight-gradient op reads it (SparseTrain's pruned gradients and the
// ReLU-backward zeros). Written by stvp (capture.* keys, models/accel's recorder) and by
// stvp_reftrain for the same run; read by stvp_explore --masks. Format: README.md next to this
// file (version 1: magic, a YAML header with the layer shapes and record table, zlib-deflated
// bit maps with CRC-32s).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace stvp::capture {

// A file that cannot be read or written; the message names the file and what is wrong.
class MaskFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr uint32_t kMaskFileVersion = 1;

enum class LayerKind : uint8_t { Fc = 1, Conv = 2 };
const char* to_string(LayerKind k);

// A weight layer's geometry (FC: c -> k with h = w = r = s = stride = 1, pad = 0).
struct LayerShape {
    uint32_t id = 0;  // the descriptors' layer tag (sw/train: index in the network table + 1)
    LayerKind kind = LayerKind::Fc;
    uint32_t c = 1, h = 1, w = 1, k = 1, r = 1, s = 1, stride = 1, pad = 0;
    uint32_t out_h() const { return (h + 2 * pad - r) / stride + 1; }
    uint32_t out_w() const { return (w + 2 * pad - s) / stride + 1; }
    std::string describe() const;  // "conv C6 H14 W14 -> K16 5x5 stride 1 pad 0" / "fc 400 -> 120"
    bool operator==(const LayerShape& o) const;
    bool operator!=(const LayerShape& o) const { return !(*this == o); }
};

// Which map a record holds, with its dimensions:
//   Weights     [K][C][R][S]  non-zero weights the forward op reads
//   Inputs      [N][C][H][W]  non-zero input activations of the forward op
//   OutputGrads [N][K][P][Q]  non-zero output gradients the weight-gradient op reads
enum class MapKind : uint8_t { Weights = 0, Inputs = 1, OutputGrads = 2 };
const char* to_string(MapKind k);
constexpr int kMapKinds = 3;

// One bit map, packed LSB first (element i is bit i % 8 of byte i / 8; padding bits 0),
// row-major over dims.
struct BitMap {
    std::vector<uint32_t> dims;
    std::vector<uint8_t> bits;
    uint64_t elements() const;
    uint64_t ones() const;
    bool get(uint64_t i) const { return (bits[i >> 3] >> (i & 7)) & 1u; }
    // From a byte map (0 = zero, anything else = non-zero) or a float tensor (!= 0.0f).
    static BitMap from_bytes(std::vector<uint32_t> dims, const uint8_t* nz);
    static BitMap from_floats(std::vector<uint32_t> dims, const float* t);
    // Unpacks elements [0, count) as 0/1 bytes.
    std::vector<uint8_t> unpack(uint64_t count) const;
};

struct MaskRecord {
    uint32_t step = 0;   // global training step (from 0)
    uint32_t layer = 0;  // LayerShape::id
    MapKind kind = MapKind::Weights;
    BitMap map;
};

struct MaskFile {
    uint32_t batch = 0;               // N of the Inputs / OutputGrads maps
    std::vector<LayerShape> layers;   // by increasing id
    std::vector<MaskRecord> records;  // by (step, layer, kind)

    const LayerShape* layer(uint32_t id) const;
    const MaskRecord* find(uint32_t step, uint32_t layer, MapKind kind) const;
    std::vector<uint32_t> steps() const;  // increasing, unique
    // The dims a record of `kind` must have for layer `l` at this batch.
    std::vector<uint32_t> expected_dims(const LayerShape& l, MapKind kind) const;
    // "" if every record names a known layer, has the expected dims and the data fits; else why not.
    std::string validate() const;
};

// "" if a and b hold the same batch, layers and records bit for bit; else the first difference
// ("step 4, layer 3, inputs: element 1234 ([0][1][2][3]) is 1 in A, 0 in B").
std::string compare_mask_files(const MaskFile& a, const MaskFile& b);

void write_mask_file(const std::string& path, const MaskFile& f);  // throws MaskFileError
MaskFile read_mask_file(const std::string& path);                 // throws MaskFileError
// The same on bytes (tests; `origin` names the data in messages).
std::string encode_mask_file(const MaskFile& f);
MaskFile decode_mask_file(const std::string& bytes, const std::string& origin);

}  // namespace stvp::capture
