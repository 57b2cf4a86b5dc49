#include "operators/circuits.hpp"

#include <utility>

namespace qs::ops {

namespace {

/** Planes of a column whose shares are all 0 but local share j (a global share g of an additive value). */
void planes_of_share(const std::vector<uint32_t>& src, Planes& p, int j) {
  detail::share_to_planes(src.data(), src.size(), p.plane(j, 0), p.words);
}

/** x[off..off+len) ^= z[zoff..zoff+len), every share. */
void xor_range(Shared& x, size_t off, const Shared& z, size_t zoff, size_t len) {
  for (int j = 0; j < x.k(); ++j) {
    uint32_t* a = x.share[j].data() + off;
    const uint32_t* b = z.share[j].data() + zoff;
    for (size_t t = 0; t < len; ++t) a[t] ^= b[t];
  }
}


}  // namespace

// ---- arithmetic helpers -------------------------------------------------------------------------------

void add_in(Shared& x, const Shared& y) {
  for (int j = 0; j < x.k(); ++j)
    for (size_t e = 0; e < x.size(); ++e) x.share[j][e] += y.share[j][e];
}
void sub_in(Shared& x, const Shared& y) {
  for (int j = 0; j < x.k(); ++j)
    for (size_t e = 0; e < x.size(); ++e) x.share[j][e] -= y.share[j][e];
}

// ---- equality: XNOR then an AND tree (5 rounds) ----------------------------------------------------

BShared eq(Protocol& proto, const BShared& x, const BShared& y) {
  const size_t n = x.size();
  BShared d = x;
  xor_in(d, y);
  Planes e = to_planes(d);
  const size_t w = e.words;
  flip_in(e.bits, ~0u, proto.party(), proto.parties());  // XNOR: bit b is 1 where x and y agree
  // 32 → 16 → 8 → 4 → 2 → 1 planes: AND the lower half of the planes with the upper half, every word full.
  BShared cur = std::move(e.bits);
  AndBatch batch(proto, cur.k());
  for (size_t half = 16; half >= 1; half /= 2) {
    batch.add(cur, 0, cur, half * w, half * w);
    cur = batch.run();
  }
  return unpack_bits(cur, n);
}

// ---- less-than: a tree of (lt, eq) pairs ----------------------------------------------------------
//
// For a block of bits, L = "x < y on these bits", E = "x == y on these bits"; a block is the high half H
// over the low half Lo: L = L_H ⊕ (E_H & L_Lo) (the two terms never both hold), E = E_H & E_Lo. Leaves:
// L_b = ¬x_b & y_b, E_b = ¬(x_b ⊕ y_b) (local); the sign bit of a signed column is the other way round
// (x < y there when x_b = 1 and y_b = 0): L_b = x_b & ¬y_b. Leaves are paired from the least significant
// up, an odd block out is carried to the next level as it is. E of level r+1 needs only E of level r, so
// it is computed one round ahead: round 0 = L leaves + E level 1; round r = L level r + E level r+1.
// For p planes: ⌈log2 p⌉ + 1 rounds and p + (p − 1) + (p − 2) AND planes (+1 for E at the root):
// 32 planes (one int32): 6 rounds, 93 planes.

LtEq lt_eq_planes(Protocol& proto, const BShared& x, const BShared& y, size_t planes, size_t w,
                  const std::vector<bool>& sign, bool need_eq) {
  const int k = x.k(), me = proto.party(), n = proto.parties();
  BShared E0 = x;
  xor_in(E0, y);
  flip_in(E0, ~0u, me, n);

  // counts[r] = blocks at level r.
  std::vector<size_t> counts = {planes};
  while (counts.back() > 1) counts.push_back((counts.back() + 1) / 2);
  const size_t R = counts.size() - 1;
  std::vector<BShared> L(R + 1), E(R + 1);
  E[0] = std::move(E0);
  AndBatch batch(proto, k);
  batch.reserve((planes + planes / 2 + 1) * w);

  // Round 0: the L leaves (runs of planes with the same orientation in one piece), and E of level 1.
  const size_t oL = batch.size();
  for (size_t b = 0; b < planes;) {
    size_t e = b + 1;
    while (e < planes && sign[e] == sign[b]) ++e;
    batch.add(x, b * w, y, b * w, (e - b) * w, /*not_a=*/!sign[b], /*not_b=*/sign[b]);
    b = e;
  }
  auto pair_level = [&](std::vector<BShared>& V, size_t r, bool with_l) {
    // Queues the ANDs that make level r+1 from level r: E_H & E_Lo (with_l: E_H & L_Lo); returns offsets.
    std::vector<size_t> off;
    for (size_t t = 0; 2 * t + 1 < counts[r]; ++t)
      off.push_back(batch.add(E[r], (2 * t + 1) * w, with_l ? L[r] : V[r], 2 * t * w, w));
    return off;
  };
  std::vector<size_t> oE;
  if (R >= 1 && (R > 1 || need_eq)) oE = pair_level(E, 0, false);
  {
    const BShared& z = batch.run();
    L[0] = slice<BShared>(z, oL, planes * w);
    if (!oE.empty() || (R >= 1 && (R > 1 || need_eq))) {
      E[1] = BShared(k, counts[1] * w);
      for (size_t t = 0; t < oE.size(); ++t)
        for (int j = 0; j < k; ++j) copy_words(E[1].share[j].data() + t * w, z.share[j].data() + oE[t], w * sizeof(uint32_t));
      if (counts[0] % 2) xor_range(E[1], (counts[1] - 1) * w, E[0], (counts[0] - 1) * w, w);  // carried
    }
  }
  for (size_t r = 1; r <= R; ++r) {
    const auto oLr = pair_level(L, r - 1, true);
    const bool next_e = r + 1 <= R && (r + 1 < R || need_eq);
    std::vector<size_t> oEr;
    if (next_e) oEr = pair_level(E, r, false);
    const BShared& z = batch.run();
    L[r] = BShared(k, counts[r] * w);
    for (size_t t = 0; t < oLr.size(); ++t)
      for (int j = 0; j < k; ++j) {
        uint32_t* dst = L[r].share[j].data() + t * w;
        const uint32_t* hi = L[r - 1].share[j].data() + (2 * t + 1) * w;
        const uint32_t* zz = z.share[j].data() + oLr[t];
        for (size_t g = 0; g < w; ++g) dst[g] = hi[g] ^ zz[g];
      }
    if (counts[r - 1] % 2) xor_range(L[r], (counts[r] - 1) * w, L[r - 1], (counts[r - 1] - 1) * w, w);
    if (next_e) {
      E[r + 1] = BShared(k, counts[r + 1] * w);
      for (size_t t = 0; t < oEr.size(); ++t)
        for (int j = 0; j < k; ++j) copy_words(E[r + 1].share[j].data() + t * w, z.share[j].data() + oEr[t], w * sizeof(uint32_t));
      if (counts[r] % 2) xor_range(E[r + 1], (counts[r + 1] - 1) * w, E[r], (counts[r] - 1) * w, w);
    }
    L[r - 1] = BShared();
    if (r >= 2) E[r - 1] = BShared();
  }
  LtEq out;
  out.lt = std::move(L[R]);
  if (need_eq) out.eq = R == 0 ? std::move(E[0]) : std::move(E[R]);
  return out;
}

LtEq lt_eq_planes(Protocol& proto, const Planes& x, const Planes& y, bool need_eq) {
  std::vector<bool> sign(32, false);
  sign[31] = true;
  return lt_eq_planes(proto, x.bits, y.bits, 32, x.words, sign, need_eq);
}

BShared lt(Protocol& proto, const BShared& x, const BShared& y) {
  return unpack_bits(lt_eq_planes(proto, to_planes(x), to_planes(y), false).lt, x.size());
}

BShared lt_lex_rows(Protocol& proto, const std::vector<ColumnRows>& xs, const std::vector<ColumnRows>& ys, const std::vector<int>& widths) {
  const size_t m = xs.size();
  const size_t n = xs.at(0).rows ? xs[0].rows->size() : xs[0].col->size(), w = words_for(n);
  const int k = xs[0].col->k();
  // One tree over the planes of every column: the last column's low planes first, the first column's
  // sign plane last. A column of width < 32 brings only its low `width` planes (unsigned).
  size_t planes = 0;
  std::vector<size_t> at(m);
  for (size_t c = m; c-- > 0;) at[c] = planes, planes += widths.empty() ? 32 : static_cast<size_t>(widths[c]);
  BShared xp(k, planes * w), yp(k, planes * w);
  std::vector<bool> sign(planes, false);
  for (size_t c = 0; c < m; ++c) {
    const int width = widths.empty() ? 32 : widths[c];
    if (width == 32) sign[at[c] + 31] = true;
    for (int side = 0; side < 2; ++side) {
      const ColumnRows& cr = side ? ys[c] : xs[c];
      BShared& dst = side ? yp : xp;
      for (int j = 0; j < k; ++j)
        detail::share_to_planes(cr.col->share[j].data(), n, dst.share[j].data() + at[c] * w, w, w, cr.rows ? cr.rows->data() : nullptr,
                                width);
    }
  }
  return lt_eq_planes(proto, xp, yp, planes, w, sign, false).lt;
}

BShared lt_lex_packed(Protocol& proto, const std::vector<const BShared*>& xs, const std::vector<const BShared*>& ys,
                      const std::vector<int>& widths) {
  std::vector<ColumnRows> x, y;
  for (auto* c : xs) x.push_back({c, nullptr});
  for (auto* c : ys) y.push_back({c, nullptr});
  return lt_lex_rows(proto, x, y, widths);
}

// ---- adders ----------------------------------------------------------------------------------------
//
// Sklansky parallel-prefix carries: g_i = a_i & b_i, p_i = a_i ⊕ b_i; at level r (r = 0…4) every bit i
// with bit r of i set takes the block below it, j = ⌊i / 2^r⌋·2^r − 1: G_i ⊕= P_i & G_j (the terms are
// disjoint, so OR is XOR), P_i &= P_j (only when a later level still needs P_i: i ≥ 2^(r+1)). j is never
// updated at level r, so a level is one round. P of level r+1 needs P of level r only, so it runs one
// round ahead: round 0 = g + P level 0; round r+1 = G level r + P level r+1. Carry into bit i is G_{i−1}
// after level 4; only bits 0…30 need carries. 6 rounds, 31 + 75 (G) + 46 (P) = 152 AND planes.

Planes add_planes_ex(Protocol& proto, const Planes& a, const Planes& b, bool carry_in, BShared* carry_out) {
  const int k = a.k(), me = proto.party(), parties = proto.parties();
  const size_t w = a.words;
  // Carries needed into bits 1…31, and out of bit 31 when asked: G over bits 0 … top−1.
  const int top = carry_out ? 32 : 31;
  BShared p = a.bits;
  xor_in(p, b.bits);
  AndBatch batch(proto, k);
  auto j_of = [](int i, int r) { return ((i >> r) << r) - 1; };
  auto p_needed = [](int i, int r) { return ((i >> r) & 1) && (i >> (r + 1)) != 0; };  // P_i at level r

  std::vector<BShared> P(6);  // P[r + 1] = P after level r; P[0] = p
  P[0] = p;
  BShared G;
  // round 0
  {
    const size_t og = batch.add(a.bits, 0, b.bits, 0, static_cast<size_t>(top) * w);
    std::vector<std::pair<int, size_t>> pu;
    for (int i = 0; i < top; ++i)
      if (p_needed(i, 0)) pu.emplace_back(i, batch.add(P[0], i * w, P[0], j_of(i, 0) * w, w));
    const BShared& z = batch.run();
    G = BShared(k, 32 * w);
    for (int jj = 0; jj < k; ++jj) copy_words(G.share[jj].data(), z.share[jj].data() + og, top * w * sizeof(uint32_t));
    // A carry-in of 1 is folded into bit 0's generate: g_0 ⊕ p_0·1 (the two terms never both hold).
    if (carry_in) xor_range(G, 0, p, 0, w);
    P[1] = P[0];
    for (auto& [i, o] : pu)
      for (int jj = 0; jj < k; ++jj) copy_words(P[1].share[jj].data() + i * w, z.share[jj].data() + o, w * sizeof(uint32_t));
  }
  for (int r = 0; r <= 4; ++r) {
    std::vector<std::pair<int, size_t>> gu, pu;
    for (int i = 0; i < top; ++i)
      if ((i >> r) & 1) gu.emplace_back(i, batch.add(P[r], i * w, G, j_of(i, r) * w, w));
    if (r + 1 <= 4)
      for (int i = 0; i < top; ++i)
        if (p_needed(i, r + 1)) pu.emplace_back(i, batch.add(P[r + 1], i * w, P[r + 1], j_of(i, r + 1) * w, w));
    const BShared& z = batch.run();
    for (auto& [i, o] : gu) xor_range(G, i * w, z, o, w);
    if (r + 1 <= 4) {
      P[r + 2] = P[r + 1];
      for (auto& [i, o] : pu)
        for (int jj = 0; jj < k; ++jj) copy_words(P[r + 2].share[jj].data() + i * w, z.share[jj].data() + o, w * sizeof(uint32_t));
    }
    if (r >= 1) P[r] = BShared();
  }
  Planes s(k, w);
  s.bits = std::move(p);
  for (int i = 1; i < 32; ++i) xor_range(s.bits, i * w, G, (i - 1) * w, w);
  if (carry_in) {
    const int j0 = local_share(me, 0, parties);
    if (j0 >= 0)
      for (size_t g = 0; g < w; ++g) s.bits.share[j0][g] ^= ~0u;  // sum bit 0 = p_0 ⊕ 1
  }
  if (carry_out) *carry_out = slice<BShared>(G, 31 * w, w);
  return s;
}

Planes add_planes(Protocol& proto, const Planes& a, const Planes& b) { return add_planes_ex(proto, a, b, false, nullptr); }

// ---- A2B (ABY3 §5.3; 4PC: one more carry-save layer) -------------------------------------------------

Planes a2b_planes(Protocol& proto, const AShared& x) {
  const int n = proto.parties(), me = proto.party(), k = x.k();
  const size_t w = words_for(x.size());
  if (n == 4) {
    // Fantastic Four: x_0 + x_1 is known to parties 0 and 3 (the two that miss neither share), x_2 + x_3 to
    // parties 1 and 2; each pair inputs its sum as a fresh boolean sharing (joint input, one element sent
    // in all, no AND gate), and one adder adds the two.
    const size_t len = x.size();
    auto pair_sum = [&](int g) {
      std::vector<uint32_t> v(len, 0);
      const int j0 = local_share(me, g, n), j1 = local_share(me, g + 1, n);
      if (j0 >= 0 && j1 >= 0)
        for (size_t e = 0; e < len; ++e) v[e] = x.share[j0][e] + x.share[j1][e];
      return v;
    };
    const BShared s01 = proto.joint_input_b(0, 3, pair_sum(0), len);
    const BShared s23 = proto.joint_input_b(1, 2, pair_sum(2), len);
    return add_planes(proto, to_planes(s01), to_planes(s23));
  }
  // The n global additive shares, each a boolean sharing of its own (global share g = x_g, others 0).
  std::vector<Planes> terms;
  for (int g = 0; g < n; ++g) {
    Planes t(k, w);
    const int j = local_share(me, g, n);
    if (j >= 0) planes_of_share(x.share[j], t, j);
    terms.push_back(std::move(t));
  }
  // Carry-save layers: a + b + c = s + 2·carry, s = a ⊕ b ⊕ c, carry = maj(a, b, c) = ((a ⊕ c) & (b ⊕ c)) ⊕ c.
  AndBatch batch(proto, k);
  while (terms.size() > 2) {
    Planes a = std::move(terms[0]), b = std::move(terms[1]), c = std::move(terms[2]);
    terms.erase(terms.begin(), terms.begin() + 3);
    xor_in(a.bits, c.bits);  // a ⊕ c
    xor_in(b.bits, c.bits);  // b ⊕ c
    batch.add(a.bits, 0, b.bits, 0, 31 * w);
    const BShared& z = batch.run();
    Planes carry(k, w);  // shifted left by one: plane i + 1 = carry of bit i
    for (int jj = 0; jj < k; ++jj) copy_words(carry.bits.share[jj].data() + w, z.share[jj].data(), 31 * w * sizeof(uint32_t));
    xor_range(carry.bits, w, c.bits, 0, 31 * w);
    Planes s = std::move(a);
    xor_in(s.bits, b.bits);  // (a ⊕ c) ⊕ (b ⊕ c) = a ⊕ b
    xor_in(s.bits, c.bits);
    terms.insert(terms.begin(), std::move(carry));
    terms.insert(terms.begin(), std::move(s));
  }
  return add_planes(proto, terms[0], terms[1]);
}

BShared a2b(Protocol& proto, const AShared& x) { return from_planes<BShared>(a2b_planes(proto, x), x.size()); }

// ---- B2A -------------------------------------------------------------------------------------------

AShared b2a_bit(Protocol& proto, const BShared& bits) {
  const int n = proto.parties(), me = proto.party(), k = bits.k();
  const size_t len = bits.size();
  const BShared b0 = bit(bits, 0);
  if (n == 4) {
    // Fantastic Four: b_0 ⊕ b_1 is known to parties 0 and 3, b_2 ⊕ b_3 to parties 1 and 2: each pair inputs
    // its bit as an arithmetic 0/1 (joint input), then one multiplication combines the two.
    auto pair_xor = [&](int g) {
      std::vector<uint32_t> v(len, 0);
      const int j0 = local_share(me, g, n), j1 = local_share(me, g + 1, n);
      if (j0 >= 0 && j1 >= 0)
        for (size_t e = 0; e < len; ++e) v[e] = b0.share[j0][e] ^ b0.share[j1][e];
      return v;
    };
    AShared a = proto.joint_input_a(0, 3, pair_xor(0), len);
    const AShared b = proto.joint_input_a(1, 2, pair_xor(2), len);
    const AShared ab = proto.mul(a, b);
    for (int j = 0; j < k; ++j)
      for (size_t e = 0; e < len; ++e) a.share[j][e] += b.share[j][e] - 2u * ab.share[j][e];
    return a;
  }
  // Each global XOR share of the bit, alone, as an arithmetic sharing of 0 or 1.
  std::vector<AShared> terms;
  for (int g = 0; g < n; ++g) terms.push_back(lift_share<AShared>(b0, g, me, n));
  // a ⊕ b = a + b − 2ab, pairs of a level in one multiplication call.
  while (terms.size() > 1) {
    const size_t pairs = terms.size() / 2;
    std::vector<const Shared*> as, bs;
    for (size_t p = 0; p < pairs; ++p) as.push_back(&terms[2 * p]), bs.push_back(&terms[2 * p + 1]);
    AShared prod = proto.mul(concat<AShared>(as), concat<AShared>(bs));
    std::vector<AShared> next;
    for (size_t p = 0; p < pairs; ++p) {
      AShared t = std::move(terms[2 * p]);
      add_in(t, terms[2 * p + 1]);
      for (int j = 0; j < k; ++j)
        for (size_t e = 0; e < len; ++e) t.share[j][e] -= 2u * prod.share[j][p * len + e];
      next.push_back(std::move(t));
    }
    if (terms.size() % 2) next.push_back(std::move(terms.back()));
    terms = std::move(next);
  }
  return std::move(terms[0]);
}

AShared b2a(Protocol& proto, const BShared& x) {
  const size_t len = x.size();
  AShared r = proto.random_a(len);
  Planes nr = a2b_planes(proto, ops::neg(r));
  Planes masked = add_planes(proto, to_planes(x), nr);
  std::vector<uint32_t> open = proto.open(from_planes<BShared>(masked, len));  // x − r: uniform
  return add_const(r, open, proto.party(), proto.parties());
}

// ---- multiplexers ------------------------------------------------------------------------------------

AShared mux(Protocol& proto, const AShared& b, const AShared& x, const AShared& y) {
  AShared d = x;
  sub_in(d, y);
  AShared out = proto.mul(b, d);
  add_in(out, y);
  return out;
}

BShared mux(Protocol& proto, const BShared& b, const BShared& x, const BShared& y) {
  BShared mask(b.k(), b.size());
  for (int j = 0; j < b.k(); ++j)
    for (size_t e = 0; e < b.size(); ++e) mask.share[j][e] = 0u - (b.share[j][e] & 1u);
  BShared d = x;
  xor_in(d, y);
  BShared out = proto.and_(mask, d);
  xor_in(out, y);
  return out;
}

AShared segmented_prefix_sum(Protocol& proto, const AShared& x, const AShared& start) {
  const size_t n = x.size();
  const int k = x.k(), me = proto.party(), parties = proto.parties();
  AShared v = x, s = start;
  // Row 0 begins a segment whatever `start` says: its sharing is replaced by a public 1.
  if (n) {
    for (int j = 0; j < k; ++j) s.share[j][0] = 0;
    const int j0 = local_share(me, 0, parties);
    if (j0 >= 0) s.share[j0][0] = 1;
  }
  for (size_t d = 1; d < n; d *= 2) {
    const size_t m = n - d;
    const bool last = 2 * d >= n;
    // Left operands: (1 − s_i) for i ≥ d, then s_i; right: x_{i−d}, then s_{i−d}.
    AShared a(k, last ? m : 2 * m), b(k, last ? m : 2 * m);
    for (int j = 0; j < k; ++j) {
      const bool c = local_share(me, 0, parties) == j;
      for (size_t t = 0; t < m; ++t) {
        a.share[j][t] = (c ? 1u : 0u) - s.share[j][d + t];
        b.share[j][t] = v.share[j][t];
        if (!last) a.share[j][m + t] = s.share[j][d + t], b.share[j][m + t] = s.share[j][t];
      }
    }
    const AShared z = proto.mul(a, b);
    for (int j = 0; j < k; ++j) {
      // Update from the top down so that every read is of the previous level (rows below are unchanged).
      for (size_t t = m; t-- > 0;) {
        v.share[j][d + t] += z.share[j][t];
        if (!last) s.share[j][d + t] += s.share[j][t] - z.share[j][m + t];
      }
    }
  }
  return v;
}

BShared segmented_prefix_minmax(Protocol& proto, const BShared& x, const BShared& start, bool max) {
  const size_t n = x.size();
  const int k = x.k(), me = proto.party(), parties = proto.parties();
  BShared v = x;
  BShared ns(k, n);  // ¬s, bit 0 per element; row 0 starts a segment whatever `start` says
  for (int j = 0; j < k; ++j)
    for (size_t e = 0; e < n; ++e) ns.share[j][e] = start.share[j][e] & 1u;
  flip_in(ns, 1u, me, parties);
  if (n) {
    for (int j = 0; j < k; ++j) ns.share[j][0] = 0;
  }
  AndBatch batch(proto, k);
  for (size_t d = 1; d < n; d *= 2) {
    const size_t m = n - d, w = words_for(m);
    const BShared prev = slice<BShared>(v, 0, m), cur = slice<BShared>(v, d, m);
    // min: take x_{i−d} when it is smaller; max: when x_i is smaller.
    const BShared c = max ? lt_lex_packed(proto, {&cur}, {&prev}) : lt_lex_packed(proto, {&prev}, {&cur});
    const BShared ns_cur = pack_bits(slice<BShared>(ns, d, m)), ns_prev = pack_bits(slice<BShared>(ns, 0, m));
    const size_t o_take = batch.add(c, 0, ns_cur, 0, w);
    const size_t o_ns = batch.add(ns_cur, 0, ns_prev, 0, w);  // ¬(s_i ∨ s_{i−d}) = ¬s_i ∧ ¬s_{i−d}
    const BShared z = batch.run();
    const BShared nsn = unpack_bits(slice<BShared>(z, o_ns, w), m);
    for (int j = 0; j < k; ++j) copy_words(ns.share[j].data() + d, nsn.share[j].data(), m * sizeof(uint32_t));
    const BShared mask = masks_from_packed(slice<BShared>(z, o_take, w), m);
    BShared diff = prev;
    xor_in(diff, cur);
    batch.add(mask, 0, diff, 0, m);
    const BShared& sw = batch.run();
    xor_range(v, d, sw, 0, m);
  }
  return v;
}

BShared group_starts(Protocol& proto, const std::vector<const BShared*>& keys) {
  const size_t n = keys.at(0)->size(), m = keys.size();
  const int k = keys[0]->k(), me = proto.party(), parties = proto.parties();
  if (n == 0) return BShared(k, 0);
  // Row i against row i − 1 (rows 1 … n−1), every column in one EQ tree.
  const size_t len = n - 1, wc = words_for(len);
  Planes d(k, m * wc);
  std::vector<uint32_t> diff(len);
  for (size_t c = 0; c < m; ++c)
    for (int j = 0; j < k; ++j) {
      const auto& col = keys[c]->share[j];
      for (size_t t = 0; t < len; ++t) diff[t] = col[t + 1] ^ col[t];
      detail::share_to_planes(diff.data(), len, d.plane(j, 0) + c * wc, wc, m * wc);
    }
  flip_in(d.bits, ~0u, me, parties);  // XNOR
  BShared cur = std::move(d.bits);
  AndBatch batch(proto, k);
  for (size_t half = 16; half >= 1; half /= 2) {
    batch.add(cur, 0, cur, half * m * wc, half * m * wc);
    cur = batch.run();
  }
  // cur: m·wc words, column c's equalities at [c·wc, (c+1)·wc); AND the columns together.
  size_t cols = m;
  while (cols > 1) {
    const size_t half = cols / 2;
    batch.add(cur, 0, cur, (cols - half) * wc, half * wc);
    const BShared& z = batch.run();
    BShared next = slice<BShared>(cur, 0, (cols - half) * wc);
    for (int j = 0; j < k; ++j) copy_words(next.share[j].data(), z.share[j].data(), half * wc * sizeof(uint32_t));
    cur = std::move(next);
    cols -= half;
  }
  flip_in(cur, ~0u, me, parties);  // starts where not equal
  BShared out(k, n);
  const BShared bits = unpack_bits(cur, len);
  for (int j = 0; j < k; ++j) copy_words(out.share[j].data() + 1, bits.share[j].data(), len * sizeof(uint32_t));
  const int j0 = local_share(me, 0, parties);
  if (j0 >= 0) out.share[j0][0] = 1;
  return out;
}

// ---- division: restoring division on magnitudes ----------------------------------------------------------

namespace {
/** |v| of bit-sliced signed values: (v ⊕ sign·1…1) + sign, one adder (6 rounds). Also returns the sign plane. */
Planes abs_planes(Protocol& proto, const Planes& v, BShared& sign) {
  const int k = v.k();
  const size_t w = v.words;
  sign = slice<BShared>(v.bits, 31 * w, w);
  Planes flipped = v, addend(k, w);
  for (int b = 0; b < 32; ++b) xor_range(flipped.bits, b * w, sign, 0, w);
  xor_range(addend.bits, 0, sign, 0, w);
  return add_planes(proto, flipped, addend);
}
}  // namespace

BShared div(Protocol& proto, const BShared& x, const BShared& y) {
  const size_t n = x.size(), w = words_for(n);
  const int k = x.k(), me = proto.party(), parties = proto.parties();
  // x and y side by side (y from word w on), so that both magnitudes come from one adder.
  BShared both(k, 64 * w);
  for (int j = 0; j < k; ++j) {
    copy_words(both.share[j].data(), x.share[j].data(), n * sizeof(uint32_t));
    copy_words(both.share[j].data() + 32 * w, y.share[j].data(), n * sizeof(uint32_t));
  }
  BShared signs;
  const Planes mags = abs_planes(proto, to_planes(both), signs);  // 2w words per plane
  Planes ax(k, w), nay(k, w);  // |x|, ¬|y|
  for (int b = 0; b < 32; ++b)
    for (int j = 0; j < k; ++j) {
      copy_words(ax.plane(j, b), mags.plane(j, b), w * sizeof(uint32_t));
      copy_words(nay.plane(j, b), mags.plane(j, b) + w, w * sizeof(uint32_t));
    }
  flip_in(nay.bits, ~0u, me, parties);
  // Restoring division, one quotient bit per step from the top: R = 2R + x_i; T = R − |y| = R + ¬|y| + 1,
  // whose carry-out c is (R ≥ |y|); q_i = c; R = c ? T : R. |x|, |y| ≤ 2^31 keep R below 2^32.
  Planes r(k, w), q(k, w);
  AndBatch batch(proto, k);
  for (int i = 31; i >= 0; --i) {
    for (int j = 0; j < k; ++j) {
      std::memmove(r.plane(j, 1), r.plane(j, 0), 31 * w * sizeof(uint32_t));
      copy_words(r.plane(j, 0), ax.plane(j, i), w * sizeof(uint32_t));
    }
    BShared c;
    const Planes t = add_planes_ex(proto, r, nay, true, &c);
    for (int j = 0; j < k; ++j) copy_words(q.plane(j, i), c.share[j].data(), w * sizeof(uint32_t));
    BShared d = r.bits;
    xor_in(d, t.bits);
    for (int b = 0; b < 32; ++b) batch.add(c, 0, d, b * w, w);
    const BShared& z = batch.run();
    xor_range(r.bits, 0, z, 0, 32 * w);
  }
  // Sign of the quotient: sign(x) ⊕ sign(y); truncation toward zero, as in C and SQL.
  BShared qsign = slice<BShared>(signs, 0, w);
  xor_range(qsign, 0, signs, w, w);
  Planes flipped = q, addend(k, w);
  for (int b = 0; b < 32; ++b) xor_range(flipped.bits, b * w, qsign, 0, w);
  xor_range(addend.bits, 0, qsign, 0, w);
  return from_planes<BShared>(add_planes(proto, flipped, addend), n);
}

AShared prefix_sum(const AShared& x) {
  AShared out = x;
  for (int j = 0; j < out.k(); ++j) {
    uint32_t acc = 0;
    for (auto& v : out.share[j]) v = acc += v;
  }
  return out;
}

}  // namespace qs::ops
