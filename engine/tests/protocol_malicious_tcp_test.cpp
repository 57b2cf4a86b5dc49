// Fantastic Four's abort over the engine's real links (TcpCommunicator: loopback TCP, Noise-sealed):
// fewer trials than protocol_malicious_test (each run makes 6 handshakes), the same expectations —
// every honest party throws MaliciousError naming the cheater before open returns. A dropped message is
// followed by the cheater closing its links (what a peer sees when a link times out or is cut).
#include <algorithm>
#include <cstdio>
#include <random>

#include "check.hpp"
#include "tcp_fantastic_four_trial.hpp"

using namespace qs;

namespace {

std::vector<qs_test::TcpTrialOutcome> trial(Cheat::Kind kind, int cheater, int victim, uint64_t seed) {
  qs_test::TcpTrial t;
  t.options.link_timeout_s = 10;
  t.prepare = [&](int p, FantasticFour& proto, net::TcpCommunicator& comm) {
    if (p != cheater) return;
    Cheat c;
    c.kind = kind;
    c.victim = victim;
    c.delta = 1 + uint32_t(seed % 97);
    net::TcpCommunicator* raw = &comm;
    c.after_drop = [raw](int) { raw->close("dropped a message"); };
    proto.set_cheat(c);
  };
  return qs_test::fantastic_four_over_tcp(t, seed);
}

}  // namespace

int main() {
  std::mt19937_64 rng(7);
  const Cheat::Kind kinds[] = {Cheat::Kind::add_to_share, Cheat::Kind::wrong_hash, Cheat::Kind::drop_message};
  const char* names[] = {"add_to_share", "wrong_hash", "drop_message"};
  for (int k = 0; k < 3; ++k) {
    int ok_trials = 0;
    const int trials = 16;
    for (int t = 0; t < trials; ++t) {
      const int cheater = int(rng() % 4);
      std::vector<int> targets = FantasticFour::mul_receivers(cheater);
      targets.push_back((cheater + 3) % 4);
      const int victim = kinds[k] == Cheat::Kind::add_to_share ? targets[rng() % targets.size()] : (cheater + 1 + int(rng() % 3)) % 4;
      auto out = trial(kinds[k], cheater, victim, rng());
      bool ok = true;
      for (int p = 0; p < 4; ++p) {
        if (p == cheater) continue;
        const bool named = std::find(out[p].accused.begin(), out[p].accused.end(), cheater) != out[p].accused.end();
        ok &= out[p].malicious && !out[p].output && named;
      }
      if (!ok) {
        std::fprintf(stderr, "%s trial %d: cheater %d victim %d\n", names[k], t, cheater, victim);
        for (int p = 0; p < 4; ++p) std::fprintf(stderr, "  party %d: output=%d %s\n", p, out[p].output, out[p].what.c_str());
      }
      ok_trials += ok;
    }
    std::printf("%s over TCP: every honest party aborted naming the cheater in %d of %d trials\n", names[k], ok_trials, trials);
    CHECK_EQ(ok_trials, trials);
  }
  return qs_test::finish();
}
