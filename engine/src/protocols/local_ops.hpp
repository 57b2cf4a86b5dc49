// Operations on replicated shares that need no messages, the same for every replicated scheme (3PC:
// Araki et al., CCS 2016, §2.1; 4PC: Dalskov, Escudero, Keller, USENIX Security 2021, §3): each party
// applies the operation to each of its k = n-1 local shares. A public constant enters through global
// share 0 only, so only the parties that hold global share 0 change that local position (3PC: parties 0
// and 2; 4PC: parties 0, 2, 3). XOR-linear maps (shifts, masks) apply share by share.
//
// Also: public_shared() (public values as a sharing), lift_share(), and for tests share_for_test() and
// reconstruct_for_test().
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "containers/shared.hpp"

namespace qs::ops {

namespace detail {
template <typename S, typename F>
S zip(const S& x, const S& y, F f) {
  if (x.k() != y.k() || x.size() != y.size()) throw std::invalid_argument("shares of different shapes");
  S z(x.k(), x.size());
  for (int j = 0; j < x.k(); ++j) {
    const uint32_t* a = x.share[j].data();
    const uint32_t* b = y.share[j].data();
    uint32_t* c = z.share[j].data();
    for (size_t e = 0, n = x.size(); e < n; ++e) c[e] = f(a[e], b[e]);
  }
  return z;
}
template <typename S, typename F>
S map(const S& x, F f) {
  S z(x.k(), x.size());
  for (int j = 0; j < x.k(); ++j) {
    const uint32_t* a = x.share[j].data();
    uint32_t* c = z.share[j].data();
    for (size_t e = 0, n = x.size(); e < n; ++e) c[e] = f(a[e]);
  }
  return z;
}
inline void check_size(size_t a, size_t b) {
  if (a != b) throw std::invalid_argument("constant vector of " + std::to_string(b) + " for " + std::to_string(a) + " elements");
}
}  // namespace detail

// ---- arithmetic (Z_2^32) ----
inline AShared add(const AShared& x, const AShared& y) { return detail::zip(x, y, [](uint32_t a, uint32_t b) { return a + b; }); }
inline AShared sub(const AShared& x, const AShared& y) { return detail::zip(x, y, [](uint32_t a, uint32_t b) { return a - b; }); }
inline AShared neg(const AShared& x) { return detail::map(x, [](uint32_t a) { return 0u - a; }); }
inline AShared mul_const(const AShared& x, uint32_t c) { return detail::map(x, [c](uint32_t a) { return a * c; }); }
inline AShared mul_const(const AShared& x, const std::vector<uint32_t>& c) {
  detail::check_size(x.size(), c.size());
  AShared z = x;
  for (auto& s : z.share) for (size_t e = 0; e < s.size(); ++e) s[e] *= c[e];
  return z;
}
/** x + c: only the holders of global share 0 add c, into that local position. */
inline AShared add_const(const AShared& x, uint32_t c, int party, int parties) {
  AShared z = x;
  int j = local_share(party, 0, parties);
  if (j >= 0) for (auto& v : z.share[j]) v += c;
  return z;
}
inline AShared add_const(const AShared& x, const std::vector<uint32_t>& c, int party, int parties) {
  detail::check_size(x.size(), c.size());
  AShared z = x;
  int j = local_share(party, 0, parties);
  if (j >= 0) for (size_t e = 0; e < c.size(); ++e) z.share[j][e] += c[e];
  return z;
}
/** c - x. */
inline AShared const_sub(uint32_t c, const AShared& x, int party, int parties) { return add_const(neg(x), c, party, parties); }

// ---- boolean (XOR shares of 32-bit words) ----
inline BShared xor_(const BShared& x, const BShared& y) { return detail::zip(x, y, [](uint32_t a, uint32_t b) { return a ^ b; }); }
/** x ^ c: only the holders of global share 0 flip, in that local position. */
inline BShared xor_const(const BShared& x, uint32_t c, int party, int parties) {
  BShared z = x;
  int j = local_share(party, 0, parties);
  if (j >= 0) for (auto& v : z.share[j]) v ^= c;
  return z;
}
inline BShared xor_const(const BShared& x, const std::vector<uint32_t>& c, int party, int parties) {
  detail::check_size(x.size(), c.size());
  BShared z = x;
  int j = local_share(party, 0, parties);
  if (j >= 0) for (size_t e = 0; e < c.size(); ++e) z.share[j][e] ^= c[e];
  return z;
}
/** Bitwise NOT: flip every bit of global share 0. */
inline BShared not_(const BShared& x, int party, int parties) { return xor_const(x, 0xFFFFFFFFu, party, parties); }
/** x & c for a public mask c (XOR-linear: every share). */
inline BShared and_const(const BShared& x, uint32_t c) { return detail::map(x, [c](uint32_t a) { return a & c; }); }
inline BShared and_const(const BShared& x, const std::vector<uint32_t>& c) {
  detail::check_size(x.size(), c.size());
  BShared z = x;
  for (auto& s : z.share) for (size_t e = 0; e < s.size(); ++e) s[e] &= c[e];
  return z;
}
inline BShared shl(const BShared& x, int s) { return detail::map(x, [s](uint32_t a) { return s >= 32 ? 0u : a << s; }); }
/** Logical right shift (zeros in). */
inline BShared shr(const BShared& x, int s) { return detail::map(x, [s](uint32_t a) { return s >= 32 ? 0u : a >> s; }); }
/** Bit b of every word, moved to bit 0 (the others cleared). */
inline BShared bit(const BShared& x, int b) { return detail::map(x, [b](uint32_t a) { return (a >> b) & 1u; }); }

// ---- a public vector as a sharing ----
/** The sharing of public values v: global share 0 = v, the others 0 (no randomness needed: v is public). */
template <typename S>
S public_shared(const std::vector<uint32_t>& v, int party, int parties) {
  S z(parties - 1, v.size());
  int j = local_share(party, 0, parties);
  if (j >= 0) z.share[j] = v;
  return z;
}

// ---- one global share as a sharing of its own ----
/**
 * The sharing whose global share g is x's global share g and whose other shares are 0: a valid
 * replicated sharing of x_g, since every holder of share g knows it (e.g. A2B/B2A start from these).
 */
template <typename Out>
Out lift_share(const Shared& x, int g, int party, int parties) {
  Out z(x.k(), x.size());
  int j = local_share(party, g, parties);
  if (j >= 0) z.share[j] = x.share[j];
  return z;
}

// ---- sharings of plaintext, for tests ----
/**
 * This party's shares of `values` in a sharing of n parties that every party computes alike from the same
 * seed: global shares 1..n-1 uniformly random, global share 0 completes the sum (or the XOR). For tests
 * only: every party could compute every share.
 */
template <typename S>
S share_for_test(const std::vector<uint32_t>& values, int party, int parties, uint64_t seed, bool boolean) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<uint32_t>> global(static_cast<size_t>(parties), std::vector<uint32_t>(values.size()));
  for (size_t e = 0; e < values.size(); ++e) {
    uint32_t acc = 0;
    for (int g = 1; g < parties; ++g) {
      uint32_t r = static_cast<uint32_t>(rng());
      global[g][e] = r;
      acc = boolean ? (acc ^ r) : (acc + r);
    }
    global[0][e] = boolean ? (values[e] ^ acc) : (values[e] - acc);
  }
  S out(parties - 1, values.size());
  for (int j = 0; j < parties - 1; ++j) out.share[j] = global[global_share(party, j, parties)];
  return out;
}
inline AShared share_a_for_test(const std::vector<uint32_t>& v, int party, int parties, uint64_t seed) {
  return share_for_test<AShared>(v, party, parties, seed, false);
}
inline BShared share_b_for_test(const std::vector<uint32_t>& v, int party, int parties, uint64_t seed) {
  return share_for_test<BShared>(v, party, parties, seed, true);
}

/** The value from every party's shares (index = party), checking that replicated copies agree. */
inline std::vector<uint32_t> reconstruct_for_test(const std::vector<const Shared*>& parties_shares, bool boolean) {
  int n = static_cast<int>(parties_shares.size());
  size_t size = parties_shares[0]->size();
  std::vector<uint32_t> out(size, 0);
  for (int g = 0; g < n; ++g) {
    const int holder = g, j = 0;  // party g holds global share g as its local share 0
    for (int p = 0; p < n; ++p) {
      int jp = local_share(p, g, n);
      if (jp >= 0 && parties_shares[p]->share[jp] != parties_shares[holder]->share[j]) {
        throw std::logic_error("replicated copies of global share " + std::to_string(g) + " disagree (party " + std::to_string(p) + ")");
      }
    }
    for (size_t e = 0; e < size; ++e) out[e] = boolean ? (out[e] ^ parties_shares[holder]->share[j][e]) : (out[e] + parties_shares[holder]->share[j][e]);
  }
  return out;
}

}  // namespace qs::ops
