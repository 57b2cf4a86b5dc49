// Local pieces of the boolean circuits: no communication, the same for every replicated scheme.
//
// Bit-slicing. A column of N 32-bit XOR-shared values is turned, 32 elements at a time, into 32 "planes":
// plane b, word g holds bit b of elements 32g … 32g+31 (bit e of the word is element 32g+e). The map is a
// transposition of 32×32 bit matrices, linear over XOR, so each party applies it to each of its shares on
// its own. In that layout every gate of a comparison or adder circuit is a whole-word operation on 32
// elements at once, and every AND of a circuit layer travels in one Protocol::and_ call with no half-empty
// words: an equality costs ≈ 31 AND bits per element, not 5 × 32.
//
// Packed bits: a one-bit result per element (an EQ or LT) is kept as one plane (⌈N/32⌉ words); the public
// operators unpack it to bit 0 of a word per element.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "containers/shared.hpp"
#include "protocols/local_ops.hpp"
#include "protocols/protocol.hpp"

namespace qs::ops {

/** memcpy of `bytes` bytes that allows empty ranges (null pointers of empty vectors). */
inline void copy_words(void* dst, const void* src, size_t bytes) {
  if (bytes) std::memcpy(dst, src, bytes);
}

// ---- local operations on replicated shares --------------------------------------------------------
// The general ones are protocols/local_ops.hpp (same namespace); these work in place, on planes of any
// kind of share, and are named apart from those so that overloads cannot mix.

/** Whether local share j of `party` is global share 0, where a public constant is added/XORed. */
inline bool holds_share0(int party, int j, int n) { return global_share(party, j, n) == 0; }

/** x ^= y, share by share. */
inline void xor_in(Shared& x, const Shared& y) {
  for (int j = 0; j < x.k(); ++j) {
    uint32_t* a = x.share[j].data();
    const uint32_t* b = y.share[j].data();
    const size_t n = x.size();
    for (size_t e = 0; e < n; ++e) a[e] ^= b[e];
  }
}

/** XOR of a public word into every element, in place (global share 0 only). */
inline void flip_in(Shared& x, uint32_t c, int party, int n) {
  for (int j = 0; j < x.k(); ++j)
    if (holds_share0(party, j, n))
      for (auto& w : x.share[j]) w ^= c;
}

/** Rows idx[0], idx[1], … of x (a public gather, local). */
template <class S>
S gather(const S& x, const std::vector<uint32_t>& idx) {
  S out(x.k(), idx.size());
  for (int j = 0; j < x.k(); ++j) {
    const uint32_t* src = x.share[j].data();
    uint32_t* dst = out.share[j].data();
    for (size_t e = 0; e < idx.size(); ++e) dst[e] = src[idx[e]];
  }
  return out;
}

/** Words [off, off + len) of every share. */
template <class S>
S slice(const Shared& x, size_t off, size_t len) {
  S out(x.k(), len);
  for (int j = 0; j < x.k(); ++j) copy_words(out.share[j].data(), x.share[j].data() + off, len * sizeof(uint32_t));
  return out;
}

/** Columns one after another (one round can then serve all of them). */
template <class S>
S concat(const std::vector<const Shared*>& parts) {
  size_t total = 0;
  for (auto* p : parts) total += p->size();
  S out(parts.empty() ? 0 : parts[0]->k(), total);
  size_t off = 0;
  for (auto* p : parts) {
    for (int j = 0; j < out.k(); ++j)
      if (p->size()) copy_words(out.share[j].data() + off, p->share[j].data(), p->size() * sizeof(uint32_t));
    off += p->size();
  }
  return out;
}

// ---- bit-slicing -------------------------------------------------------------------------------------

/**
 * In-place transposition of a 32×32 bit matrix (recursive block swaps, 5 steps of 16 word pairs). With
 * a[31 - r] = row r on input, a[31 - c] is column c on output: bit r of column c = bit c of row r.
 */
inline void transpose32(uint32_t a[32]) {
  uint32_t m = 0x0000FFFFu;
  for (int j = 16; j != 0; j >>= 1, m ^= (m << j)) {
    for (int k = 0; k < 32; k = (k + j + 1) & ~j) {
      uint32_t t = (a[k] ^ (a[k + j] >> j)) & m;
      a[k] ^= t;
      a[k + j] ^= (t << j);
    }
  }
}

inline size_t words_for(size_t n) { return (n + 31) / 32; }

/** 32 planes of `words` words each, plane-major: plane b of share j is share[j][b*words … (b+1)*words). */
struct Planes {
  size_t words = 0;
  BShared bits;
  Planes() = default;
  Planes(int k, size_t w, int width = 32) : words(w), bits(k, w * static_cast<size_t>(width)) {}
  int k() const { return bits.k(); }
  uint32_t* plane(int j, int b) { return bits.share[j].data() + static_cast<size_t>(b) * words; }
  const uint32_t* plane(int j, int b) const { return bits.share[j].data() + static_cast<size_t>(b) * words; }
};

/**
 * transpose32 on 8 matrices at once, a[r][m] = row r of matrix m: the same steps with constant shifts,
 * so that the compiler vectorises across the 8 matrices (the single-matrix loop above is 4× slower).
 */
namespace detail {
constexpr int kLanes = 8;
template <int J, uint32_t M>
inline void transpose_step(uint32_t (&a)[32][kLanes]) {
  for (int k = 0; k < 32; k = (k + J + 1) & ~J)
    for (int m = 0; m < kLanes; ++m) {
      const uint32_t t = (a[k][m] ^ (a[k + J][m] >> J)) & M;
      a[k][m] ^= t;
      a[k + J][m] ^= t << J;
    }
}
inline void transpose32x8(uint32_t (&a)[32][kLanes]) {
  transpose_step<16, 0x0000FFFFu>(a);
  transpose_step<8, 0x00FF00FFu>(a);
  transpose_step<4, 0x0F0F0F0Fu>(a);
  transpose_step<2, 0x33333333u>(a);
  transpose_step<1, 0x55555555u>(a);
}
/**
 * Elements src[0…n) to planes: words [0, words) of plane b get bit b of every element; plane b starts at
 * dst + b·stride (stride = words unless several columns share the planes). rows: element e is src[rows[e]]
 * (a gather on the way, no copy of the column). Only planes [0, width) are stored.
 */
inline void share_to_planes(const uint32_t* src, size_t n, uint32_t* dst, size_t words, size_t stride = 0,
                            const uint32_t* rows = nullptr, int width = 32) {
  if (!stride) stride = words;
  alignas(32) uint32_t a[32][kLanes];
  for (size_t g0 = 0; g0 < words; g0 += kLanes) {
    const size_t lanes = words - g0 < kLanes ? words - g0 : kLanes;
    for (size_t m = 0; m < kLanes; ++m) {
      const size_t base = (g0 + m) * 32;
      const size_t cnt = m < lanes && base < n ? (n - base < 32 ? n - base : 32) : 0;
      if (rows) {
        for (size_t e = 0; e < 32; ++e) a[31 - e][m] = e < cnt ? src[rows[base + e]] : 0;
      } else if (cnt == 32) {
        for (int e = 0; e < 32; ++e) a[31 - e][m] = src[base + e];
      } else {
        for (size_t e = 0; e < 32; ++e) a[31 - e][m] = e < cnt ? src[base + e] : 0;
      }
    }
    transpose32x8(a);
    for (int b = 0; b < width; ++b)
      for (size_t m = 0; m < lanes; ++m) dst[static_cast<size_t>(b) * stride + g0 + m] = a[31 - b][m];
  }
}
/** The inverse: planes to elements dst[0…n). */
inline void planes_to_share(const uint32_t* src, size_t words, uint32_t* dst, size_t n) {
  alignas(32) uint32_t a[32][kLanes];
  for (size_t g0 = 0; g0 < words; g0 += kLanes) {
    const size_t lanes = words - g0 < kLanes ? words - g0 : kLanes;
    for (int b = 0; b < 32; ++b)
      for (size_t m = 0; m < kLanes; ++m) a[31 - b][m] = m < lanes ? src[static_cast<size_t>(b) * words + g0 + m] : 0;
    transpose32x8(a);
    for (size_t m = 0; m < lanes; ++m) {
      const size_t base = (g0 + m) * 32;
      const size_t cnt = base < n ? (n - base < 32 ? n - base : 32) : 0;
      for (size_t e = 0; e < cnt; ++e) dst[base + e] = a[31 - e][m];
    }
  }
}
}  // namespace detail

/** Elements (32-bit words) to planes, share by share. Elements past x.size() are 0. */
inline Planes to_planes(const Shared& x) {
  const size_t n = x.size(), w = words_for(n);
  Planes p(x.k(), w);
  for (int j = 0; j < x.k(); ++j) detail::share_to_planes(x.share[j].data(), n, p.plane(j, 0), w);
  return p;
}

/** Planes back to n elements. */
template <class S = BShared>
S from_planes(const Planes& p, size_t n) {
  S out(p.k(), n);
  for (int j = 0; j < p.k(); ++j) detail::planes_to_share(p.plane(j, 0), p.words, out.share[j].data(), n);
  return out;
}

/** Packed bits (bit e%32 of word e/32) to bit 0 of one word per element. */
inline BShared unpack_bits(const Shared& packed, size_t n) {
  BShared out(packed.k(), n);
  for (int j = 0; j < packed.k(); ++j)
    for (size_t e = 0; e < n; ++e) out.share[j][e] = (packed.share[j][e >> 5] >> (e & 31)) & 1u;
  return out;
}

/** Bit 0 of each element to packed bits. */
inline BShared pack_bits(const Shared& bits) {
  const size_t n = bits.size();
  BShared out(bits.k(), words_for(n));
  for (int j = 0; j < bits.k(); ++j)
    for (size_t e = 0; e < n; ++e) out.share[j][e >> 5] |= (bits.share[j][e] & 1u) << (e & 31);
  return out;
}

/** Packed bits to a word mask per element (all ones where the bit is 1): local, XOR-linear. */
inline BShared masks_from_packed(const Shared& packed, size_t n) {
  BShared out(packed.k(), n);
  for (int j = 0; j < packed.k(); ++j)
    for (size_t e = 0; e < n; ++e) out.share[j][e] = 0u - ((packed.share[j][e >> 5] >> (e & 31)) & 1u);
  return out;
}

// ---- one round of many independent AND gates ------------------------------------------------------

/**
 * Collects the operands of the AND gates of one circuit layer, from anywhere, into one pair of columns,
 * so that the layer costs one Protocol::and_ call (one round) whatever its shape. An operand can be
 * complemented on the way in (NOT is local: XOR of all ones into global share 0).
 */
class AndBatch {
 public:
  AndBatch(Protocol& proto, int k) : proto_(proto), x_(k, 0), y_(k, 0) {}

  /** Queues a[aoff + t] & b[boff + t] for t < len; returns where the results start in result(). */
  size_t add(const Shared& a, size_t aoff, const Shared& b, size_t boff, size_t len, bool not_a = false, bool not_b = false) {
    const size_t at = x_.size();
    const int n = proto_.parties(), me = proto_.party();
    for (int j = 0; j < x_.k(); ++j) {
      const bool c = holds_share0(me, j, n);
      append(x_.share[j], a.share[j].data() + aoff, len, c && not_a);
      append(y_.share[j], b.share[j].data() + boff, len, c && not_b);
    }
    return at;
  }
  size_t size() const { return x_.size(); }
  void reserve(size_t words) {
    for (int j = 0; j < x_.k(); ++j) x_.share[j].reserve(words), y_.share[j].reserve(words);
  }
  /** The round itself. */
  const BShared& run() {
    z_ = proto_.and_(x_, y_);
    for (int j = 0; j < x_.k(); ++j) x_.share[j].clear(), y_.share[j].clear();
    return z_;
  }
  const BShared& result() const { return z_; }

 private:
  static void append(std::vector<uint32_t>& dst, const uint32_t* src, size_t len, bool flip) {
    const size_t at = dst.size();
    dst.resize(at + len);
    uint32_t* d = dst.data() + at;
    if (flip) for (size_t t = 0; t < len; ++t) d[t] = ~src[t];
    else copy_words(d, src, len * sizeof(uint32_t));
  }
  Protocol& proto_;
  BShared x_, y_, z_;
};

}  // namespace qs::ops
