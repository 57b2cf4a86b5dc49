// The computation: each party works on its own shares only. SUM of additive shares is a share of the
// SUM (mod 2^32), so local column j of a SUM is the sum of local column j of its input column. COUNT(*)
// is public (every party knows its row count) and is written as a valid sharing: global share 0 holds
// the count and the others 0, so local column j holds it iff (party + j) mod n == 0.
//
// Only additive result shares are produced: converting to XOR shares (A2B) needs interaction the
// reference engine does not implement, and the analyst reconstructs from name_0 alone.
#pragma once

#include <vector>

#include "program.hpp"
#include "share_file.hpp"

namespace qs {

/** Throws EngineError when a SUM names a column the share file does not have. */
void check_program_columns(const std::vector<Output>& program, const ShareTable& table);

std::vector<ResultColumn> aggregate(const std::vector<Output>& program, const ShareTable& table, int party, int parties);

}  // namespace qs
