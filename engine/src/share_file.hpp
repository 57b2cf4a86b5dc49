// A party's share file (see activities/shares/index.ts); the result file is plan/result_file.hpp's.
//
// n parties, k = n - 1. For each schema column c, in order: c_0 … c_{k-1} (additive shares) then
// [c]_0 … [c]_{k-1} (XOR shares); local column j of party i holds global share (i + j) mod n. Every
// value is a signed 32-bit integer in decimal; it is kept here as the uint32 it stands for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace qs {

enum class Block { Additive = 0, Xor = 1 };

struct ShareTable {
  int k = 0;
  std::string header;                // the header line as read (every party's must be the same)
  std::vector<std::string> columns;  // schema column names, in file order
  size_t rows = 0;
  std::vector<uint32_t> cells;       // row-major, columns.size() * 2k per row

  size_t width() const { return columns.size() * 2 * static_cast<size_t>(k); }
  /** File position of local column j of column c's additive or XOR block. */
  size_t position(size_t c, Block b, int j) const { return c * 2 * k + static_cast<size_t>(b) * k + j; }
  uint32_t at(size_t row, size_t pos) const { return cells[row * width() + pos]; }
  /** The schema column's index, or -1. */
  long index_of(const std::string& column) const;
};

/** Reads one party's share file for `parties` parties; throws EngineError on any layout or value error. */
ShareTable read_share_file(const std::string& path, int parties);

}  // namespace qs
