// Replicated secret shares of a column, exactly as the share files hold them (shared/ENGINE.md):
// n = 3 or 4 parties, k = n - 1 shares per party, local share j of party i is global share (i + j) mod n.
// 3PC: Araki, Furukawa, Lindell, Nof, Ohara (CCS 2016) §2; 4PC: Dalskov, Escudero, Keller
// (USENIX Security 2021) §3 — every party holds all shares but global share (i - 1) mod n.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace qs {

/** Global share index held as local share j by `party` of `parties`. */
inline int global_share(int party, int j, int parties) { return (party + j) % parties; }
/** Local position of global share g at `party`, or -1 when the party does not hold it. */
inline int local_share(int party, int g, int parties) {
  int j = ((g - party) % parties + parties) % parties;
  return j < parties - 1 ? j : -1;
}

/** One party's k shares of a column of 32-bit values: share[j][e] is global share (party + j) mod n of e. */
struct Shared {
  std::vector<std::vector<uint32_t>> share;

  Shared() = default;
  Shared(int k, size_t size) : share(static_cast<size_t>(k), std::vector<uint32_t>(size, 0)) {}
  size_t size() const { return share.empty() ? 0 : share[0].size(); }
  int k() const { return static_cast<int>(share.size()); }
};

/** Additive shares over Z_2^32: the value is the sum of the n global shares mod 2^32. */
struct AShared : Shared {
  using Shared::Shared;
};

/**
 * XOR shares of 32-bit words: the value is the XOR of the n global shares. Boolean circuits work on
 * whole words, so one word carries 32 independent bits (bit-sliced) or one 32-bit value.
 */
struct BShared : Shared {
  using Shared::Shared;
};

}  // namespace qs
