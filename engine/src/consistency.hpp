// Before computing, the parties check over their links that they run the same plan (its text's SHA-256)
// and that their share files fit together: the same header, the same row count, and every replicated share
// identical on the parties that hold it. A mismatch means a party given another query, or a tampered,
// truncated or mixed-up file; computing anyway would give garbage silently (the protocols only combine
// shares of the same operations).
#pragma once

#include <string>

#include "net/communicator.hpp"
#include "share_file.hpp"

namespace qs {

/** The whole text of the plan file, as the parties compare it. */
std::string read_plan_text(const std::string& path);

/**
 * Every party must call it (one round: one message to every other party). All messages are exchanged
 * before anything is checked, so a party that finds a mismatch leaves no message unread on any link.
 * `plan_text` is the plan file's text: every party must have byte for byte the same.
 * Throws EngineError when the plans differ or the files do not fit together (on the parties that see it:
 * for the plan, the header and the row count, every party), LinkError when a link fails.
 */
void check_consistency(const ShareTable& table, const std::string& plan_text, net::Communicator& comm);

}  // namespace qs
