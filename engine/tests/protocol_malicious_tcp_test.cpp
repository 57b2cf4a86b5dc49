// Fantastic Four's abort over the engine's real links (TcpCommunicator: loopback TCP, Noise-sealed):
// fewer trials than protocol_malicious_test (each run makes 6 handshakes), the same expectations —
// every honest party throws MaliciousError naming the cheater before open returns. A dropped message is
// followed by the cheater closing its links (what a peer sees when a link times out or is cut).
#include <algorithm>
#include <exception>
#include <random>
#include <thread>

#include "check.hpp"
#include "net/tcp_communicator.hpp"
#include "protocols/fantastic_four.hpp"
#include "protocols/local_ops.hpp"
#include "tcp_fixture.hpp"

using namespace qs;

namespace {

struct Outcome {
  bool output = false, malicious = false;
  std::vector<int> accused;
  std::string what;
};

std::vector<Outcome> trial(Cheat::Kind kind, int cheater, int victim, uint64_t seed) {
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
    options.link_timeout_s = 10;
    std::unique_ptr<net::TcpCommunicator> comm;
    try {
      comm = std::make_unique<net::TcpCommunicator>(p, peers, keys[p], "127.0.0.1", peers[p].port, options);
      FantasticFour proto(*comm);
      if (p == cheater) {
        Cheat c;
        c.kind = kind;
        c.victim = victim;
        c.delta = 1 + uint32_t(seed % 97);
        net::TcpCommunicator* raw = comm.get();
        c.after_drop = [raw](int) { raw->close("dropped a message"); };
        proto.set_cheat(c);
      }
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
    if (comm) {
      try {
        comm->close("done");
      } catch (...) {
      }
    }
  });
  return out;
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
