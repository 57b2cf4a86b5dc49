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

// ---- less-than: a tree of (lt, eq) pairs (6 rounds) -------------------------------------------------
//
// For a block of bits [lo, hi), L = "x < y on these bits", E = "x == y on these bits"; a block is the high
// half H over the low half Lo: L = L_H ⊕ (E_H & L_Lo) (the two terms never both hold), E = E_H & E_Lo.
// Leaves: L_b = ¬x_b & y_b, E_b = ¬(x_b ⊕ y_b) (local). Sign: for bit 31 of a signed value, x < y there
// when x_31 = 1 and y_31 = 0, so L_31 = x_31 & ¬y_31. E of level r+1 needs only E of level r, so it is
// computed one round ahead: round 0 = L leaves + E level 1; round r = L level r + E level r+1. 6 rounds,
// 32+16+8+4+2+1 (L) + 16+8+4+2 (+1 for E at the top) (E) AND planes.

LtEq lt_eq_planes(Protocol& proto, const Planes& x, const Planes& y, bool need_eq) {
  const int k = x.k(), me = proto.party(), n = proto.parties();
  const size_t w = x.words;
  BShared E0 = x.bits;
  xor_in(E0, y.bits);
  flip_in(E0, ~0u, me, n);

  std::vector<BShared> L(6), E(6);
  E[0] = std::move(E0);
  AndBatch batch(proto, k);
  batch.reserve(48 * w);
  const size_t oL = batch.add(x.bits, 0, y.bits, 0, 31 * w, /*not_a=*/true);
  batch.add(x.bits, 31 * w, y.bits, 31 * w, w, false, /*not_b=*/true);
  size_t oE = batch.size();
  for (size_t t = 0; t < 16; ++t) batch.add(E[0], (2 * t + 1) * w, E[0], 2 * t * w, w);
  {
    const BShared& z = batch.run();
    L[0] = slice<BShared>(z, oL, 32 * w);
    E[1] = slice<BShared>(z, oE, 16 * w);
  }
  for (int r = 1; r <= 5; ++r) {
    const size_t planes = 32u >> r;
    const size_t oLr = batch.size();
    for (size_t t = 0; t < planes; ++t) batch.add(E[r - 1], (2 * t + 1) * w, L[r - 1], 2 * t * w, w);
    const bool next_e = r + 1 <= 5 && (r + 1 < 5 || need_eq);
    oE = batch.size();
    if (next_e)
      for (size_t t = 0; t < (planes >> 1); ++t) batch.add(E[r], (2 * t + 1) * w, E[r], 2 * t * w, w);
    const BShared& z = batch.run();
    L[r] = BShared(k, planes * w);
    for (size_t t = 0; t < planes; ++t) {
      for (int j = 0; j < k; ++j) {
        uint32_t* dst = L[r].share[j].data() + t * w;
        const uint32_t* hi = L[r - 1].share[j].data() + (2 * t + 1) * w;
        const uint32_t* zz = z.share[j].data() + oLr + t * w;
        for (size_t g = 0; g < w; ++g) dst[g] = hi[g] ^ zz[g];
      }
    }
    if (next_e) E[r + 1] = slice<BShared>(z, oE, (planes >> 1) * w);
    L[r - 1] = BShared();
    if (r >= 2) E[r - 1] = BShared();
  }
  LtEq out;
  out.lt = std::move(L[5]);
  if (need_eq) out.eq = std::move(E[5]);
  return out;
}

BShared lt(Protocol& proto, const BShared& x, const BShared& y) {
  return unpack_bits(lt_eq_planes(proto, to_planes(x), to_planes(y), false).lt, x.size());
}

BShared lt_lex_packed(Protocol& proto, const std::vector<const BShared*>& xs, const std::vector<const BShared*>& ys) {
  const size_t m = xs.size(), n = xs.at(0)->size(), wc = words_for(n);
  const int k = xs[0]->k();
  // Every column pair in one comparison tree: column c takes words [c·wc, (c+1)·wc) of every plane.
  Planes xp(k, m * wc), yp(k, m * wc);
  for (size_t c = 0; c < m; ++c)
    for (int j = 0; j < k; ++j) {
      detail::share_to_planes(xs[c]->share[j].data(), n, xp.plane(j, 0) + c * wc, wc, m * wc);
      detail::share_to_planes(ys[c]->share[j].data(), n, yp.plane(j, 0) + c * wc, wc, m * wc);
    }
  LtEq le = lt_eq_planes(proto, xp, yp, m > 1);
  // Column c's bits are words [c·wc, (c+1)·wc). Combine neighbours, most significant first:
  // (L, E) = (L_a ⊕ E_a & L_b, E_a & E_b) — ⌈log2 m⌉ rounds.
  std::vector<BShared> Ls, Es;
  for (size_t c = 0; c < m; ++c) {
    Ls.push_back(slice<BShared>(le.lt, c * wc, wc));
    if (m > 1) Es.push_back(slice<BShared>(le.eq, c * wc, wc));
  }
  AndBatch batch(proto, k);
  while (Ls.size() > 1) {
    const size_t pairs = Ls.size() / 2;
    const bool last = Ls.size() == 2;
    std::vector<size_t> oL(pairs), oE(pairs);
    for (size_t p = 0; p < pairs; ++p) {
      oL[p] = batch.add(Es[2 * p], 0, Ls[2 * p + 1], 0, wc);
      if (!last) oE[p] = batch.add(Es[2 * p], 0, Es[2 * p + 1], 0, wc);
    }
    const BShared& z = batch.run();
    std::vector<BShared> nL, nE;
    for (size_t p = 0; p < pairs; ++p) {
      BShared l = Ls[2 * p];
      xor_range(l, 0, z, oL[p], wc);
      nL.push_back(std::move(l));
      if (!last) nE.push_back(slice<BShared>(z, oE[p], wc));
    }
    if (Ls.size() % 2) {
      nL.push_back(std::move(Ls.back()));
      nE.push_back(std::move(Es.back()));
    }
    Ls = std::move(nL);
    Es = std::move(nE);
  }
  return std::move(Ls[0]);
}

// ---- adders ----------------------------------------------------------------------------------------
//
// Sklansky parallel-prefix carries: g_i = a_i & b_i, p_i = a_i ⊕ b_i; at level r (r = 0…4) every bit i
// with bit r of i set takes the block below it, j = ⌊i / 2^r⌋·2^r − 1: G_i ⊕= P_i & G_j (the terms are
// disjoint, so OR is XOR), P_i &= P_j (only when a later level still needs P_i: i ≥ 2^(r+1)). j is never
// updated at level r, so a level is one round. P of level r+1 needs P of level r only, so it runs one
// round ahead: round 0 = g + P level 0; round r+1 = G level r + P level r+1. Carry into bit i is G_{i−1}
// after level 4; only bits 0…30 need carries. 6 rounds, 31 + 75 (G) + 46 (P) = 152 AND planes.

Planes add_planes(Protocol& proto, const Planes& a, const Planes& b) {
  const int k = a.k();
  const size_t w = a.words;
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
    const size_t og = batch.add(a.bits, 0, b.bits, 0, 31 * w);
    std::vector<std::pair<int, size_t>> pu;
    for (int i = 0; i < 31; ++i)
      if (p_needed(i, 0)) pu.emplace_back(i, batch.add(P[0], i * w, P[0], j_of(i, 0) * w, w));
    const BShared& z = batch.run();
    G = slice<BShared>(z, og, 32 * w);  // plane 31 unused
    P[1] = P[0];
    for (auto& [i, o] : pu)
      for (int jj = 0; jj < k; ++jj) std::memcpy(P[1].share[jj].data() + i * w, z.share[jj].data() + o, w * sizeof(uint32_t));
  }
  for (int r = 0; r <= 4; ++r) {
    std::vector<std::pair<int, size_t>> gu, pu;
    for (int i = 0; i < 31; ++i)
      if ((i >> r) & 1) gu.emplace_back(i, batch.add(P[r], i * w, G, j_of(i, r) * w, w));
    if (r + 1 <= 4)
      for (int i = 0; i < 31; ++i)
        if (p_needed(i, r + 1)) pu.emplace_back(i, batch.add(P[r + 1], i * w, P[r + 1], j_of(i, r + 1) * w, w));
    const BShared& z = batch.run();
    for (auto& [i, o] : gu) xor_range(G, i * w, z, o, w);
    if (r + 1 <= 4) {
      P[r + 2] = P[r + 1];
      for (auto& [i, o] : pu)
        for (int jj = 0; jj < k; ++jj) std::memcpy(P[r + 2].share[jj].data() + i * w, z.share[jj].data() + o, w * sizeof(uint32_t));
    }
    if (r >= 1) P[r] = BShared();
  }
  Planes s(k, w);
  s.bits = std::move(p);
  for (int i = 1; i < 32; ++i) xor_range(s.bits, i * w, G, (i - 1) * w, w);
  return s;
}

// ---- A2B (ABY3 §5.3; 4PC: one more carry-save layer) -------------------------------------------------

Planes a2b_planes(Protocol& proto, const AShared& x) {
  const int n = proto.parties(), me = proto.party(), k = x.k();
  const size_t w = words_for(x.size());
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
    for (int jj = 0; jj < k; ++jj) std::memcpy(carry.bits.share[jj].data() + w, z.share[jj].data(), 31 * w * sizeof(uint32_t));
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
  std::vector<AShared> terms;
  for (int g = 0; g < n; ++g) {
    AShared t(k, len);
    const int j = local_share(me, g, n);
    if (j >= 0)
      for (size_t e = 0; e < len; ++e) t.share[j][e] = bits.share[j][e] & 1u;
    terms.push_back(std::move(t));
  }
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
  AShared neg(r.k(), len);
  for (int j = 0; j < r.k(); ++j)
    for (size_t e = 0; e < len; ++e) neg.share[j][e] = 0u - r.share[j][e];
  Planes nr = a2b_planes(proto, neg);
  Planes masked = add_planes(proto, to_planes(x), nr);
  std::vector<uint32_t> open = proto.open(from_planes<BShared>(masked, len));  // x − r: uniform
  AShared out = public_shared<AShared>(open, proto.party(), proto.parties());
  add_in(out, r);
  return out;
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
    for (int j = 0; j < k; ++j) std::memcpy(next.share[j].data(), z.share[j].data(), half * wc * sizeof(uint32_t));
    cur = std::move(next);
    cols -= half;
  }
  flip_in(cur, ~0u, me, parties);  // starts where not equal
  BShared out(k, n);
  const BShared bits = unpack_bits(cur, len);
  for (int j = 0; j < k; ++j) std::memcpy(out.share[j].data() + 1, bits.share[j].data(), len * sizeof(uint32_t));
  const int j0 = local_share(me, 0, parties);
  if (j0 >= 0) out.share[j0][0] = 1;
  return out;
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
