// Before computing, the parties check over their links that their share files fit together: the same
// header, the same row count, and every replicated share identical on the parties that hold it. A
// mismatch means a tampered, truncated or mixed-up file; computing anyway would give a wrong result silently.
#pragma once

#include "net/communicator.hpp"
#include "share_file.hpp"

namespace qs {

/**
 * Every party must call it (one round: one message to every other party). All messages are exchanged
 * before anything is checked, so a party that finds a mismatch leaves no message unread on any link.
 * Throws EngineError when the files do not fit together (on the parties that see it: for the header and
 * the row count, every party), LinkError when a link fails.
 */
void check_consistency(const ShareTable& table, net::Communicator& comm);

}  // namespace qs
