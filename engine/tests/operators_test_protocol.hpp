// The protocol the operator tests run on: make_protocol(comm) when it knows the number of parties; until
// Fantastic Four lands, 4 parties get a stand-in that is correct but NOT secure (it opens operands to one
// neighbour and reshares from a seed all parties know), with one message per link per round.
#pragma once

#include <memory>
#include <random>

#include "protocols/local_ops.hpp"
#include "protocols/protocol.hpp"

#ifndef QS_OPERATORS_STANDIN
#define QS_OPERATORS_STANDIN 1
#endif

namespace qs {

#if QS_OPERATORS_STANDIN
class StandInProtocol : public Protocol {
 public:
  explicit StandInProtocol(net::Communicator& c) : c_(c) {}
  int party() const override { return c_.party(); }
  int parties() const override { return c_.parties(); }
  net::Communicator& comm() override { return c_; }

  AShared mul(const AShared& x, const AShared& y) override {
    auto v = open_pair(x, y, false);
    for (size_t e = 0; e < x.size(); ++e) v.first[e] *= v.second[e];
    return ops::share_a_for_test(v.first, party(), parties(), ++seed_);
  }
  BShared and_(const BShared& x, const BShared& y) override {
    auto v = open_pair(x, y, true);
    for (size_t e = 0; e < x.size(); ++e) v.first[e] &= v.second[e];
    return ops::share_b_for_test(v.first, party(), parties(), ++seed_);
  }
  std::vector<uint32_t> open(const AShared& x) override { return open_pair(x, x, false).first; }
  std::vector<uint32_t> open(const BShared& x) override { return open_pair(x, x, true).first; }
  AShared random_a(size_t n) override { return ops::share_a_for_test(rand(n), party(), parties(), ++seed_); }
  BShared random_b(size_t n) override { return ops::share_b_for_test(rand(n), party(), parties(), ++seed_); }
  void shuffle(std::vector<Shared*>& columns) override {
    if (columns.empty()) return;
    std::vector<uint32_t> perm(columns[0]->size());
    for (size_t e = 0; e < perm.size(); ++e) perm[e] = static_cast<uint32_t>(e);
    std::mt19937_64 rng(++seed_);
    std::shuffle(perm.begin(), perm.end(), rng);
    for (auto* c : columns)
      for (auto& s : c->share) {
        std::vector<uint32_t> t(s.size());
        for (size_t e = 0; e < s.size(); ++e) t[e] = s[perm[e]];
        s = std::move(t);
      }
  }
  void shuffle_columns(const std::vector<AShared*>& a, const std::vector<BShared*>& b) override {
    std::vector<Shared*> all(a.begin(), a.end());
    all.insert(all.end(), b.begin(), b.end());
    shuffle(all);
  }
  void verify() override {}
  uint64_t rounds() const override { return rounds_; }

 private:
  std::vector<uint32_t> rand(size_t n) {
    std::mt19937_64 rng(++seed_ * 7919);
    std::vector<uint32_t> v(n);
    for (auto& w : v) w = static_cast<uint32_t>(rng());
    return v;
  }
  // Party i sends its local share 0 (global share i) of x and y to party i + 1, which misses it... in 3PC.
  // In 4PC party i misses global share i − 1, held by i − 1 as local share 0: the same message pattern.
  std::pair<std::vector<uint32_t>, std::vector<uint32_t>> open_pair(const Shared& x, const Shared& y, bool boolean) {
    const int n = parties(), me = party();
    const size_t len = x.size();
    std::vector<uint32_t> msg(x.share[0]);
    msg.insert(msg.end(), y.share[0].begin(), y.share[0].end());
    ++rounds_;
    net::send_words(c_, (me + 1) % n, msg);
    auto got = net::recv_words(c_, (me + n - 1) % n, 2 * len);
    std::vector<uint32_t> a(len), b(len);
    for (size_t e = 0; e < len; ++e) {
      a[e] = got[e], b[e] = got[len + e];
      for (int j = 0; j < x.k(); ++j) {
        a[e] = boolean ? a[e] ^ x.share[j][e] : a[e] + x.share[j][e];
        b[e] = boolean ? b[e] ^ y.share[j][e] : b[e] + y.share[j][e];
      }
    }
    return {a, b};
  }
  net::Communicator& c_;
  uint64_t seed_ = 1000, rounds_ = 0;
};
inline std::unique_ptr<Protocol> make_test_protocol(net::Communicator& c) {
  if (c.parties() == 3) return make_protocol(c);
  return std::make_unique<StandInProtocol>(c);
}
#else
inline std::unique_ptr<Protocol> make_test_protocol(net::Communicator& c) { return make_protocol(c); }
#endif

}  // namespace qs
