// Data set loading: IDX parsing (gzip and plain), normalisation, packing behind the shared
// header, and clear errors for missing, corrupt or inconsistent files.
#include <cstring>
#include <cmath>
#include <fstream>
#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "dataset.h"
#include "stvp/hw/dataset.h"

using namespace stvp;
using ::testing::HasSubstr;

namespace {

std::string temp_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string d = ::testing::TempDir() + "stvp_ds_" + info->name();
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("mkdir failed");
    return d;
}

std::vector<uint8_t> idx(std::vector<uint32_t> dims, const std::vector<uint8_t>& data, uint8_t type = 8) {
    std::vector<uint8_t> b{0, 0, type, uint8_t(dims.size())};
    for (uint32_t d : dims)
        for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(d >> s));
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

void write_gz(const std::string& path, const std::vector<uint8_t>& b) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_TRUE(f);
    ASSERT_EQ(gzwrite(f, b.data(), unsigned(b.size())), int(b.size()));
    gzclose(f);
}

// A tiny Fashion-MNIST-shaped set: `n` 2x3 images per split.
void make_set(const std::string& dir, uint32_t n, uint8_t bad_label = 0) {
    std::vector<uint8_t> px, lb;
    for (uint32_t i = 0; i < n * 6; ++i) px.push_back(uint8_t(i * 37));
    for (uint32_t i = 0; i < n; ++i) lb.push_back(uint8_t(i % 10));
    if (bad_label) lb[0] = bad_label;
    for (const char* split : {"train", "t10k"}) {
        write_gz(dir + "/" + split + "-images-idx3-ubyte.gz", idx({n, 2, 3}, px));
        write_gz(dir + "/" + split + "-labels-idx1-ubyte.gz", idx({n}, lb));
    }
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Dataset, ReadsAndNormalisesIdx) {
    std::string d = temp_dir();
    make_set(d, 4);
    Dataset ds = load_fashion_mnist(d, 0, 0);
    EXPECT_EQ(ds.rows, 2u);
    EXPECT_EQ(ds.cols, 3u);
    EXPECT_EQ(ds.train_count(), 4u);
    EXPECT_EQ(ds.test_count(), 4u);
    EXPECT_EQ(ds.train_y[3], 3);
    // pixel 1 of image 0 is 37
    EXPECT_FLOAT_EQ(ds.train_x[1], (37.0f / 255.0f - ds.mean) / ds.std);
}

TEST(Dataset, LimitsTakeTheFirstSamples) {
    std::string d = temp_dir();
    make_set(d, 5);
    Dataset ds = load_fashion_mnist(d, 2, 3);
    EXPECT_EQ(ds.train_count(), 2u);
    EXPECT_EQ(ds.test_count(), 3u);
}

TEST(Dataset, PacksBehindTheSharedHeader) {
    std::string d = temp_dir();
    make_set(d, 3);
    Dataset ds = load_fashion_mnist(d, 0, 0);
    const uint32_t base = 0x90000000;
    std::vector<uint8_t> img = pack_dataset(ds, base);
    stvp_dataset_header_t h;
    std::memcpy(&h, img.data(), sizeof h);
    EXPECT_EQ(h.magic, STVP_DATASET_MAGIC);
    EXPECT_EQ(h.train_count, 3u);
    EXPECT_EQ(h.rows * h.cols, 6u);
    EXPECT_EQ(h.train_images % 64, 0u);
    EXPECT_EQ(h.end, base + img.size());
    float x;
    std::memcpy(&x, &img[h.train_images - base + 4], 4);
    EXPECT_EQ(x, ds.train_x[1]);
    int32_t y;
    std::memcpy(&y, &img[h.test_labels - base + 8], 4);
    EXPECT_EQ(y, 2);
}

TEST(Dataset, MissingFileIsNamed) {
    EXPECT_THAT(error_of([] { load_fashion_mnist("/nonexistent", 0, 0); }),
                HasSubstr("/nonexistent/train-images-idx3-ubyte.gz: cannot open"));
}

TEST(Dataset, CorruptFilesAreRejected) {
    std::string d = temp_dir();
    std::string p = d + "/x.idx";
    std::ofstream(p, std::ios::binary) << "hello world";
    EXPECT_THAT(error_of([&] { read_idx(p); }), HasSubstr("bad magic"));
    auto b = idx({4, 2, 3}, std::vector<uint8_t>(10, 1));  // promises 24 bytes
    write_gz(p, b);
    EXPECT_THAT(error_of([&] { read_idx(p); }), HasSubstr("(truncated)"));
    write_gz(p, idx({2}, {1, 2}, 0x0d));  // float elements
    EXPECT_THAT(error_of([&] { read_idx(p); }), HasSubstr("not unsigned byte"));
    // A gzip stream cut in the middle.
    write_gz(p, idx({1000}, std::vector<uint8_t>(1000, 7)));
    std::string cut = d + "/cut.gz";
    {
        std::ifstream in(p, std::ios::binary);
        std::vector<char> all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::ofstream(cut, std::ios::binary).write(all.data(), long(all.size() / 2));
    }
    EXPECT_THAT(error_of([&] { read_idx(cut); }), HasSubstr("cut.gz"));
}

TEST(Dataset, InconsistentSplitsAreRejected) {
    std::string d = temp_dir();
    make_set(d, 4);
    write_gz(d + "/train-labels-idx1-ubyte.gz", idx({3}, {1, 2, 3}));
    EXPECT_THAT(error_of([&] { load_fashion_mnist(d, 0, 0); }), HasSubstr("has 4 images but"));
    make_set(d, 4, 12);
    EXPECT_THAT(error_of([&] { load_fashion_mnist(d, 0, 0); }), HasSubstr("label 12 of sample 0 is outside 0..9"));
}

TEST(Dataset, RealFashionMnistFromDebian) {
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    Dataset ds = load_fashion_mnist(dir, 0, 0);
    EXPECT_EQ(ds.train_count(), 60000u);
    EXPECT_EQ(ds.test_count(), 10000u);
    EXPECT_EQ(ds.rows, 28u);
    EXPECT_EQ(ds.cols, 28u);
    // The normalisation constants are the training set's statistics.
    double sum = 0, sq = 0;
    for (float v : ds.train_x) sum += v, sq += double(v) * v;
    double mean = sum / ds.train_x.size();
    EXPECT_NEAR(mean, 0.0, 1e-3);
    EXPECT_NEAR(std::sqrt(sq / ds.train_x.size() - mean * mean), 1.0, 1e-3);
}

// Crafted size fields (found by fuzzing): the element count of (65536, 2^24, 2^24) is 2^64,
// which wrapped to 0 and matched an empty file; the Release build then read far outside the
// arrays. Every size is now checked before anything is allocated or read.
TEST(Dataset, SizeFieldsThatOverflowAreRefusedNamingFileAndField) {
    std::string d = temp_dir();
    std::string p = d + "/x.gz";
    write_gz(p, idx({65536, 1u << 24, 1u << 24}, {}));
    std::string e = error_of([&] { read_idx(p); });
    EXPECT_THAT(e, HasSubstr("x.gz: IDX size field 2 (16777216) makes the element count overflow"));
    make_set(d, 2);
    write_gz(d + "/train-images-idx3-ubyte.gz", idx({65536, 1u << 24, 1u << 24}, {}));
    write_gz(d + "/train-labels-idx1-ubyte.gz", idx({65536}, {}));
    EXPECT_THAT(error_of([&] { load_fashion_mnist(d, 0, 0); }),
                HasSubstr("train-images-idx3-ubyte.gz: IDX size field 2"));
}

TEST(Dataset, ImagesTooLargeForTheAddressSpaceAreRefused) {
    std::string d = temp_dir();
    make_set(d, 2);
    // No images, but 2^32 pixels each: the old reader accepted it (0 bytes promised, 0 found).
    write_gz(d + "/t10k-images-idx3-ubyte.gz", idx({0, 65536, 65536}, {}));
    write_gz(d + "/t10k-labels-idx1-ubyte.gz", idx({0}, {}));
    EXPECT_THAT(error_of([&] { load_fashion_mnist(d, 0, 0); }),
                HasSubstr("t10k-images-idx3-ubyte.gz: IDX size fields rows 65536 and cols 65536"));
    // 2^20 images of 64x64 fp32 are 16 GiB: refused from the header, before any data is read.
    write_gz(d + "/train-images-idx3-ubyte.gz", idx({1u << 20, 64, 64}, {}));
    write_gz(d + "/train-labels-idx1-ubyte.gz", idx({1u << 20}, {}));
    EXPECT_THAT(error_of([&] { FashionMnistReader(d, 0, 0); }),
                HasSubstr("train-images-idx3-ubyte.gz: IDX size field count (1048576 images of 64x64) does not fit"));
}

// The platform's preload path (pieces written straight into memory) puts exactly the bytes of
// the packed image everywhere it writes, and writes every array.
TEST(Dataset, StreamingWriteMatchesThePackedImage) {
    std::string d = temp_dir();
    make_set(d, 5);
    const uint32_t base = 0x90000000;
    const std::vector<uint8_t> packed = pack_dataset(load_fashion_mnist(d, 4, 3), base);
    std::vector<uint8_t> mem(packed.size(), 0xee);
    std::vector<bool> written(packed.size(), false);
    FashionMnistReader(d, 4, 3).write(base, [&](uint64_t addr, const void* data, std::size_t n) {
        ASSERT_GE(addr, base);
        ASSERT_LE(addr - base + n, mem.size());
        std::memcpy(&mem[addr - base], data, n);
        for (std::size_t i = 0; i < n; ++i) {
            EXPECT_FALSE(written[addr - base + i]) << "byte written twice at " << addr + i;
            written[addr - base + i] = true;
        }
    });
    stvp_dataset_header_t h;
    std::memcpy(&h, packed.data(), sizeof h);
    for (std::size_t i = 0; i < packed.size(); ++i)
        if (written[i]) {
            EXPECT_EQ(mem[i], packed[i]) << "at offset " << i;
        }
    // Header and every array were written.
    for (uint32_t a : {base, h.train_images, h.train_labels, h.test_images, h.test_labels}) EXPECT_TRUE(written[a - base]);
    EXPECT_TRUE(written[h.test_labels - base + 3 * 4 - 1]);
}

TEST(Dataset, ProgressCountsEverySample) {
    std::string d = temp_dir();
    make_set(d, 5);
    uint64_t last = 0, total = 0;
    FashionMnistReader(d, 0, 0).write(
        0x1000, [](uint64_t, const void*, std::size_t) {},
        [&](uint64_t done, uint64_t all) {
            EXPECT_GT(done, last);
            last = done;
            total = all;
        });
    EXPECT_EQ(total, 10u);
    EXPECT_EQ(last, 10u);
}
