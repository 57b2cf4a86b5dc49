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
#include "tcp_fantastic_four_trial.hpp"

using namespace qs;

namespace {

constexpr double kRoundTimeout = 2;
constexpr int kCheaterSilenceMs = 6000;  // three round timeouts, keep-alives flowing all along

std::vector<qs_test::TcpTrialOutcome> trial(int cheater, int victim, uint64_t seed) {
  qs_test::TcpTrial t;
  t.options.link_timeout_s = 1;  // keep-alives every 1/3 s keep every link up
  t.options.round_timeout_s = kRoundTimeout;
  t.close_with_outcome = true;
  t.prepare = [&](int p, FantasticFour& proto, net::TcpCommunicator&) {
    if (p != cheater) return;
    Cheat c;
    c.kind = Cheat::Kind::drop_message;
    c.victim = victim;
    // Drop the message, then stay silent on every link with the links alive (no close).
    c.after_drop = [](int) { std::this_thread::sleep_for(std::chrono::milliseconds(kCheaterSilenceMs)); };
    proto.set_cheat(c);
  };
  return qs_test::fantastic_four_over_tcp(t, seed);
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
