// plan/ under Fantastic Four with a cheating party: the credit-score plan (domain/sql/examples) runs on 4
// parties as threads; one party, chosen at random, deviates once (adds a constant to a share it sends, or
// sends a wrong hash) at a random multiplication of the run. Every trial: no honest party finishes the plan
// (so none would write a result), and at least one honest party stops with "malicious behaviour detected".
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "check.hpp"
#include "net/memory_communicator.hpp"
#include "plan/executor.hpp"
#include "plan/plan.hpp"
#include "plan_fixture.hpp"
#include "protocols/fantastic_four.hpp"
#include "protocols/local_ops.hpp"

using namespace qs;

namespace {

using qs_test::Json;

struct Outcome {
  bool finished = false, malicious = false;
  std::string what;
};

std::vector<Outcome> trial(const plan::Plan& pl, const std::vector<std::string>& columns, const std::vector<std::vector<uint32_t>>& colv, size_t rows,
                           Cheat::Kind kind, int cheater, int victim, int skip, uint64_t seed) {
  std::vector<Outcome> out(4);
  std::mutex mu;
  (void)cheater;
  try {
    net::run_parties(4, [&](net::Communicator& comm) {
      const int me = comm.party();
      try {
        FantasticFour proto(comm);
        const qs_test::SharedColumns shared(colv, me, 4, seed);
        auto input = shared.input(pl, columns, rows, 3);
        for (int s = 0; s < skip; ++s) proto.mul(shared.as[0], shared.as[0]);  // `skip` harmless rounds first
        if (me == cheater && kind != Cheat::Kind::none) {
          Cheat cheat;
          cheat.kind = kind;
          cheat.victim = victim;
          cheat.delta = 1 + static_cast<uint32_t>(seed % 1000);
          proto.set_cheat(cheat);
        }
        plan::Executor ex(proto, pl);
        ex.run(input, rows);
        std::lock_guard<std::mutex> lock(mu);
        out[me].finished = true;
      } catch (const MaliciousError& e) {
        std::lock_guard<std::mutex> lock(mu);
        out[me].malicious = true;
        out[me].what = e.what();
        throw;
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mu);
        out[me].what = e.what();
        throw;
      }
    });
  } catch (const std::exception&) {
  }
  return out;
}

}  // namespace

int main() {
  auto loaded = qs_test::load_example("credit_score");
  if (!loaded) return qs_test::finish();
  const Json& ex = loaded->json;
  const plan::Plan& pl = loaded->plan;
  const std::vector<std::string>& columns = loaded->columns;
  const size_t rows = ex["input"]["rows"].arr.size();
  std::vector<std::vector<uint32_t>> colv(columns.size(), std::vector<uint32_t>(rows));
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < columns.size(); ++c) colv[c][r] = static_cast<uint32_t>(ex["input"]["rows"].arr[r].arr[c].num);
  // control: nobody cheats, every party finishes
  {
    auto out = trial(pl, columns, colv, rows, Cheat::Kind::none, 0, 1, 1, 99);
    for (int p = 0; p < 4; ++p) {
      if (!out[p].finished) std::fprintf(stderr, "control: party %d did not finish: %s\n", p, out[p].what.c_str());
      CHECK(out[p].finished);
    }
  }
  std::mt19937_64 rng(2026);
  int caught = 0, trials = 0;
  for (auto kind : {Cheat::Kind::add_to_share, Cheat::Kind::wrong_hash}) {
    for (int t = 0; t < 12; ++t) {
      const int cheater = static_cast<int>(rng() % 4);
      const auto receivers = FantasticFour::mul_receivers(cheater);
      if (receivers.empty()) continue;
      const int victim = receivers[rng() % receivers.size()];
      auto out = trial(pl, columns, colv, rows, kind, cheater, victim, static_cast<int>(rng() % 3), rng());
      bool honest_finished = false, honest_caught = false;
      for (int p = 0; p < 4; ++p)
        if (p != cheater) honest_finished = honest_finished || out[p].finished, honest_caught = honest_caught || out[p].malicious;
      ++trials;
      if (!honest_finished && honest_caught) ++caught;
      else {
        std::fprintf(stderr, "trial kind %d cheater %d victim %d: an honest party finished %d, caught %d\n", static_cast<int>(kind), cheater, victim, honest_finished,
                     honest_caught);
        for (int p = 0; p < 4; ++p) std::fprintf(stderr, "  party %d: finished %d, %s\n", p, out[p].finished, out[p].what.c_str());
      }
      CHECK(!honest_finished);
      CHECK(honest_caught);
    }
  }
  std::printf("credit score plan, Fantastic Four, one cheating party: caught in %d of %d trials before any honest party finished\n", caught, trials);
  return qs_test::finish();
}
