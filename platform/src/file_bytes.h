// Reading a whole input file (firmware ELF, --load data, YAML configuration) with one answer
// for every way it can be unusable: a missing or unreadable path, or a directory (which an
// ifstream opens and then fails to read with an exception).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stvp {

// Fills `out` with the file's bytes and returns ""; or returns why it cannot be read, naming
// the file's role (`what`, e.g. "firmware file"): "cannot open firmware file", "is a
// directory, not a firmware file", "read error in firmware file".
std::string read_file_bytes(const std::string& path, const std::string& what, std::vector<uint8_t>& out);

}  // namespace stvp
