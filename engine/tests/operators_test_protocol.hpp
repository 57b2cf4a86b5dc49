// The protocol the operator tests run on: make_protocol(comm), replicated 3PC or Fantastic Four.
#pragma once

#include <memory>

#include "protocols/protocol.hpp"

namespace qs {
inline std::unique_ptr<Protocol> make_test_protocol(net::Communicator& c) { return make_protocol(c); }
}  // namespace qs
