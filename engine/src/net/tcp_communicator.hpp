// The engine's real links: one TCP connection per pair of parties, mutually authenticated and encrypted
// with Noise_KK_25519_ChaChaPoly_SHA256 (Noise revision 34, §7.5; see noise.hpp). Each party listens on
// its own address and port; the party with the higher index dials the lower one, retrying until the
// connect deadline (the parties start at different times); the dialer is the Noise initiator.
//
// On the wire (see tcp_wire.hpp for the exact bytes): a 20-byte clear preamble from the dialer (who it
// is, whom it means; also the handshake's prologue, so it is authenticated), the two handshake messages,
// then transport frames: a 4-byte big-endian length and one Noise transport message (ChaChaPoly
// ciphertext + 16-byte tag, at most 65535 bytes as the spec caps it). A protocol message is a header
// frame (its length, 8 bytes) followed by as many chunk frames as it needs; an empty frame is a
// keep-alive; a header of 2^64 - 1 is a sealed "closing" notice with the reason. The counter nonce makes
// any modified, replayed, reordered or dropped frame fail authentication; the link is then dead.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "net/communicator.hpp"
#include "net/noise.hpp"
#include "net/peers.hpp"

namespace qs::net {

struct TcpOptions {
  /** recv fails when nothing (not even a keep-alive) arrives from the peer for this long. */
  double link_timeout_s = 30;
  /**
   * recv fails when the message it awaits has not arrived this long after it began to wait, however many
   * keep-alives arrive meanwhile (a peer that keeps its link alive but withholds a message). Longer than
   * the link timeout: it must cover the longest local computation a peer legitimately does between two
   * messages (keep-alives cannot say "still computing" in a way a cheating peer could not also say).
   * One exception, for blame only: while the awaited peer's keep-alives say it is itself waiting for a
   * third party, the deadline moves to just after that peer's own (so the party that is really silent is
   * the one named), never beyond twice the round timeout (a peer that lies about it delays, not stalls).
   */
  double round_timeout_s = 600;
  /** Dialing is retried, and dials are awaited, until this long after the start. */
  double connect_timeout_s = 60;
  /** An idle writer sends an empty frame this often (at most a third of the link timeout); 0: none (tests). */
  double keepalive_s = 1;
  /** SO_SNDBUF / SO_RCVBUF of every link (the kernel doubles it; 0 leaves the system's autotuning). */
  int socket_buffer_bytes = 4 << 20;
};

/** What the link puts on the wire, keep-alives, handshake and framing included. */
struct WireStats {
  uint64_t bytes_sent = 0, bytes_received = 0, frames_sent = 0, frames_received = 0;
};

class Link;
struct WaitState;

class TcpCommunicator : public Communicator {
 public:
  /**
   * Listens on `listen_host:listen_port` (when a higher party will dial), dials every lower party at its
   * peers-file address, and runs the handshakes; returns when every link is up. Throws LinkError naming
   * the first link that failed (a wrong key, a deadline, a peer that stopped); the links already up are
   * closed with that reason first, so those peers stop too.
   */
  TcpCommunicator(int party, const std::vector<Peer>& peers, const noise::KeyPair& key, const std::string& listen_host, int listen_port,
                  const TcpOptions& options = {});
  ~TcpCommunicator() override;
  TcpCommunicator(const TcpCommunicator&) = delete;
  TcpCommunicator& operator=(const TcpCommunicator&) = delete;

  int party() const override { return party_; }
  int parties() const override { return static_cast<int>(links_.size()); }
  /** Queues the message for the link's writer and returns; throws LinkError if the link already failed. */
  void send(int to, Bytes message) override;
  /**
   * The next message from `from`; LinkError when the link fails (tampering, link timeout, cut, the peer
   * stopped) or when no message came within the round timeout (the link then counts as failed).
   */
  Bytes recv(int from) override;
  LinkStats stats(int peer) const override;
  WireStats wire_stats(int peer) const;

  /**
   * Ends every link: what is queued is sent, then a sealed closing notice carrying `reason` (the peers'
   * LinkError quotes it), then each side waits briefly for the peer's own notice or end of stream.
   * Called by the destructor with "closed" when not called before.
   */
  void close(const std::string& reason);

 private:
  int party_;
  std::shared_ptr<WaitState> wait_;           // whom recv waits for, and until when (the keep-alives say it)
  std::vector<std::unique_ptr<Link>> links_;  // [peer], null for this party
  bool closed_ = false;
};

}  // namespace qs::net
