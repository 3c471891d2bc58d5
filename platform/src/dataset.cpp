#include "dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

#include <zlib.h>

namespace stvp {

namespace {

// Fashion-MNIST's training-set pixel statistics (pixel / 255), computed once over all 60000
// images; using fixed constants keeps a subset run identical to a full run.
constexpr float kFashionMean = 0.2860402f;
constexpr float kFashionStd = 0.3530239f;

// Samples converted per piece: 4096 Fashion-MNIST images are 12.8 MB of fp32.
constexpr uint32_t kChunkSamples = 4096;

uint32_t be32(const uint8_t* p) { return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]; }

uint64_t align64(uint64_t v) { return (v + 63) & ~uint64_t(63); }

gzFile gz(void* f) { return static_cast<gzFile>(f); }

}  // namespace

// ---------------------------------------------------------------------------------------
// IdxReader

IdxReader::IdxReader(const std::string& path) : path_(path) {
    file_ = gzopen(path.c_str(), "rb");  // reads plain files too
    if (!file_) throw DatasetError(path + ": cannot open data file");
    gzbuffer(gz(file_), 1 << 17);
    try {
        read_header();
    } catch (...) {
        gzclose(gz(file_));  // the destructor does not run for a constructor that throws
        throw;
    }
}

void IdxReader::read_header() {
    auto fail = [&](const std::string& why) { throw DatasetError(path_ + ": " + why); };
    uint8_t magic[4];
    if (raw_read(magic, 4) < 4 || magic[0] != 0 || magic[1] != 0) fail("not an IDX file (bad magic number)");
    if (magic[2] != 0x08) fail("IDX element type " + std::to_string(magic[2]) + " is not unsigned byte (8)");
    const unsigned ndims = magic[3];
    if (ndims == 0 || ndims > 4) fail("IDX has " + std::to_string(ndims) + " dimensions");
    uint8_t sizes[16];
    if (raw_read(sizes, 4 * ndims) < 4 * ndims) fail("truncated IDX header");
    elements_ = 1;
    for (unsigned i = 0; i < ndims; ++i) {
        dims_.push_back(be32(&sizes[4 * i]));
        if (__builtin_mul_overflow(elements_, uint64_t(dims_.back()), &elements_))
            fail("IDX size field " + std::to_string(i) + " (" + std::to_string(dims_.back()) +
                 ") makes the element count overflow 64 bits");
    }
}

IdxReader::~IdxReader() {
    if (file_) gzclose(gz(file_));
}

std::size_t IdxReader::raw_read(uint8_t* out, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
        const unsigned ask = unsigned(std::min<std::size_t>(n - got, 1u << 30));
        const int r = gzread(gz(file_), out + got, ask);
        if (r < 0) {
            int err = 0;
            throw DatasetError(path_ + ": corrupt compressed data (" + gzerror(gz(file_), &err) + ")");
        }
        if (r == 0) break;
        got += std::size_t(r);
    }
    return got;
}

void IdxReader::read(uint8_t* out, std::size_t n) {
    if (n > elements_ - consumed_)
        throw std::logic_error(path_ + ": read past the promised IDX data");
    const std::size_t got = raw_read(out, n);
    consumed_ += got;
    if (got < n)
        throw DatasetError(path_ + ": IDX header promises " + std::to_string(elements_) + " bytes of data, file has " +
                           std::to_string(consumed_) + " (truncated)");
}

void IdxReader::expect_end() {
    uint8_t extra[4096];
    uint64_t more = 0;
    for (std::size_t r; (r = raw_read(extra, sizeof extra)) > 0;) more += r;
    if (more)
        throw DatasetError(path_ + ": IDX header promises " + std::to_string(elements_) + " bytes of data, file has " +
                           std::to_string(consumed_ + more));
}

IdxArray read_idx(const std::string& path) {
    IdxReader r(path);
    IdxArray a;
    a.dims = r.dims();
    // Grow with what arrives rather than trusting the header's size up front.
    for (uint64_t left = r.elements(); left;) {
        const std::size_t n = std::size_t(std::min<uint64_t>(left, 1 << 20));
        a.data.resize(a.data.size() + n);
        r.read(a.data.data() + a.data.size() - n, n);
        left -= n;
    }
    r.expect_end();
    return a;
}

// ---------------------------------------------------------------------------------------
// Layout

stvp_dataset_header_t dataset_layout(uint32_t train_count, uint32_t test_count, uint32_t rows, uint32_t cols,
                                     uint32_t classes, float mean, float std, uint32_t base) {
    stvp_dataset_header_t h{};
    h.magic = STVP_DATASET_MAGIC;
    h.version = STVP_DATASET_VERSION;
    h.train_count = train_count;
    h.test_count = test_count;
    h.rows = rows;
    h.cols = cols;
    h.channels = 1;
    h.classes = classes;
    // Each size is below 2^32 * 2^32 * 4 bytes only if checked: do it in steps that cannot wrap.
    const uint64_t pixels = uint64_t(rows) * cols;  // < 2^64
    uint64_t at = uint64_t(base) + align64(sizeof h);
    auto place = [&](uint64_t count, uint64_t elem_bytes) {
        uint64_t bytes = 0;
        if (__builtin_mul_overflow(count, elem_bytes, &bytes) || bytes > 0xffffffffull ||
            align64(at + bytes) > 0xffffffffull)
            throw DatasetError("data set does not fit below 4 GiB from its base address");
        const uint64_t a = at;
        at = align64(at + bytes);
        return uint32_t(a);
    };
    if (pixels > 0xffffffffull) throw DatasetError("data set does not fit below 4 GiB from its base address");
    h.train_images = place(train_count, pixels * 4);
    h.train_labels = place(train_count, 4);
    h.test_images = place(test_count, pixels * 4);
    h.test_labels = place(test_count, 4);
    std::memcpy(&h.mean_bits, &mean, 4);
    std::memcpy(&h.std_bits, &std, 4);
    h.end = uint32_t(at);
    return h;
}

std::vector<uint8_t> pack_dataset(const Dataset& d, uint32_t base) {
    const stvp_dataset_header_t h =
        dataset_layout(d.train_count(), d.test_count(), d.rows, d.cols, d.classes, d.mean, d.std, base);
    std::vector<uint8_t> out(h.end - base, 0);
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

// ---------------------------------------------------------------------------------------
// FashionMnistReader

FashionMnistReader::FashionMnistReader(const std::string& dir, uint32_t train_limit, uint32_t test_limit)
    : mean_(kFashionMean), std_(kFashionStd) {
    for (int p = 0; p < 256; ++p) lut_[p] = (float(p) / 255.0f - mean_) / std_;
    train_ = open_split(dir, "train", train_limit);
    test_ = open_split(dir, "t10k", test_limit);
    layout(0);  // every size fits (checked once here, before any data is read)
}

FashionMnistReader::Split FashionMnistReader::open_split(const std::string& dir, const char* prefix, uint32_t limit) {
    Split s;
    s.images = std::make_unique<IdxReader>(dir + "/" + prefix + "-images-idx3-ubyte.gz");
    s.labels = std::make_unique<IdxReader>(dir + "/" + prefix + "-labels-idx1-ubyte.gz");
    const std::string& ip = s.images->path();
    const std::string& lp = s.labels->path();
    const auto& id = s.images->dims();
    if (id.size() != 3) throw DatasetError(ip + ": expected 3 dimensions (count, rows, cols)");
    if (s.labels->dims().size() != 1) throw DatasetError(lp + ": expected 1 dimension (count)");
    if (id[0] != s.labels->dims()[0])
        throw DatasetError(ip + " has " + std::to_string(id[0]) + " images but " + lp + " has " +
                           std::to_string(s.labels->dims()[0]) + " labels");
    if (id[1] == 0 || id[2] == 0 || uint64_t(id[1]) * id[2] > (1u << 24))
        throw DatasetError(ip + ": IDX size fields rows " + std::to_string(id[1]) + " and cols " +
                           std::to_string(id[2]) + ": an image must have 1 to 2^24 pixels");
    if (rows_ && (id[1] != rows_ || id[2] != cols_))
        throw DatasetError(ip + ": image size differs from the training split's");
    rows_ = id[1];
    cols_ = id[2];
    s.count = limit && limit < id[0] ? limit : id[0];
    if (uint64_t(s.count) * rows_ * cols_ * 4 > 0xffffffffull)
        throw DatasetError(ip + ": IDX size field count (" + std::to_string(id[0]) + " images of " +
                           std::to_string(rows_) + "x" + std::to_string(cols_) +
                           ") does not fit the 32-bit address space");
    return s;
}

stvp_dataset_header_t FashionMnistReader::layout(uint32_t base) const {
    return dataset_layout(train_.count, test_.count, rows_, cols_, classes_, mean_, std_, base);
}

void FashionMnistReader::read_split(Split& s, const Chunk& chunk, const std::function<void(uint32_t)>& done) {
    const std::size_t pixels = std::size_t(rows_) * cols_;
    const uint32_t per = std::max<uint32_t>(1, uint32_t(std::min<std::size_t>(kChunkSamples, (16u << 20) / pixels)));
    std::vector<uint8_t> px(std::size_t(std::min(per, std::max(s.count, 1u))) * pixels), lb(px.size() / pixels);
    std::vector<float> x(px.size());
    std::vector<int32_t> y(lb.size());
    for (uint32_t first = 0; first < s.count;) {
        const uint32_t n = std::min(per, s.count - first);
        s.images->read(px.data(), std::size_t(n) * pixels);
        s.labels->read(lb.data(), n);
        for (uint32_t i = 0; i < n; ++i) {
            if (lb[i] >= classes_)
                throw DatasetError(s.labels->path() + ": label " + std::to_string(lb[i]) + " of sample " +
                                   std::to_string(first + i) + " is outside 0.." + std::to_string(classes_ - 1));
            y[i] = lb[i];
        }
        for (std::size_t p = 0; p < std::size_t(n) * pixels; ++p) x[p] = lut_[px[p]];
        chunk(first, n, x.data(), y.data());
        first += n;
        if (done) done(n);
    }
    // A whole split read: nothing may follow what the header promised.
    if (s.count == s.images->dims()[0]) {
        s.images->expect_end();
        s.labels->expect_end();
    }
}

void FashionMnistReader::write(uint32_t base, const Write& write, const Progress& progress) {
    const stvp_dataset_header_t h = layout(base);
    write(base, &h, sizeof h);
    const uint64_t total = uint64_t(train_.count) + test_.count, pixels = uint64_t(rows_) * cols_;
    uint64_t done = 0;
    auto tick = [&](uint32_t n) {
        done += n;
        if (progress) progress(done, total);
    };
    for (auto [split, images, labels] : {std::tuple{&train_, h.train_images, h.train_labels},
                                         std::tuple{&test_, h.test_images, h.test_labels}}) {
        read_split(
            *split,
            [&, images = images, labels = labels](uint32_t first, uint32_t n, const float* x, const int32_t* y) {
                write(images + uint64_t(first) * pixels * 4, x, std::size_t(n) * pixels * 4);
                write(labels + uint64_t(first) * 4, y, std::size_t(n) * 4);
            },
            tick);
    }
}

Dataset FashionMnistReader::read() {
    Dataset d;
    d.classes = classes_;
    d.mean = mean_;
    d.std = std_;
    d.rows = rows_;
    d.cols = cols_;
    const std::size_t pixels = std::size_t(rows_) * cols_;
    for (auto [split, xs, ys] : {std::tuple{&train_, &d.train_x, &d.train_y}, std::tuple{&test_, &d.test_x, &d.test_y}}) {
        xs->resize(std::size_t(split->count) * pixels);
        ys->resize(split->count);
        read_split(
            *split,
            [&, xs = xs, ys = ys](uint32_t first, uint32_t n, const float* x, const int32_t* y) {
                std::copy(x, x + std::size_t(n) * pixels, xs->data() + std::size_t(first) * pixels);
                std::copy(y, y + n, ys->data() + first);
            },
            {});
    }
    return d;
}

Dataset load_fashion_mnist(const std::string& dir, uint32_t train_limit, uint32_t test_limit) {
    return FashionMnistReader(dir, train_limit, test_limit).read();
}

}  // namespace stvp
