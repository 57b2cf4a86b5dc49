// The one error type of the engine: a message for a person, printed on stderr with the party's number.
#pragma once

#include <stdexcept>
#include <string>

namespace qs {

struct EngineError : std::runtime_error {
  explicit EngineError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace qs
