// The masks file (models/accel/capture/mask_file.h): round trip, and every way a file can be
// bad is refused with a message naming the file and what is wrong.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "accel/capture/mask_file.h"

using namespace stvp::capture;

namespace {

// A conv layer (id 1) and an fc layer (id 3) at batch 2, two steps, every map kind.
MaskFile sample_file() {
    MaskFile f;
    f.batch = 2;
    LayerShape conv;
    conv.id = 1, conv.kind = LayerKind::Conv, conv.c = 2, conv.h = 5, conv.w = 5, conv.k = 3, conv.r = conv.s = 3;
    conv.stride = 1, conv.pad = 1;
    LayerShape fc;
    fc.id = 3, fc.c = 7, fc.k = 5;
    f.layers = {conv, fc};
    uint32_t seed = 7;
    auto rnd = [&]() { return (seed = seed * 1103515245u + 12345u) >> 16 & 1u; };
    for (uint32_t step : {0u, 9u})
        for (const LayerShape& l : f.layers)
            for (MapKind k : {MapKind::Weights, MapKind::Inputs, MapKind::OutputGrads}) {
                const std::vector<uint32_t> dims = f.expected_dims(l, k);
                std::vector<uint8_t> nz(dims[0] * dims[1] * dims[2] * dims[3]);
                for (auto& x : nz) x = uint8_t(rnd());
                f.records.push_back({step, l.id, k, BitMap::from_bytes(dims, nz.data())});
            }
    return f;
}

std::string error_of(const std::string& bytes) {
    try {
        decode_mask_file(bytes, "x.masks");
    } catch (const MaskFileError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(MaskFile, BitMapPacksLsbFirstRowMajor) {
    const uint8_t nz[10] = {1, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    const BitMap m = BitMap::from_bytes({1, 1, 2, 5}, nz);
    ASSERT_EQ(m.bits.size(), 2u);
    EXPECT_EQ(m.bits[0], 0x09);  // elements 0 and 3
    EXPECT_EQ(m.bits[1], 0x02);  // element 9
    EXPECT_EQ(m.ones(), 3u);
    const float t[3] = {0.0f, -0.0f, 1e-30f};  // -0 is zero, a denormal-range value is not
    EXPECT_EQ(BitMap::from_floats({1, 1, 1, 3}, t).bits[0], 0x04);
    EXPECT_EQ(m.unpack(10), std::vector<uint8_t>(nz, nz + 10));
}

TEST(MaskFile, RoundTripKeepsEveryBitAndShape) {
    const MaskFile f = sample_file();
    const MaskFile g = decode_mask_file(encode_mask_file(f), "mem");
    EXPECT_EQ(compare_mask_files(f, g), "");
    EXPECT_EQ(g.batch, 2u);
    ASSERT_EQ(g.layers.size(), 2u);
    EXPECT_EQ(g.layers[0], f.layers[0]);
    EXPECT_EQ(g.layers[0].describe(), "conv C2 H5 W5 -> K3 3x3 stride 1 pad 1");
    EXPECT_EQ(g.layers[1].describe(), "fc 7 -> 5");
    EXPECT_EQ(g.steps(), (std::vector<uint32_t>{0, 9}));
    ASSERT_EQ(g.records.size(), 12u);
    const MaskRecord* r = g.find(9, 1, MapKind::OutputGrads);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->map.dims, (std::vector<uint32_t>{2, 3, 5, 5}));
    EXPECT_EQ(r->map.bits, f.find(9, 1, MapKind::OutputGrads)->map.bits);
    // Through a real file too.
    const std::string path = testing::TempDir() + "round_trip.masks";
    write_mask_file(path, f);
    EXPECT_EQ(compare_mask_files(f, read_mask_file(path)), "");
    std::remove(path.c_str());
}

TEST(MaskFile, CompareNamesTheFirstDifferingElement) {
    const MaskFile f = sample_file();
    MaskFile g = f;
    MaskRecord& r = g.records[4];  // step 0, layer 3, inputs [2][7][1][1]
    ASSERT_EQ(r.kind, MapKind::Inputs);
    r.map.bits[1] ^= 0x02;  // element 9 = [1][2][0][0]
    EXPECT_EQ(compare_mask_files(f, g),
              std::string("step 0, layer 3, inputs: element 9 ([1][2][0][0]) is ") + (f.records[4].map.get(9) ? "1" : "0") +
                  " in A, " + (g.records[4].map.get(9) ? "1" : "0") + " in B");
    g = f;
    g.records.pop_back();
    EXPECT_EQ(compare_mask_files(f, g), "step 9, layer 3, output_grads: only in A");
    g = f;
    g.batch = 4;
    EXPECT_EQ(compare_mask_files(f, g), "batch 2 in A, 4 in B");
}

TEST(MaskFile, TruncatedFilesAreRefused) {
    const std::string bytes = encode_mask_file(sample_file());
    EXPECT_NE(error_of(bytes.substr(0, 10)).find("x.masks: not a masks file"), std::string::npos);
    EXPECT_NE(error_of(bytes.substr(0, 40)).find("x.masks: truncated: the header needs"), std::string::npos);
    // Cut in the payload: the last record's data is missing.
    const std::string e = error_of(bytes.substr(0, bytes.size() - 3));
    EXPECT_NE(e.find("x.masks: header: records[11]: truncated"), std::string::npos) << e;
}

TEST(MaskFile, GarbageAndCorruptionAreRefused) {
    EXPECT_NE(error_of("hello, world, this is not a masks file").find("not a masks file"), std::string::npos);
    std::string bytes = encode_mask_file(sample_file());
    std::string v = bytes;
    v[8] = 2;
    EXPECT_NE(error_of(v).find("format version 2 (this program reads version 1)"), std::string::npos);
    // A flipped payload byte: zlib or the CRC catches it.
    v = bytes;
    v[v.size() - 5] ^= 0x5A;
    const std::string e = error_of(v);
    EXPECT_TRUE(e.find("corrupt data") != std::string::npos || e.find("CRC-32 mismatch") != std::string::npos) << e;
    // A record whose CRC-32 in the header does not match its data.
    v = bytes;
    const size_t crc = v.find("crc32: ");
    ASSERT_NE(crc, std::string::npos);
    v[crc + 7] = v[crc + 7] == '1' ? '2' : '1';
    EXPECT_NE(error_of(v).find("x.masks: header: records[0]: CRC-32 mismatch"), std::string::npos) << error_of(v);
    // A header whose dims do not fit the layer.
    v = bytes;
    const size_t at = v.find("dims: [3, 2, 3, 3]");
    ASSERT_NE(at, std::string::npos);
    v.replace(at, 18, "dims: [3, 2, 3, 4]");
    EXPECT_NE(error_of(v).find("header: records[0]"), std::string::npos) << error_of(v);
    // A header that is not YAML, and one without a key.
    v = bytes;
    v.replace(16, 6, "{{{{{{");
    EXPECT_NE(error_of(v).find("header is not YAML"), std::string::npos) << error_of(v);
    v = bytes;
    const size_t b = v.find("batch:");
    v.replace(b, 6, "batxh:");
    EXPECT_NE(error_of(v).find("x.masks: header: missing or malformed key"), std::string::npos) << error_of(v);
}

TEST(MaskFile, ValidateRefusesRecordsThatDoNotFitTheLayers) {
    MaskFile f = sample_file();
    f.records[0].layer = 2;
    EXPECT_NE(f.validate().find("no such layer"), std::string::npos);
    f = sample_file();
    f.records[1].map.dims[0] = 3;  // inputs at batch 3 in a batch-2 file
    EXPECT_NE(f.validate().find("expected [2x2x5x5]"), std::string::npos) << f.validate();
    f = sample_file();
    f.records.push_back(f.records[0]);
    EXPECT_NE(f.validate().find("duplicate of record 0"), std::string::npos);
    f = sample_file();
    f.records[3].map.bits.back() |= 0x80;  // step 0, fc weights [5][7]: 35 bits, bit 39 is padding
    EXPECT_NE(f.validate().find("padding bits"), std::string::npos) << f.validate();
    EXPECT_THROW(encode_mask_file(f), MaskFileError);
    EXPECT_THROW(read_mask_file(testing::TempDir() + "does_not_exist.masks"), MaskFileError);
}
