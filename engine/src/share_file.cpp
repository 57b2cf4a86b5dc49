#include "share_file.hpp"

#include <charconv>
#include <climits>
#include <fstream>
#include <set>
#include <sstream>

#include "engine_error.hpp"

namespace qs {
namespace {

/** A schema column name: letters, digits and _, not starting with a digit, at most 63 (the API's limit). */
bool is_plain_name(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(letter || (i > 0 && digit))) return false;
  }
  return true;
}

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> cells;
  size_t start = 0;
  for (;;) {
    size_t comma = line.find(',', start);
    cells.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return cells;
    start = comma + 1;
  }
}

/** Strict decimal int32 (no spaces, no '+'): the same rule as parseShareCsv on the TypeScript side. */
bool parse_int32(const std::string& cell, uint32_t& out) {
  long long v = 0;
  const char* begin = cell.data();
  const char* end = begin + cell.size();
  auto [stop, ec] = std::from_chars(begin, end, v);
  if (cell.empty() || ec != std::errc() || stop != end || v < INT32_MIN || v > INT32_MAX) return false;
  out = static_cast<uint32_t>(static_cast<int32_t>(v));
  return true;
}

/** Checks the header is groups of `c_0 … c_{k-1}, [c]_0 … [c]_{k-1}` and returns the column names. */
std::vector<std::string> schema_columns(const std::vector<std::string>& header, int k) {
  if (header.size() % (2 * k) != 0) {
    throw EngineError("the header has " + std::to_string(header.size()) + " columns, not a multiple of " + std::to_string(2 * k) +
                      " (k additive + k XOR shares per column for " + std::to_string(k + 1) + " parties)");
  }
  std::vector<std::string> columns;
  std::set<std::string> seen;
  for (size_t g = 0; g < header.size(); g += 2 * k) {
    const std::string& first = header[g];
    const std::string column = first.size() > 2 && first.compare(first.size() - 2, 2, "_0") == 0 ? first.substr(0, first.size() - 2) : "";
    if (!is_plain_name(column)) throw EngineError("header column " + std::to_string(g + 1) + " '" + first + "' is not <column>_0");
    for (int j = 0; j < k; ++j) {
      const std::string additive = column + "_" + std::to_string(j), xored = "[" + column + "]_" + std::to_string(j);
      if (header[g + j] != additive) throw EngineError("header column " + std::to_string(g + j + 1) + " is '" + header[g + j] + "', expected '" + additive + "'");
      if (header[g + k + j] != xored) throw EngineError("header column " + std::to_string(g + k + j + 1) + " is '" + header[g + k + j] + "', expected '" + xored + "'");
    }
    if (!seen.insert(column).second) throw EngineError("the header has column " + column + " twice");
    columns.push_back(column);
  }
  return columns;
}

}  // namespace

long ShareTable::index_of(const std::string& column) const {
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == column) return static_cast<long>(c);
  }
  return -1;
}

ShareTable read_share_file(const std::string& path, int parties) {
  std::ifstream in(path);
  if (!in) throw EngineError("cannot read the share file " + path);
  ShareTable t;
  t.k = parties - 1;
  std::string line;
  size_t no = 0;
  while (t.header.empty() && std::getline(in, line)) {
    ++no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    t.header = line;
  }
  if (t.header.empty()) throw EngineError("the share file " + path + " is empty (no header)");
  t.columns = schema_columns(split_commas(t.header), t.k);
  const size_t width = t.width();
  while (std::getline(in, line)) {
    ++no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto cells = split_commas(line);
    if (cells.size() != width) throw EngineError("line " + std::to_string(no) + " has " + std::to_string(cells.size()) + " values, the header has " + std::to_string(width));
    for (size_t c = 0; c < width; ++c) {
      uint32_t v = 0;
      if (!parse_int32(cells[c], v)) throw EngineError("line " + std::to_string(no) + ", column " + std::to_string(c + 1) + ": '" + cells[c].substr(0, 40) + "' is not a 32-bit integer");
      t.cells.push_back(v);
    }
    ++t.rows;
  }
  if (in.bad()) throw EngineError("reading " + path + " failed");
  return t;
}

}  // namespace qs
