// Replicated 3PC, semi-honest, honest majority: Araki, Furukawa, Lindell, Nof, Ohara, "High-Throughput
// Semi-Honest Secure Three-Party Computation with an Honest Majority", CCS 2016.
//
// Layout (containers/shared.hpp): x = x_0 + x_1 + x_2 (or XOR); party i holds (x_i, x_{i+1}) as local
// shares 0 and 1. Keys (random/keys.hpp): party i holds k_i and k_{i+1}; k_g is known to the holders of
// share g (parties g-1 and g).
//  - mul / and_ (§2.2 correlated randomness, §3 multiplication): party i computes
//      z_i = x_i y_i + x_i y_{i+1} + x_{i+1} y_i + alpha_i,  alpha_i = F(k_i) - F(k_{i+1})
//    (alpha_0 + alpha_1 + alpha_2 = 0; the XOR form for AND), keeps z_i as its local share 0 and sends it
//    to party i-1, whose local share 1 it is. One round, one element per party per element.
//    The paper writes shares as (x_i, x_{i-1}) pairs and sends to party i+1; this is the same protocol
//    in the share files' layout.
//  - open: party i sends its local share 0 (x_i) to party i+1, which misses exactly that share.
//  - random_a / random_b: share g = F(k_g), with no message (§2.2).
//  - shuffle: a resharing shuffle in the style of Mohassel, Rindal, Rosulek (CCS 2020, §5.1) as used by
//    Secrecy/ORQ: the replicated sharing becomes a 2-out-of-2 sharing inside pair {0,1}, which permutes
//    by pi_1 (from k_1) and hands over to pair {1,2} (pi_2 from k_2), then to pair {2,0} (pi_0 from k_0);
//    each hand-over is one masked vector; a last exchange inside pair {2,0} turns the 2-out-of-2 sharing
//    back into a replicated one. Each permutation is unknown to one party; 4 vectors in all, 3 rounds.
#pragma once

#include "protocols/protocol.hpp"
#include "random/keys.hpp"

namespace qs {

class Replicated3PC : public Protocol {
 public:
  /** Agrees the keys over `comm` (one round). */
  explicit Replicated3PC(net::Communicator& comm);
  Replicated3PC(net::Communicator& comm, random::Keys3 keys);

  int party() const override { return party_; }
  int parties() const override { return 3; }
  net::Communicator& comm() override { return comm_; }

  AShared mul(const AShared& x, const AShared& y) override;
  BShared and_(const BShared& x, const BShared& y) override;
  std::vector<uint32_t> open(const AShared& x) override;
  std::vector<uint32_t> open(const BShared& x) override;
  AShared random_a(size_t size) override;
  BShared random_b(size_t size) override;
  AShared joint_input_a(int a, int b, const std::vector<uint32_t>& values, size_t size) override;
  BShared joint_input_b(int a, int b, const std::vector<uint32_t>& values, size_t size) override;
  void shuffle(std::vector<Shared*>& columns) override;
  void shuffle_columns(const std::vector<AShared*>& a, const std::vector<BShared*>& b) override;
  void verify() override {}
  uint64_t rounds() const override { return rounds_; }

 private:
  template <bool Boolean>
  void multiply(const Shared& x, const Shared& y, Shared& z);
  template <bool Boolean>
  std::vector<uint32_t> reveal(const Shared& x);
  void joint_input(int a, int b, const std::vector<uint32_t>& values, size_t size, Shared& out);
  void shuffle_impl(const std::vector<Shared*>& columns, const std::vector<bool>& boolean);

  net::Communicator& comm_;
  int party_;
  random::Keys3 keys_;
  uint64_t rounds_ = 0;
};

}  // namespace qs
