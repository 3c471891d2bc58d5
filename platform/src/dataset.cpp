#include "dataset.h"

#include <cmath>
#include <cstring>

#include <zlib.h>

#include "stvp/hw/dataset.h"

namespace stvp {

namespace {

// Fashion-MNIST's training-set pixel statistics (pixel / 255), computed once over all 60000
// images; using fixed constants keeps a subset run identical to a full run.
constexpr float kFashionMean = 0.2860402f;
constexpr float kFashionStd = 0.3530239f;

uint32_t be32(const uint8_t* p) { return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]; }

uint32_t align64(uint64_t v) { return uint32_t((v + 63) & ~uint64_t(63)); }

}  // namespace

IdxArray read_idx(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files too
    if (!f) throw DatasetError(path + ": cannot open data file");
    std::vector<uint8_t> bytes;
    uint8_t buf[1 << 16];
    for (;;) {
        int n = gzread(f, buf, sizeof buf);
        if (n < 0) {
            int err = 0;
            std::string msg = gzerror(f, &err);
            gzclose(f);
            throw DatasetError(path + ": corrupt compressed data (" + msg + ")");
        }
        if (n == 0) break;
        bytes.insert(bytes.end(), buf, buf + n);
    }
    gzclose(f);
    if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
        throw DatasetError(path + ": not an IDX file (bad magic number)");
    if (bytes[2] != 0x08) throw DatasetError(path + ": IDX element type " + std::to_string(bytes[2]) + " is not unsigned byte (8)");
    unsigned ndims = bytes[3];
    if (ndims == 0 || ndims > 4) throw DatasetError(path + ": IDX has " + std::to_string(ndims) + " dimensions");
    if (bytes.size() < 4 + 4 * ndims) throw DatasetError(path + ": truncated IDX header");
    IdxArray a;
    uint64_t count = 1;
    for (unsigned i = 0; i < ndims; ++i) {
        a.dims.push_back(be32(&bytes[4 + 4 * i]));
        count *= a.dims.back();
    }
    uint64_t have = bytes.size() - 4 - 4 * ndims;
    if (have != count)
        throw DatasetError(path + ": IDX header promises " + std::to_string(count) + " bytes of data, file has " +
                           std::to_string(have) + (have < count ? " (truncated)" : ""));
    a.data.assign(bytes.begin() + 4 + 4 * ndims, bytes.end());
    return a;
}

Dataset load_fashion_mnist(const std::string& dir, uint32_t train_limit, uint32_t test_limit) {
    Dataset d;
    d.classes = 10;
    d.mean = kFashionMean;
    d.std = kFashionStd;
    auto split = [&](const std::string& prefix, uint32_t limit, std::vector<float>& x, std::vector<int32_t>& y) {
        std::string ip = dir + "/" + prefix + "-images-idx3-ubyte.gz";
        std::string lp = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
        IdxArray images = read_idx(ip);
        IdxArray labels = read_idx(lp);
        if (images.dims.size() != 3) throw DatasetError(ip + ": expected 3 dimensions (count, rows, cols)");
        if (labels.dims.size() != 1) throw DatasetError(lp + ": expected 1 dimension (count)");
        if (images.dims[0] != labels.dims[0])
            throw DatasetError(ip + " has " + std::to_string(images.dims[0]) + " images but " + lp + " has " +
                               std::to_string(labels.dims[0]) + " labels");
        if (d.rows && (images.dims[1] != d.rows || images.dims[2] != d.cols))
            throw DatasetError(ip + ": image size differs from the training split's");
        d.rows = images.dims[1];
        d.cols = images.dims[2];
        uint32_t n = images.dims[0];
        if (limit && limit < n) n = limit;
        size_t pixels = size_t(d.rows) * d.cols;
        x.resize(size_t(n) * pixels);
        y.resize(n);
        for (uint32_t i = 0; i < n; ++i) {
            uint8_t label = labels.data[i];
            if (label >= d.classes)
                throw DatasetError(lp + ": label " + std::to_string(label) + " of sample " + std::to_string(i) +
                                   " is outside 0.." + std::to_string(d.classes - 1));
            y[i] = label;
            const uint8_t* px = &images.data[size_t(i) * pixels];
            float* out = &x[size_t(i) * pixels];
            for (size_t p = 0; p < pixels; ++p) out[p] = (float(px[p]) / 255.0f - d.mean) / d.std;
        }
    };
    split("train", train_limit, d.train_x, d.train_y);
    split("t10k", test_limit, d.test_x, d.test_y);
    return d;
}

std::vector<uint8_t> pack_dataset(const Dataset& d, uint32_t base) {
    stvp_dataset_header_t h{};
    h.magic = STVP_DATASET_MAGIC;
    h.version = STVP_DATASET_VERSION;
    h.train_count = d.train_count();
    h.test_count = d.test_count();
    h.rows = d.rows;
    h.cols = d.cols;
    h.channels = d.channels;
    h.classes = d.classes;
    uint64_t at = base + uint64_t(align64(sizeof h));
    auto place = [&](uint64_t bytes) {
        uint64_t a = at;
        at = align64(at + bytes);
        if (at > 0xffffffffull) throw DatasetError("data set does not fit below 4 GiB from its base address");
        return uint32_t(a);
    };
    h.train_images = place(d.train_x.size() * 4);
    h.train_labels = place(d.train_y.size() * 4);
    h.test_images = place(d.test_x.size() * 4);
    h.test_labels = place(d.test_y.size() * 4);
    std::memcpy(&h.mean_bits, &d.mean, 4);
    std::memcpy(&h.std_bits, &d.std, 4);
    h.end = uint32_t(at);
    std::vector<uint8_t> out(at - base, 0);
    std::memcpy(out.data(), &h, sizeof h);
    auto copy = [&](uint32_t addr, const void* src, size_t bytes) {
        if (bytes) std::memcpy(out.data() + (addr - base), src, bytes);
    };
    copy(h.train_images, d.train_x.data(), d.train_x.size() * 4);
    copy(h.train_labels, d.train_y.data(), d.train_y.size() * 4);
    copy(h.test_images, d.test_x.data(), d.test_x.size() * 4);
    copy(h.test_labels, d.test_y.data(), d.test_y.size() * 4);
    return out;
}

}  // namespace stvp
