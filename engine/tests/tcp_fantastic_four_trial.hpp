// One trial of Fantastic Four over the engine's real links (loopback TCP, Noise-sealed), shared by
// protocol_malicious_tcp_test and tcp_withheld_message_test: four parties multiply two random vectors
// (1 to 2000 words, from the seed) and open the product; a hook sets up the cheating party. Each party's
// outcome: whether it got a (correct) output, or the MaliciousError it threw and whom it accused.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "net/tcp_communicator.hpp"
#include "protocols/fantastic_four.hpp"
#include "protocols/local_ops.hpp"
#include "tcp_fixture.hpp"

namespace qs_test {

struct TcpTrialOutcome {
  bool output = false, malicious = false;
  std::vector<int> accused;
  std::string what;
  double seconds = -1;  // from the start of the multiplication to the party's end (output or abort)
};

struct TcpTrial {
  qs::net::TcpOptions options;
  /** Called on every party once its protocol is made, before the multiplication (sets the cheater's cheat). */
  std::function<void(int party, qs::FantasticFour& proto, qs::net::TcpCommunicator& comm)> prepare;
  /** The closing notice each party sends at the end: its outcome's text when it has one (else "done"), or always "done". */
  bool close_with_outcome = false;
};

inline std::vector<TcpTrialOutcome> fantastic_four_over_tcp(const TcpTrial& trial, uint64_t seed) {
  using Clock = std::chrono::steady_clock;
  std::mt19937_64 rng(seed);
  const size_t size = 1 + rng() % 2000;
  std::vector<uint32_t> x(size), y(size);
  for (auto& v : x) v = uint32_t(rng());
  for (auto& v : y) v = uint32_t(rng());
  const LoopbackParties parties(4);
  std::vector<TcpTrialOutcome> out(4);
  on_threads(4, [&](int p) {
    std::unique_ptr<qs::net::TcpCommunicator> comm;
    Clock::time_point start;
    try {
      comm = std::make_unique<qs::net::TcpCommunicator>(p, parties.peers, parties.keys[p], "127.0.0.1", parties.peers[p].port, trial.options);
      qs::FantasticFour proto(*comm);
      if (trial.prepare) trial.prepare(p, proto, *comm);
      start = Clock::now();
      qs::AShared z = proto.mul(qs::ops::share_a_for_test(x, p, 4, seed), qs::ops::share_a_for_test(y, p, 4, seed + 1));
      auto v = proto.open(z);
      out[p].output = true;
      for (size_t e = 0; e < size; ++e)
        if (v[e] != x[e] * y[e]) out[p].what = "WRONG OUTPUT";
    } catch (const qs::MaliciousError& e) {
      out[p].malicious = true;
      out[p].accused = e.accused();
      out[p].what = e.what();
    } catch (const std::exception& e) {
      out[p].what = std::string("other: ") + e.what();
    }
    out[p].seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (comm) {
      try {
        comm->close(trial.close_with_outcome && !out[p].what.empty() ? out[p].what : "done");
      } catch (...) {
      }
    }
  });
  return out;
}

}  // namespace qs_test
