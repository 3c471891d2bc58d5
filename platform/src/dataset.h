// Data sets the platform preloads into DRAM for training firmware: reads IDX files (gzip or
// plain), normalises the images to fp32 on the host and packs them behind the header of
// firmware/include/stvp/hw/dataset.h. Bad files are DatasetErrors naming the file and reason.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace stvp {

class DatasetError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An IDX array (http://yann.lecun.com/exdb/mnist/ format): unsigned bytes only.
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

// Fashion-MNIST from `dir` (train-images-idx3-ubyte.gz etc., as Debian's dataset-fashion-mnist
// installs them). limit 0 = the whole split. Normalised with the training set's mean and std.
Dataset load_fashion_mnist(const std::string& dir, uint32_t train_limit, uint32_t test_limit);

// Header + arrays as they go into memory at `base` (see stvp/hw/dataset.h).
std::vector<uint8_t> pack_dataset(const Dataset& d, uint32_t base);

}  // namespace stvp
