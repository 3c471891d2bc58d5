#include "file_bytes.h"

#include <fstream>
#include <filesystem>
#include <iterator>
#include <system_error>

namespace stvp {

std::string read_file_bytes(const std::string& path, const std::string& what, std::vector<uint8_t>& out) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return "is a directory, not a " + what;
    std::ifstream f(path, std::ios::binary);
    if (!f) return "cannot open " + what;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    if (f.bad()) return "read error in " + what;
    return {};
}

}  // namespace stvp
