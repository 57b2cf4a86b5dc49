// What the protocols see of the links between parties: ordered, reliable, private and authenticated
// messages between every pair of parties. Two implementations: net/tcp_* (the engine's real links,
// sealed with libsodium) and net/memory_communicator (threads in one process, for protocol tests).
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace qs::net {

using Bytes = std::vector<uint8_t>;

/** A link failed: timeout, tampering, a wrong key, a closed or cut-short stream. `what()` names the link. */
class LinkError : public std::runtime_error {
 public:
  LinkError(int from, int to, const std::string& why)
      : std::runtime_error("link party" + std::to_string(from) + " <-> party" + std::to_string(to) + ": " + why), from_(from), to_(to) {}
  int from() const { return from_; }
  int to() const { return to_; }

 private:
  int from_, to_;
};

/** Payload bytes and messages on one link, as the protocol sees them (before sealing). */
struct LinkStats {
  uint64_t bytes_sent = 0, bytes_received = 0, messages_sent = 0, messages_received = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int party() const = 0;
  virtual int parties() const = 0;
  /**
   * Queues one message for `to` and returns without waiting for the peer to read it (each link has its
   * own writer), so that every party can send its part of a round before it receives: no deadlock when
   * all parties send large messages at once.
   */
  virtual void send(int to, Bytes message) = 0;
  /** Waits for the next message from `from`, in the order sent. Throws LinkError on any failure. */
  virtual Bytes recv(int from) = 0;
  /** Counters of the link to `peer`. */
  virtual LinkStats stats(int peer) const = 0;

  uint64_t bytes_sent() const {
    uint64_t total = 0;
    for (int p = 0; p < parties(); ++p) if (p != party()) total += stats(p).bytes_sent;
    return total;
  }
};

/** 32-bit words travel little-endian as raw bytes (every supported host is little-endian). */
inline void send_words(Communicator& c, int to, const std::vector<uint32_t>& words) {
  Bytes b(words.size() * sizeof(uint32_t));
  if (!b.empty()) std::memcpy(b.data(), words.data(), b.size());
  c.send(to, std::move(b));
}

inline std::vector<uint32_t> recv_words(Communicator& c, int from, size_t expected) {
  Bytes b = c.recv(from);
  if (b.size() != expected * sizeof(uint32_t)) {
    throw LinkError(c.party(), from, "expected " + std::to_string(expected) + " words, got " + std::to_string(b.size()) + " bytes");
  }
  std::vector<uint32_t> words(expected);
  if (expected) std::memcpy(words.data(), b.data(), b.size());
  return words;
}

}  // namespace qs::net
