// Circuits on whole columns, written once against Protocol (so replicated 3PC and Fantastic Four both get
// them). Every layer of a circuit, over the whole column, is one Protocol::and_ or mul call: one round.
// Boolean work is bit-sliced (operators/bitslice.hpp). Costs are per element in 3PC (1 AND bit = 1 bit
// sent by each party, Araki et al. CCS 2016 §3); see operators/README.md for the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "containers/shared.hpp"
#include "operators/bitslice.hpp"
#include "protocols/protocol.hpp"

namespace qs::ops {

// ---- comparisons on XOR shares (results: bit 0 of one word per element, the other bits 0) ------------

/** x == y. XNOR, then an AND tree over the 32 bit planes: 5 rounds, 31 AND bits. */
BShared eq(Protocol& proto, const BShared& x, const BShared& y);
/** x < y as signed int32. Parallel-prefix comparison (Kogge–Stone tree of (lt, eq) pairs): 6 rounds, 93 AND bits. */
BShared lt(Protocol& proto, const BShared& x, const BShared& y);

/** Both results packed: bit e%32 of word e/32 (⌈N/32⌉ words). */
struct LtEq {
  BShared lt, eq;
};
/**
 * The comparison tree on `planes` bit planes of `w` words each (plane-major in x and y, plane 0 the least
 * significant); sign[p]: plane p is a sign bit (compared the other way round). ⌈log2 planes⌉ + 1 rounds.
 */
LtEq lt_eq_planes(Protocol& proto, const BShared& x, const BShared& y, size_t planes, size_t w, const std::vector<bool>& sign,
                  bool need_eq);
/** One signed int32 per element, bit-sliced: 6 rounds, 93 AND planes (94 with need_eq). */
LtEq lt_eq_planes(Protocol& proto, const Planes& x, const Planes& y, bool need_eq);
/**
 * Lexicographic comparison of rows (x[0][e], x[1][e], …) < (y[0][e], y[1][e], …), the first column most
 * significant; packed result. widths[c] (default 32): a column of width 32 is a signed int32; a smaller
 * width compares only the low `width` bits, unsigned (for values known to be below 2^width, like a row
 * index). All columns' planes form one comparison tree: ⌈log2 Σwidths⌉ + 1 rounds, ≈ 3·Σwidths AND bits.
 * Swapping x and y for one column reverses its direction.
 */
BShared lt_lex_packed(Protocol& proto, const std::vector<const BShared*>& x, const std::vector<const BShared*>& y,
                      const std::vector<int>& widths = {});

/** A column read at the given rows (a gather done while transposing); rows = nullptr: every row in order. */
struct ColumnRows {
  const BShared* col;
  const std::vector<uint32_t>* rows;
};
/** lt_lex_packed of gathered rows: x[c] = xs[c].col at xs[c].rows, without copying the columns first. */
BShared lt_lex_rows(Protocol& proto, const std::vector<ColumnRows>& xs, const std::vector<ColumnRows>& ys, const std::vector<int>& widths = {});

// ---- conversions (ABY3, Mohassel & Rindal CCS 2018, §5.3) -------------------------------------------

/**
 * A2B, bit decomposition (ABY3 §5.3). 3PC: each of the 3 global additive shares is locally a boolean
 * sharing (global share g = x_g, the others 0); a carry-save layer (1 round) makes two terms of them, a
 * Sklansky parallel-prefix adder adds those (6 rounds): 7 rounds, 182 AND bits. 4PC: x_0 + x_1 and x_2 + x_3
 * each enter by one Fantastic Four joint input (their two holders), then the adder: 8 rounds (2 one-way
 * messages + 6), 151 AND bits + 2 words per element in all.
 */
BShared a2b(Protocol& proto, const AShared& x);
/** A2B, result left in planes (for further boolean work). */
Planes a2b_planes(Protocol& proto, const AShared& x);
/** x + y of bit-sliced values, Sklansky adder: 6 rounds, 151 AND bits. */
Planes add_planes(Protocol& proto, const Planes& x, const Planes& y);
/** x + y + carry_in (a public 0 or 1); with carry_out, also the carry out of bit 31 (one plane): 6 rounds, 161 AND bits. */
Planes add_planes_ex(Protocol& proto, const Planes& x, const Planes& y, bool carry_in, BShared* carry_out);

/**
 * x / y of signed int32, truncated toward zero (C, SQL); x / 0 is unspecified (the caller masks it) and
 * INT32_MIN / −1 wraps to INT32_MIN. Magnitudes by one adder, then restoring division: 32 steps of a
 * subtraction with carry-out (6 rounds) and a conditional restore (1 round), then the sign by one adder:
 * 236 rounds, ≈ 32·(161 + 32) + 2·151 ≈ 6.5 k AND bits per element (for AVG over groups, not for columns
 * of millions).
 */
BShared div(Protocol& proto, const BShared& x, const BShared& y);

/**
 * B2A of bits (bit 0 of each word), bit injection (ABY3 §5.3). 3PC: each global XOR share of the bit is
 * locally an arithmetic sharing; they are combined with a ⊕ b = a + b − 2ab, a tree of `mul`s: 2 rounds,
 * 2 multiplications. 4PC: b_0 ⊕ b_1 and b_2 ⊕ b_3 enter by joint inputs (parties 0 and 3, 1 and 2), then
 * one multiplication: 3 rounds, 1 multiplication + 2 words in all.
 */
AShared b2a_bit(Protocol& proto, const BShared& bits);
/**
 * B2A of 32-bit values. r = random_a; the boolean sharing of −r comes from A2B; x + (−r) by a boolean
 * adder is opened (uniform, it says nothing of x); x = (x − r) + r. 14 rounds (3PC), ≈ 335 AND bits +
 * one opening. (Cheaper than bit injection of all 32 bits: 64 multiplications = 2048 bits.)
 */
AShared b2a(Protocol& proto, const BShared& x);

// ---- multiplexers ---------------------------------------------------------------------------------

/** b ? x : y with b an arithmetic 0/1: b·(x − y) + y, one multiplication (1 round). */
AShared mux(Protocol& proto, const AShared& b, const AShared& x, const AShared& y);
/** b ? x : y with b a boolean bit (bit 0): y ⊕ (mask(b) & (x ⊕ y)), mask local, one AND word (1 round). */
BShared mux(Protocol& proto, const BShared& b, const BShared& x, const BShared& y);

// ---- prefix sums ------------------------------------------------------------------------------------

/** Inclusive prefix sums of an additive column: local (each share scanned on its own), 0 rounds. */
AShared prefix_sum(const AShared& x);

/**
 * Segmented inclusive prefix sums: out_i = x_s + … + x_i where s ≤ i is the last row with start_s = 1
 * (start: arithmetic 0/1, row 0 always begins a segment). Hillis–Steele scan over the pairs (x, start):
 * level d: x_i += (1 − s_i)·x_{i−d}, s_i = s_i ∨ s_{i−d} = s_i + s_{i−d} − s_i·s_{i−d}; both products of a
 * level in one mul call: ⌈log2 n⌉ rounds, ≤ 2 mults per element per level. (For GROUP BY after a sort:
 * the last row of each group carries the group's total.)
 */
AShared segmented_prefix_sum(Protocol& proto, const AShared& x, const AShared& start);

/**
 * Segmented running minimum (or maximum) of signed int32 XOR-shared values: out_i = min(x_s … x_i) where
 * s ≤ i is the last row with start_s = 1 (start: bit 0 of a BShared; row 0 always begins a segment).
 * Hillis–Steele: level d: take_i = (x_{i−d} < x_i) ∧ ¬s_i; x_i ^= mask(take_i) & (x_i ⊕ x_{i−d});
 * s_i ∨= s_{i−d}. Per level: LT (6 rounds) + 1 (take, s) + 1 (the swap): 8⌈log2 n⌉ rounds, ≈ 127 AND
 * bits per element per level. (MIN/MAX of GROUP BY: the last row of each group carries the result.)
 */
BShared segmented_prefix_minmax(Protocol& proto, const BShared& x, const BShared& start, bool max);

/**
 * Group boundaries of sorted rows: bit 0 of out_i = 1 when row i's key columns differ from row i − 1's
 * (row 0: 1). All columns' equalities in one EQ tree (5 rounds), then ⌈log2 m⌉ rounds to AND m columns.
 */
BShared group_starts(Protocol& proto, const std::vector<const BShared*>& keys);

// ---- local arithmetic helpers -----------------------------------------------------------------------
void add_in(Shared& x, const Shared& y);  // x += y
void sub_in(Shared& x, const Shared& y);  // x -= y

}  // namespace qs::ops
