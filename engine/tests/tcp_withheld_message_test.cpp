// A cheating party that withholds a message of Fantastic Four but keeps its links alive (its writers go
// on sending keep-alives, it sends nothing more on any link), over the engine's real links: before the
// round timeout, every party waited for ever (keep-alives reset the link timeout); now the receive
// deadline of each awaited message fires, and every honest party aborts with MaliciousError naming the
// cheater (the victim itself from its round timeout, the others from its relayed abort notice or their
// own round timeout on the cheater), before any result, within the round timeout and a margin.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include "check.hpp"
#include "net/tcp_communicator.hpp"
#include "protocols/fantastic_four.hpp"
#include "protocols/local_ops.hpp"
#include "tcp_fixture.hpp"

using namespace qs;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kRoundTimeout = 2;
constexpr int kCheaterSilenceMs = 6000;  // three round timeouts, keep-alives flowing all along

struct Outcome {
  bool output = false, malicious = false;
  std::vector<int> accused;
  std::string what;
  double seconds = -1;
};

std::vector<Outcome> trial(int cheater, int victim, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const size_t size = 1 + rng() % 2000;
  std::vector<uint32_t> x(size), y(size);
  for (auto& v : x) v = uint32_t(rng());
  for (auto& v : y) v = uint32_t(rng());
  const qs_test::LoopbackParties parties(4);
  const auto& keys = parties.keys;
  const auto& peers = parties.peers;
  std::vector<Outcome> out(4);
  qs_test::on_threads(4, [&](int p) {
    net::TcpOptions options;
    options.link_timeout_s = 1;  // keep-alives every 1/3 s keep every link up
    options.round_timeout_s = kRoundTimeout;
    std::unique_ptr<net::TcpCommunicator> comm;
    Clock::time_point start;
    try {
      comm = std::make_unique<net::TcpCommunicator>(p, peers, keys[p], "127.0.0.1", peers[p].port, options);
      FantasticFour proto(*comm);
      if (p == cheater) {
        Cheat c;
        c.kind = Cheat::Kind::drop_message;
        c.victim = victim;
        // Drop the message, then stay silent on every link with the links alive (no close).
        c.after_drop = [](int) { std::this_thread::sleep_for(std::chrono::milliseconds(kCheaterSilenceMs)); };
        proto.set_cheat(c);
      }
      start = Clock::now();
      AShared z = proto.mul(ops::share_a_for_test(x, p, 4, seed), ops::share_a_for_test(y, p, 4, seed + 1));
      auto v = proto.open(z);
      out[p].output = true;
      for (size_t e = 0; e < size; ++e) if (v[e] != x[e] * y[e]) out[p].what = "WRONG OUTPUT";
    } catch (const MaliciousError& e) {
      out[p].malicious = true;
      out[p].accused = e.accused();
      out[p].what = e.what();
    } catch (const std::exception& e) {
      out[p].what = std::string("other: ") + e.what();
    }
    out[p].seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (comm) {
      try {
        comm->close(out[p].what.empty() ? "done" : out[p].what);
      } catch (...) {
      }
    }
  });
  return out;
}

}  // namespace

int main() {
  // Before the round timeout this program never ended: fail instead of hanging the test run.
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(240));
    std::fprintf(stderr, "FAIL: still running after 240 s (the honest parties stall)\n");
    std::_Exit(1);
  }).detach();
  std::mt19937_64 rng(15);
  int ok_trials = 0;
  const int trials = 8;
  for (int t = 0; t < trials; ++t) {
    const int cheater = int(rng() % 4);
    const int victim = (cheater + 1 + int(rng() % 3)) % 4;
    auto out = trial(cheater, victim, rng());
    bool ok = true;
    for (int p = 0; p < 4; ++p) {
      if (p == cheater) continue;
      const bool named = std::find(out[p].accused.begin(), out[p].accused.end(), cheater) != out[p].accused.end();
      // Well before the cheater's silence ends: the round timeout, not the cheater, ended the wait.
      ok &= out[p].malicious && !out[p].output && named && out[p].seconds < kRoundTimeout + 2.5;
    }
    if (!ok) {
      std::fprintf(stderr, "trial %d: cheater %d withholds its message to party %d\n", t, cheater, victim);
      for (int p = 0; p < 4; ++p) std::fprintf(stderr, "  party %d: output=%d after %.2f s: %s\n", p, out[p].output, out[p].seconds, out[p].what.c_str());
    }
    ok_trials += ok;
  }
  std::printf("withheld message over TCP (links kept alive): every honest party aborted naming the cheater within the round timeout in %d of %d trials\n",
              ok_trials, trials);
  CHECK_EQ(ok_trials, trials);
  return qs_test::finish();
}
