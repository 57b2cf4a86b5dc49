// The result file of a plan run (issue 17's contract): a header with, for every output `o` in SELECT order,
// `o_0 … o_{k-1}`, then `_valid_0 … _valid_{k-1}`; one line per output row; every cell an additive share
// mod 2^32 as a signed 32-bit decimal; local column j holds global share (i + j) mod n. Written through a
// temporary file and a rename, so a half-written result is never picked up for upload.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "engine_error.hpp"
#include "plan/executor.hpp"

namespace qs::plan {

inline std::string result_csv(const PlanResult& r) {
  std::string csv;
  const int k = r.valid.k();
  bool first = true;
  auto head = [&](const std::string& name) {
    for (int j = 0; j < k; ++j, first = false) csv += (first ? "" : ",") + name + "_" + std::to_string(j);
  };
  for (auto& name : r.names) head(name);
  head("_valid");
  csv += "\n";
  csv.reserve(csv.size() + r.rows * (r.names.size() + 1) * k * 12);
  for (size_t row = 0; row < r.rows; ++row) {
    first = true;
    auto cell = [&](const AShared& c) {
      for (int j = 0; j < k; ++j, first = false) {
        if (!first) csv += ',';
        csv += std::to_string(static_cast<int32_t>(c.share[j][row]));
      }
    };
    for (auto& c : r.columns) cell(c);
    cell(r.valid);
    csv += "\n";
  }
  return csv;
}

inline void write_plan_result(const std::string& path, const PlanResult& r) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << result_csv(r);
    out.close();
    if (!out) throw EngineError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw EngineError("cannot rename " + tmp + " to " + path);
}

}  // namespace qs::plan
