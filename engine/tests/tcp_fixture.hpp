// Parties as threads of one process over the engine's real links on loopback (TcpCommunicator,
// Noise-sealed): a free port, n parties with fresh key pairs and a peers list, a thread per party.
// Shared by the TCP test programs (engine/tests) and the benchmark programs (engine/bench).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "net/tcp_communicator.hpp"

namespace qs_test {

/** A port of 127.0.0.1 free a moment ago (bound to port 0, read back, closed). */
inline int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

/** n parties on loopback: a fresh key pair each, and the peers list (party i on a free port, its public key). */
struct LoopbackParties {
  std::vector<qs::net::noise::KeyPair> keys;
  std::vector<qs::net::Peer> peers;
  explicit LoopbackParties(int n) {
    for (int i = 0; i < n; ++i) {
      keys.push_back(qs::net::noise::generate_keypair());
      peers.push_back(qs::net::Peer{i, "127.0.0.1", free_port(), keys.back().pub});
    }
  }
  int size() const { return static_cast<int>(peers.size()); }
};

/** Runs body(p) for p = 0..n-1, each on its own thread, and waits for all of them. */
inline void on_threads(int n, const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int p = 0; p < n; ++p) threads.emplace_back([&body, p] { body(p); });
  for (auto& t : threads) t.join();
}

/**
 * Each party on its own thread with its own TcpCommunicator (key keys[p], listening on its peers entry,
 * options o): body, then close("finished"). Returns each party's exception (null when it finished).
 */
inline std::vector<std::exception_ptr> run_tcp(const LoopbackParties& s, const std::vector<qs::net::noise::KeyPair>& keys,
                                               const qs::net::TcpOptions& o, const std::function<void(qs::net::TcpCommunicator&)>& body) {
  std::vector<std::exception_ptr> errors(static_cast<size_t>(s.size()));
  on_threads(s.size(), [&](int p) {
    try {
      qs::net::TcpCommunicator c(p, s.peers, keys[p], "127.0.0.1", s.peers[p].port, o);
      body(c);
      c.close("finished");
    } catch (...) {
      errors[p] = std::current_exception();
    }
  });
  return errors;
}

/** n fresh parties over loopback TCP (default options) running body; rethrows the first party's exception. */
inline void run_tcp_parties(int n, const std::function<void(qs::net::Communicator&)>& body) {
  LoopbackParties s(n);
  for (auto& e : run_tcp(s, s.keys, {}, [&](qs::net::TcpCommunicator& c) { body(c); }))
    if (e) std::rethrow_exception(e);
}

}  // namespace qs_test
