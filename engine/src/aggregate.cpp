#include "aggregate.hpp"

#include <climits>

#include "engine_error.hpp"

namespace qs {

void check_program_columns(const std::vector<Output>& program, const ShareTable& t) {
  for (const auto& o : program) {
    if (o.op == Op::Sum && t.index_of(o.column) < 0) {
      std::string have;
      for (const auto& c : t.columns) have += (have.empty() ? "" : ", ") + c;
      throw EngineError("SUM(" + o.column + ") for output " + o.name + ": the share file has no column " + o.column + " (it has " + have + ")");
    }
  }
  // A count above INT32_MAX would read back negative from the int32 result file.
  if (t.rows > static_cast<size_t>(INT32_MAX)) throw EngineError("more rows than a 32-bit count can hold");
}

std::vector<ResultColumn> aggregate(const std::vector<Output>& program, const ShareTable& t, int party, int n) {
  std::vector<ResultColumn> result;
  for (const auto& o : program) {
    ResultColumn r{o.name, std::vector<uint32_t>(t.k, 0)};
    for (int j = 0; j < t.k; ++j) {
      if (o.op == Op::Count) {
        r.shares[j] = (party + j) % n == 0 ? static_cast<uint32_t>(t.rows) : 0u;
      } else {
        const size_t pos = t.position(static_cast<size_t>(t.index_of(o.column)), Block::Additive, j);
        uint32_t acc = 0;
        for (size_t row = 0; row < t.rows; ++row) acc += t.at(row, pos);  // unsigned: wraps mod 2^32
        r.shares[j] = acc;
      }
    }
    result.push_back(std::move(r));
  }
  return result;
}

}  // namespace qs
