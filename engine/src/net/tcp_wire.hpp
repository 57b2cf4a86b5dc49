// The bytes of a link (see tcp_communicator.hpp for the picture), and the socket steps both ends share.
// Exposed so that the tests can play a peer that misbehaves on purpose (replays, reorders, stops).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "net/communicator.hpp"
#include "net/noise.hpp"

namespace qs::net::wire {

using Clock = std::chrono::steady_clock;

/** The dialer's clear preamble: "QSENGIN1", then big-endian u32 parties, dialer index, listener index.
 *  It is the handshake's prologue (Noise §6), so a changed preamble fails the handshake. */
constexpr size_t kPreambleLen = 20;
std::vector<uint8_t> preamble(int parties, int dialer, int listener);
struct PreambleFields {
  int parties = 0, dialer = -1, listener = -1;
};
/** False when the bytes do not start with the magic (not one of our parties). */
bool parse_preamble(const uint8_t* bytes, PreambleFields& out);

constexpr size_t kLengthLen = 4;                     // every frame: big-endian u32 length, then the Noise message
constexpr size_t kHeaderLen = 8;                     // a message's header frame: its length, little-endian u64
constexpr uint64_t kClosing = UINT64_MAX;            // header value of the closing notice (reason follows)
constexpr uint64_t kMaxMessageBytes = 1ull << 36;    // refuse absurd lengths before allocating

/** One frame: length then ENCRYPT of `len` bytes (an empty plaintext is a keep-alive). */
std::vector<uint8_t> seal_frame(noise::CipherState& cipher, const uint8_t* plaintext, size_t len);
/** All the frames of one protocol message (header, then chunks of at most 65519 bytes), in one buffer. */
std::vector<uint8_t> seal_message(noise::CipherState& cipher, const Bytes& message);

/** A socket error or a deadline, as a sentence for a LinkError. */
struct SocketError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/** Sets TCP_NODELAY and, when > 0, SO_SNDBUF/SO_RCVBUF. */
void tune_socket(int fd, int buffer_bytes);
/** One connect attempt to host:port that gives up at `deadline`; returns the fd or -1 with `why` set. */
int dial_once(const std::string& host, int port, Clock::time_point deadline, int buffer_bytes, std::string& why);
/** Writes everything (MSG_NOSIGNAL); throws SocketError. */
void write_all(int fd, const uint8_t* data, size_t len);
/** Reads exactly n bytes by `deadline`; throws SocketError on EOF ("closed"), an error or the deadline. */
void read_exact(int fd, uint8_t* data, size_t n, Clock::time_point deadline);

/** Transport ciphers of one side after the handshake. */
struct Session {
  noise::CipherState send, recv;
  noise::Hash handshake_hash{};
};

/**
 * The dialer's side: preamble, "-> e, es, ss", then reads "<- e, ee, se". Throws noise::HandshakeError when
 * the listener refused or answered with another key, SocketError on the socket or deadline.
 */
Session handshake_as_dialer(int fd, int parties, int me, int peer, const noise::KeyPair& key, const noise::Key& peer_pub, Clock::time_point deadline);
/** The listener's side once the preamble was read and the dialer's expected key chosen from it. */
Session handshake_as_listener(int fd, const std::vector<uint8_t>& preamble_bytes, const noise::KeyPair& key, const noise::Key& peer_pub,
                              Clock::time_point deadline);

}  // namespace qs::net::wire
