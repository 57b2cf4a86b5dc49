// The query program, as activities/engine/query.ts programFile() renders it: one line per output, in
// result order, `sum <name> <column>` or `count <name>`; blank lines and `#` comments are ignored.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace qs {

enum class Op { Sum, Count };

struct Output {
  Op op;
  std::string name;
  std::string column;  // SUM only: a schema column of the share file
};

/** Parses a program; throws EngineError with the line number of anything it cannot read. */
std::vector<Output> parse_program(std::istream& in);
std::vector<Output> read_program(const std::string& path);

/** Plain names only: they go bare into CSV headers. */
bool is_plain_name(const std::string& s);

}  // namespace qs
