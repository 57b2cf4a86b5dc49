// Key agreement at start, over the links, with no trusted dealer: one member of each group samples the
// group's key and sends it to the others (one round). The links are private and authenticated
// (net/communicator.hpp), so only the group learns the key.
//
// 3PC (Araki et al., CCS 2016, §2.2): party i samples k_i and sends it to party i-1, so that party i
//   holds (k_i, k_{i+1}). Key k_g is held by exactly the two parties that hold global share g.
// 4PC (Dalskov, Escudero, Keller, USENIX Security 2021, §3): one key per group of three parties,
//   "all but p", written K_{-p}; party p+1 samples it and sends it to p+2 and p+3. Key K_{-(g+1)} is held
//   by exactly the three parties that hold global share g (party g+1 misses share g).
#pragma once

#include <vector>

#include "net/communicator.hpp"
#include "random/prg.hpp"

namespace qs::random {

struct Keys3 {
  Prg own;   // k_i: shared with party i-1
  Prg next;  // k_{i+1}: shared with party i+1
};
Keys3 agree_keys_3pc(net::Communicator& comm);

struct Keys4 {
  /** group[p]: the PRG of K_{-p}, the key of every party but p; empty (unused) for p = this party. */
  std::vector<Prg> group;
};
Keys4 agree_keys_4pc(net::Communicator& comm);

}  // namespace qs::random
