// Data sets the platform preloads into DRAM for training firmware: reads IDX files (gzip or
// plain), normalises the images to fp32 on the host and lays them out behind the header of
// firmware/include/stvp/hw/dataset.h. Bad files are DatasetErrors naming the file and reason
// (and, for sizes, the header field).
//
// Two ways out: FashionMnistReader::read() returns the arrays (the host reference trainer), and
// FashionMnistReader::write() puts them straight into the simulated memory piece by piece, so
// a preload holds no host copy of the whole data set (the platform).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "stvp/hw/dataset.h"

namespace stvp {

class DatasetError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An IDX file (http://yann.lecun.com/exdb/mnist/ format, unsigned bytes only) read as a
// stream: the header is read and checked on construction (element count overflow-checked),
// the data then in pieces.
class IdxReader {
public:
    explicit IdxReader(const std::string& path);  // .gz or plain; throws DatasetError
    ~IdxReader();
    IdxReader(const IdxReader&) = delete;
    IdxReader& operator=(const IdxReader&) = delete;

    const std::string& path() const { return path_; }
    const std::vector<uint32_t>& dims() const { return dims_; }
    uint64_t elements() const { return elements_; }  // product of the dimensions
    // Reads the next n data bytes; a file that ends before is "truncated" (DatasetError).
    void read(uint8_t* out, std::size_t n);
    // Throws DatasetError if data follows the `elements()` promised.
    void expect_end();

private:
    void read_header();
    std::size_t raw_read(uint8_t* out, std::size_t n);  // what the file has, up to n
    std::string path_;
    void* file_ = nullptr;  // gzFile
    std::vector<uint32_t> dims_;
    uint64_t elements_ = 0;
    uint64_t consumed_ = 0;
};

// An IDX array read whole.
struct IdxArray {
    std::vector<uint32_t> dims;
    std::vector<uint8_t> data;
};
IdxArray read_idx(const std::string& path);  // .gz or plain; throws DatasetError

struct Dataset {
    uint32_t rows = 0, cols = 0, channels = 1, classes = 0;
    std::vector<float> train_x, test_x;
    std::vector<int32_t> train_y, test_y;
    float mean = 0, std = 1;
    uint32_t train_count() const { return uint32_t(train_y.size()); }
    uint32_t test_count() const { return uint32_t(test_y.size()); }
};

// The four Fashion-MNIST files of `dir` (train-images-idx3-ubyte.gz etc., as Debian's
// dataset-fashion-mnist installs them), opened and their headers checked (shapes agree, every
// size fits the 32-bit address space; a bad one is named by file and field) before any data is
// read. limit 0 = the whole split. Images are normalised with the training set's mean and std.
class FashionMnistReader {
public:
    FashionMnistReader(const std::string& dir, uint32_t train_limit, uint32_t test_limit);
    uint32_t train_count() const { return train_.count; }
    uint32_t test_count() const { return test_.count; }

    // Where everything goes at `base`. Throws DatasetError if it does not fit below 4 GiB.
    stvp_dataset_header_t layout(uint32_t base) const;

    // Writes the header and the arrays at `base` through `write(address, data, bytes)`, in
    // pieces of at most a few MB, each address once (alignment gaps are not written);
    // `progress(samples_done, samples_total)` after each piece (it may throw to stop).
    using Write = std::function<void(uint64_t address, const void* data, std::size_t bytes)>;
    using Progress = std::function<void(uint64_t done, uint64_t total)>;
    void write(uint32_t base, const Write& write, const Progress& progress = {});

    // The whole data set as arrays (call once, instead of write()).
    Dataset read();

private:
    struct Split {
        std::unique_ptr<IdxReader> images, labels;
        uint32_t count = 0;  // after the limit
    };
    using Chunk = std::function<void(uint32_t first, uint32_t n, const float* x, const int32_t* y)>;
    void read_split(Split& s, const Chunk& chunk, const std::function<void(uint32_t)>& done);
    Split open_split(const std::string& dir, const char* prefix, uint32_t limit);

    Split train_, test_;
    uint32_t rows_ = 0, cols_ = 0, classes_ = 10;
    float mean_, std_;
    float lut_[256];  // normalised value of each pixel byte
};

// FashionMnistReader(dir, limits).read().
Dataset load_fashion_mnist(const std::string& dir, uint32_t train_limit, uint32_t test_limit);

// The header for a data set of this shape placed at `base` (arrays 64-byte aligned behind
// it). Throws DatasetError if it does not fit below 4 GiB.
stvp_dataset_header_t dataset_layout(uint32_t train_count, uint32_t test_count, uint32_t rows, uint32_t cols,
                                     uint32_t classes, float mean, float std, uint32_t base);

// Header + arrays as they go into memory at `base` (see stvp/hw/dataset.h).
std::vector<uint8_t> pack_dataset(const Dataset& d, uint32_t base);

}  // namespace stvp
