// Fantastic Four catches a cheating party: for each kind of deviation (a constant added to a share it
// sends, a wrong hash, a dropped message), 60 randomized trials (random cheater, victim, inputs, and the
// moment: before a multiplication or before an open). In every trial every honest party must throw
// MaliciousError naming the cheater before open returns, and no honest party may see an output.
//
// The links here model TCP: a party's links close when its thread ends (the peer reads what was sent,
// then gets a LinkError), not all at once as run_parties does, so an honest party is never woken by a
// close that has nothing to do with the link it waits on. A dropped message is then seen either as a
// gap in the link's sequence numbers (the cheater sends on) or as a closed link; a 10 s receive timeout
// is a backstop only (a real link's timeout plays that part).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include "check.hpp"
#include "protocols/fantastic_four.hpp"
#include "protocols/local_ops.hpp"

using namespace qs;

namespace {

class Links {
 public:
  explicit Links(int n) : n_(n), queues_(size_t(n * n)), closed_(size_t(n * n), false) {}
  void push(int from, int to, net::Bytes m) {
    std::lock_guard<std::mutex> lock(mu_);
    queues_[size_t(from * n_ + to)].push_back(std::move(m));
    cv_.notify_all();
  }
  net::Bytes pop(int from, int to) {
    std::unique_lock<std::mutex> lock(mu_);
    auto& q = queues_[size_t(from * n_ + to)];
    bool ok = cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !q.empty() || closed_[size_t(from * n_ + to)]; });
    if (q.empty()) throw net::LinkError(to, from, ok ? "closed by the peer" : "timed out");
    net::Bytes m = std::move(q.front());
    q.pop_front();
    return m;
  }
  void close_link(int from, int to) {
    std::lock_guard<std::mutex> lock(mu_);
    closed_[size_t(from * n_ + to)] = true;
    cv_.notify_all();
  }
  void close_from(int from) {
    std::lock_guard<std::mutex> lock(mu_);
    for (int to = 0; to < n_; ++to) closed_[size_t(from * n_ + to)] = true;
    cv_.notify_all();
  }
  int n_;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::deque<net::Bytes>> queues_;
  std::vector<bool> closed_;
};

class LinkComm : public net::Communicator {
 public:
  LinkComm(Links& links, int party) : links_(links), party_(party), stats_(size_t(links.n_)) {}
  int party() const override { return party_; }
  int parties() const override { return links_.n_; }
  void send(int to, net::Bytes m) override {
    stats_[to].bytes_sent += m.size();
    links_.push(party_, to, std::move(m));
  }
  net::Bytes recv(int from) override { return links_.pop(from, party_); }
  net::LinkStats stats(int peer) const override { return stats_[peer]; }

 private:
  Links& links_;
  int party_;
  std::vector<net::LinkStats> stats_;
};

struct Outcome {
  bool output = false;        // open returned a value
  bool malicious = false;     // threw MaliciousError
  std::vector<int> accused;
  std::string what;
  bool cheat_done = false;
};

// One run: z = x*y, w = x&y, shuffle (z, w), open z, open w. The cheater arms its cheat before the
// multiplications (moment 0), before the shuffle (moment 1) or before the first open (moment 2).
std::vector<Outcome> run_trial(Cheat::Kind kind, int cheater, int victim, int moment, uint64_t seed) {
  std::mt19937_64 rng(seed);
  size_t size = 1 + rng() % 300;
  std::vector<uint32_t> x(size), y(size);
  for (auto& v : x) v = uint32_t(rng());
  for (auto& v : y) v = uint32_t(rng());
  Links links(4);
  std::vector<Outcome> out(4);
  std::vector<std::thread> threads;
  for (int p = 0; p < 4; ++p) {
    threads.emplace_back([&, p] {
      LinkComm comm(links, p);
      try {
        FantasticFour proto(comm);
        Cheat cheat;
        cheat.kind = kind;
        cheat.victim = victim;
        cheat.delta = 1 + uint32_t(seed % 1000);
        // A dropped message stalls a TCP link until its timeout; here the link is closed at once.
        cheat.after_drop = [&links, p](int to) { links.close_link(p, to); };
        AShared ax = ops::share_a_for_test(x, p, 4, seed + 1), ay = ops::share_a_for_test(y, p, 4, seed + 2);
        BShared bx = ops::share_b_for_test(x, p, 4, seed + 3), by = ops::share_b_for_test(y, p, 4, seed + 4);
        if (p == cheater && moment == 0) proto.set_cheat(cheat);
        AShared z = proto.mul(ax, ay);
        BShared w = proto.and_(bx, by);
        if (p == cheater && moment == 1) proto.set_cheat(cheat);
        proto.shuffle_columns({&z}, {&w});
        if (p == cheater && moment == 2) proto.set_cheat(cheat);
        auto oz = proto.open(z);
        auto ow = proto.open(w);
        out[p].output = true;
        out[p].cheat_done = !proto.cheat_pending();
        bool right = true;
        // after the shuffle, row e of w is x&y at the row whose x*y is in row e of z: check as multisets
        std::vector<std::pair<uint32_t, uint32_t>> got, want;
        for (size_t e = 0; e < size; ++e) got.emplace_back(oz[e], ow[e]), want.emplace_back(x[e] * y[e], x[e] & y[e]);
        std::sort(got.begin(), got.end());
        std::sort(want.begin(), want.end());
        right = got == want;
        if (!right) out[p].what = "WRONG OUTPUT";
      } catch (const MaliciousError& e) {
        out[p].malicious = true;
        out[p].accused = e.accused();
        out[p].what = e.what();
        out[p].cheat_done = true;
      } catch (const std::exception& e) {
        out[p].what = std::string("other error: ") + e.what();
      }
      links.close_from(p);
    });
  }
  for (auto& t : threads) t.join();
  return out;
}

}  // namespace

int main() {
  const int trials = 60;
  const char* seed_env = std::getenv("QS_TEST_SEED");
  const uint64_t seed = seed_env ? std::strtoull(seed_env, nullptr, 10) : 20261129;
  std::printf("seed %llu (QS_TEST_SEED)\n", (unsigned long long)seed);
  std::mt19937_64 rng(seed);
  const Cheat::Kind kinds[] = {Cheat::Kind::add_to_share, Cheat::Kind::wrong_hash, Cheat::Kind::drop_message};
  const char* names[] = {"add_to_share", "wrong_hash", "drop_message"};
  for (int k = 0; k < 3; ++k) {
    int detected = 0;
    for (int t = 0; t < trials; ++t) {
      int cheater = int(rng() % 4);
      int moment = int(rng() % 3);
      int victim;
      if (kinds[k] == Cheat::Kind::add_to_share) {
        // a party that receives a JMP value from the cheater after the cheat is armed
        std::vector<int> targets;
        if (moment == 0) targets = FantasticFour::mul_receivers(cheater);
        if (moment <= 1) targets.push_back((cheater + 2) % 4);  // shuffle: party p sends to p+2 and p-1
        targets.push_back((cheater + 3) % 4);  // open: party p sends to p-1
        victim = targets[rng() % targets.size()];
      } else {
        victim = (cheater + 1 + int(rng() % 3)) % 4;
      }
      auto out = run_trial(kinds[k], cheater, victim, moment, rng());
      bool ok = out[cheater].cheat_done;
      for (int p = 0; p < 4; ++p) {
        if (p == cheater) continue;
        bool named = std::find(out[p].accused.begin(), out[p].accused.end(), cheater) != out[p].accused.end() &&
                     out[p].what.find("party " + std::to_string(cheater)) != std::string::npos;
        ok &= out[p].malicious && !out[p].output && named;
      }
      if (!ok) {
        std::fprintf(stderr, "%s trial %d: cheater %d victim %d moment %d\n", names[k], t, cheater, victim, moment);
        for (int p = 0; p < 4; ++p) std::fprintf(stderr, "  party %d: output=%d malicious=%d %s\n", p, out[p].output, out[p].malicious, out[p].what.c_str());
      }
      detected += ok;
      if (t == 0) std::printf("%s, e.g.: %s\n", names[k], out[victim].what.c_str());
    }
    std::printf("%s: detected by every honest party in %d of %d trials\n", names[k], detected, trials);
    CHECK_EQ(detected, trials);
  }
  // Honest runs: no false alarm.
  for (int t = 0; t < 20; ++t) {
    auto out = run_trial(Cheat::Kind::none, 0, 1, 0, rng());
    bool ok = true;
    for (int p = 0; p < 4; ++p) ok &= out[p].output && !out[p].malicious && out[p].what.empty();
    CHECK(ok);
  }
  return qs_test::finish();
}
