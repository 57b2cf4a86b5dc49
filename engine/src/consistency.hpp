// Before computing, the parties check over MPI that their share files fit together: the same header,
// the same row count, and every replicated share identical on the parties that hold it. A mismatch
// means a tampered, truncated or mixed-up file; computing anyway would give a wrong result silently.
#pragma once

#include "share_file.hpp"

namespace qs {

/** Collective: every rank must call it. Throws EngineError (on the ranks that see the problem, which
 *  for header and row count is every rank) when the files do not fit together. */
void check_consistency(const ShareTable& table, int rank, int parties);

}  // namespace qs
