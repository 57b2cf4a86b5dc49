// Vectors of 32-bit words on the wire: one message per round per link, built in place (no temporary
// vector) and read straight into the destination. Little-endian hosts only (as net/communicator.hpp).
#pragma once

#include <cstring>
#include <string>

#include "net/communicator.hpp"

namespace qs::wire {

inline uint32_t* words(net::Bytes& b, size_t offset_words = 0) { return reinterpret_cast<uint32_t*>(b.data()) + offset_words; }
inline const uint32_t* words(const net::Bytes& b, size_t offset_words = 0) {
  return reinterpret_cast<const uint32_t*>(b.data()) + offset_words;
}

inline net::Bytes recv_exact(net::Communicator& c, int from, size_t n_words) {
  net::Bytes b = c.recv(from);
  if (b.size() != n_words * 4) {
    throw net::LinkError(c.party(), from, "expected " + std::to_string(n_words) + " words, got " + std::to_string(b.size()) + " bytes");
  }
  return b;
}

}  // namespace qs::wire
