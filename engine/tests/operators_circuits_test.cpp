// operators/circuits against plaintext, 3PC and 4PC, parties as threads: EQ, LT, A2B, B2A, multiplexers,
// prefix sums on random inputs with the edge cases (INT32_MIN/MAX, 0, −1, wrap-around, equal values);
// rounds (messages per link) of EQ, LT and A2B against the circuit depth; bytes per party printed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <mutex>
#include <random>

#include "check.hpp"
#include "net/memory_communicator.hpp"
#include "operators/bitslice.hpp"
#include "operators/circuits.hpp"
#include "operators_test_protocol.hpp"
#include "protocols/local_ops.hpp"

using namespace qs;
using namespace qs::ops;

namespace {

std::vector<uint32_t> edge_values(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint32_t special[] = {0u, 1u, 0xFFFFFFFFu, 0x7FFFFFFFu, 0x80000000u, 0x80000001u, 0x7FFFFFFEu, 2u, 0xFFFFFFFEu};
  std::vector<uint32_t> v(n);
  for (size_t e = 0; e < n; ++e) {
    switch (rng() % 4) {
      case 0: v[e] = special[rng() % 9]; break;
      case 1: v[e] = static_cast<uint32_t>(static_cast<int32_t>(rng() % 7) - 3); break;  // small, often equal
      default: v[e] = static_cast<uint32_t>(rng());
    }
  }
  return v;
}

/** y: often equal to x, or x ± 1, else its own edge values. */
std::vector<uint32_t> partner_values(const std::vector<uint32_t>& x, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto y = edge_values(x.size(), seed + 1);
  for (size_t e = 0; e < x.size(); ++e) {
    switch (rng() % 5) {
      case 0: y[e] = x[e]; break;
      case 1: y[e] = x[e] + 1; break;
      case 2: y[e] = x[e] - 1; break;
      case 3: y[e] = x[e] ^ (1u << (rng() % 32)); break;
      default: break;
    }
  }
  return y;
}

void test_transpose() {
  std::mt19937 rng(7);
  for (size_t n : {1u, 31u, 32u, 33u, 100u}) {
    BShared x(1, n);
    for (auto& v : x.share[0]) v = rng();
    Planes p = to_planes(x);
    bool ok = true;
    for (size_t e = 0; e < n; ++e)
      for (int b = 0; b < 32; ++b) ok &= ((p.plane(0, b)[e / 32] >> (e % 32)) & 1u) == ((x.share[0][e] >> b) & 1u);
    CHECK(ok);
    BShared back = from_planes<BShared>(p, n);
    CHECK(back.share[0] == x.share[0]);
  }
}

struct Counters {
  uint64_t max_link_messages = 0, bytes = 0, rounds = 0;
  void merge(const Counters& o) {
    max_link_messages = std::max(max_link_messages, o.max_link_messages);
    rounds = std::max(rounds, o.rounds);
    bytes += o.bytes;
  }
};
struct Snapshot {
  std::vector<net::LinkStats> links;
  uint64_t rounds = 0;
};
Snapshot snapshot(Protocol& p) {
  Snapshot s{std::vector<net::LinkStats>(p.parties()), p.rounds()};
  for (int q = 0; q < p.parties(); ++q)
    if (q != p.party()) s.links[q] = p.comm().stats(q);
  return s;
}
/** Messages on this party's busiest outgoing link, its bytes sent, and the protocol's rounds since `before`. */
Counters counters_since(Protocol& p, const Snapshot& before) {
  Counters out;
  out.rounds = p.rounds() - before.rounds;
  for (int q = 0; q < p.parties(); ++q) {
    if (q == p.party()) continue;
    auto s = p.comm().stats(q);
    out.max_link_messages = std::max<uint64_t>(out.max_link_messages, s.messages_sent - before.links[q].messages_sent);
    out.bytes += s.bytes_sent - before.links[q].bytes_sent;
  }
  return out;
}

void test_circuits(int parties, size_t n) {
  const auto xv = edge_values(n, 11 * parties), yv = partner_values(xv, 13 * parties);
  std::mutex mu;
  std::vector<std::vector<uint32_t>> got(16);
  std::vector<Counters> cnt(16);
  Counters one_and;
  net::run_parties(parties, [&](net::Communicator& comm) {
    auto proto = make_test_protocol(comm);
    const int me = comm.party();
    BShared bx = share_b_for_test(xv, me, parties, 1), by = share_b_for_test(yv, me, parties, 2);
    AShared ax = share_a_for_test(xv, me, parties, 3), ay = share_a_for_test(yv, me, parties, 4);
    std::vector<std::vector<uint32_t>> mine(16);
    std::vector<Counters> c(16);
    auto s = snapshot(*proto);
    proto->and_(bx, by);
    const Counters and_c = counters_since(*proto, s);

    s = snapshot(*proto);
    BShared e = eq(*proto, bx, by);
    c[0] = counters_since(*proto, s);
    mine[0] = proto->open(e);
    s = snapshot(*proto);
    BShared l = lt(*proto, bx, by);
    c[1] = counters_since(*proto, s);
    mine[1] = proto->open(l);
    s = snapshot(*proto);
    BShared d = a2b(*proto, ax);
    c[2] = counters_since(*proto, s);
    mine[2] = proto->open(d);
    // B2A of bits: bit 0 of the LT result.
    s = snapshot(*proto);
    AShared la = b2a_bit(*proto, l);
    c[3] = counters_since(*proto, s);
    mine[3] = proto->open(la);
    s = snapshot(*proto);
    AShared wa = b2a(*proto, bx);
    c[4] = counters_since(*proto, s);
    mine[4] = proto->open(wa);
    // Multiplexers: (x < y) ? x : y, arithmetic and boolean.
    mine[5] = proto->open(mux(*proto, la, ax, ay));
    mine[6] = proto->open(mux(*proto, l, bx, by));
    mine[7] = proto->open(prefix_sum(ax));
    // Lexicographic: (x, y) < (y, x).
    mine[8] = proto->open(unpack_bits(lt_lex_packed(*proto, {&bx, &by}, {&by, &bx}), n));
    // Narrow unsigned columns (odd numbers of planes): (x, y mod 2^7) < (y, x mod 2^7); (x, y, x mod 8) < (x, x, y mod 8).
    BShared y7 = and_const(by, 0x7F), x7 = and_const(bx, 0x7F), x3 = and_const(bx, 7), y3 = and_const(by, 7);
    mine[9] = proto->open(unpack_bits(lt_lex_packed(*proto, {&bx, &y7}, {&by, &x7}, {32, 7}), n));
    mine[10] = proto->open(unpack_bits(lt_lex_packed(*proto, {&bx, &by, &x3}, {&bx, &bx, &y3}, {32, 32, 3}), n));
    mine[11] = proto->open(unpack_bits(lt_lex_packed(*proto, {&x3}, {&y3}, {1}), n));
    std::lock_guard<std::mutex> lock(mu);
    if (me == 0) got = mine;
    for (size_t i = 0; i < c.size(); ++i) cnt[i].merge(c[i]);
    one_and.merge(and_c);
  });
  bool eq_ok = true, lt_ok = true, a2b_ok = true, b2a_ok = true, b2aw_ok = true, mux_ok = true, bmux_ok = true, ps_ok = true, lex_ok = true;
  uint32_t acc = 0;
  for (size_t e = 0; e < n; ++e) {
    const int32_t x = static_cast<int32_t>(xv[e]), y = static_cast<int32_t>(yv[e]);
    eq_ok &= got[0][e] == (xv[e] == yv[e] ? 1u : 0u);
    lt_ok &= got[1][e] == (x < y ? 1u : 0u);
    a2b_ok &= got[2][e] == xv[e];
    b2a_ok &= got[3][e] == (x < y ? 1u : 0u);
    b2aw_ok &= got[4][e] == xv[e];
    mux_ok &= got[5][e] == (x < y ? xv[e] : yv[e]);
    bmux_ok &= got[6][e] == (x < y ? xv[e] : yv[e]);
    acc += xv[e];
    ps_ok &= got[7][e] == acc;
    lex_ok &= got[8][e] == ((x < y || (x == y && y < x)) ? 1u : 0u);
    const uint32_t x7 = xv[e] & 0x7F, y7 = yv[e] & 0x7F, x3 = xv[e] & 7, y3 = yv[e] & 7;
    lex_ok &= got[9][e] == ((x < y || (x == y && y7 < x7)) ? 1u : 0u);
    lex_ok &= got[10][e] == ((y < x || (y == x && x3 < y3)) ? 1u : 0u);
    lex_ok &= got[11][e] == ((x3 & 1) < (y3 & 1) ? 1u : 0u);
  }
  CHECK(eq_ok);
  CHECK(lt_ok);
  CHECK(a2b_ok);
  CHECK(b2a_ok);
  CHECK(b2aw_ok);
  CHECK(mux_ok);
  CHECK(bmux_ok);
  CHECK(ps_ok);
  CHECK(lex_ok);
  // Rounds (the protocol's counter, and messages on the busiest link of any party, against one and_'s):
  // EQ 5 layers, LT 6, A2B 1 carry-save layer (3PC) or 2 joint inputs (4PC) + 6 adder layers, B2A of a
  // bit 2 mul layers (3PC) or 2 joint inputs + 1 mul (4PC).
  CHECK_EQ(one_and.rounds, 1u);
  const uint64_t m = one_and.max_link_messages;
  // 4PC A2B: two joint inputs (one message each, on different links) and the adder's 6 rounds.
  // 4PC B2A of a bit: two joint inputs and one multiplication (which of them share a link varies).
  const uint64_t expect[] = {5, 6, parties == 3 ? 7u : 8u, parties == 3 ? 2u : 3u};
  const uint64_t expect_link[] = {5 * m, 6 * m, parties == 3 ? 7 * m : 6 * m + 1, 2 * m};
  for (int i = 0; i < 4; ++i) {
    CHECK_EQ(cnt[i].rounds, expect[i]);
    if (parties == 4 && i == 3) CHECK(cnt[i].max_link_messages <= 3 * m);
    else CHECK_EQ(cnt[i].max_link_messages, expect_link[i]);
  }
  const char* names[] = {"eq", "lt", "a2b", "b2a_bit", "b2a"};
  for (int i = 0; i < 5; ++i)
    std::printf("%dPC n=%zu %-8s %7.2f bits/element sent per party (mean), %llu rounds, busiest link %llu messages\n", parties, n,
                names[i], 8.0 * cnt[i].bytes / parties / n, static_cast<unsigned long long>(cnt[i].rounds),
                static_cast<unsigned long long>(cnt[i].max_link_messages));
}

/** Group boundaries and segmented sums on runs of equal keys (two key columns), as GROUP BY uses them. */
void test_groups(int parties, size_t n) {
  std::mt19937_64 rng(99 + parties);
  std::vector<uint32_t> k1(n), k2(n), v(n);
  uint32_t a = 0x80000000u, b = 0;
  for (size_t e = 0; e < n; ++e) {
    const uint64_t r = rng() % 6;
    if (r == 0) a += 1 + rng() % 3;
    if (r == 1) b ^= 1;
    k1[e] = a, k2[e] = b;
    const uint32_t special[] = {0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 0u};
    v[e] = rng() % 3 == 0 ? special[rng() % 4] : static_cast<uint32_t>(rng());
  }
  std::vector<std::vector<uint32_t>> got(4);
  std::mutex mu;
  uint64_t seg_rounds = 0, minmax_rounds = 0;
  net::run_parties(parties, [&](net::Communicator& comm) {
    auto proto = make_test_protocol(comm);
    const int me = comm.party();
    BShared b1 = share_b_for_test(k1, me, parties, 5), b2 = share_b_for_test(k2, me, parties, 6);
    AShared av = share_a_for_test(v, me, parties, 7);
    BShared st = group_starts(*proto, {&b1, &b2});
    AShared sa = b2a_bit(*proto, st);
    const uint64_t r0 = proto->rounds();
    AShared sums = segmented_prefix_sum(*proto, av, sa);
    const uint64_t r1 = proto->rounds();
    BShared bv = share_b_for_test(v, me, parties, 8);
    BShared mins = segmented_prefix_minmax(*proto, bv, st, false);
    const uint64_t r2 = proto->rounds();
    BShared maxs = segmented_prefix_minmax(*proto, bv, st, true);
    std::vector<std::vector<uint32_t>> mine = {proto->open(st), proto->open(sums), proto->open(mins), proto->open(maxs)};
    std::lock_guard<std::mutex> lock(mu);
    if (me == 0) got = mine, seg_rounds = r1 - r0, minmax_rounds = r2 - r1;
  });
  bool starts_ok = true, sums_ok = true, min_ok = true, max_ok = true;
  uint32_t acc = 0;
  int32_t lo = 0, hi = 0;
  for (size_t e = 0; e < n; ++e) {
    const bool start = e == 0 || k1[e] != k1[e - 1] || k2[e] != k2[e - 1];
    starts_ok &= got[0][e] == (start ? 1u : 0u);
    acc = start ? v[e] : acc + v[e];
    sums_ok &= got[1][e] == acc;
    const int32_t x = static_cast<int32_t>(v[e]);
    lo = start ? x : std::min(lo, x);
    hi = start ? x : std::max(hi, x);
    min_ok &= got[2][e] == static_cast<uint32_t>(lo);
    max_ok &= got[3][e] == static_cast<uint32_t>(hi);
  }
  CHECK(starts_ok);
  CHECK(sums_ok);
  CHECK(min_ok);
  CHECK(max_ok);
  size_t levels = 0;
  while ((size_t{1} << levels) < n) ++levels;
  CHECK_EQ(seg_rounds, static_cast<uint64_t>(levels));
  CHECK_EQ(minmax_rounds, static_cast<uint64_t>(8 * levels));
}

/** Signed division, truncated toward zero, with the int32 extremes (y ≠ 0). */
void test_div(int parties, size_t n) {
  auto xv = edge_values(n, 31 * parties), yv = edge_values(n, 37 * parties);
  std::mt19937_64 rng(41);
  for (size_t e = 0; e < n; ++e) {
    if (yv[e] == 0) yv[e] = 1;
    if (rng() % 4 == 0) yv[e] = static_cast<uint32_t>(static_cast<int32_t>(rng() % 200) - 100) | 1u;  // small divisors
  }
  xv[0] = 0x80000000u, yv[0] = 0xFFFFFFFFu;  // INT32_MIN / −1 wraps
  std::vector<uint32_t> got;
  std::mutex mu;
  uint64_t rounds = 0;
  net::run_parties(parties, [&](net::Communicator& comm) {
    auto proto = make_test_protocol(comm);
    const int me = comm.party();
    BShared bx = share_b_for_test(xv, me, parties, 1), by = share_b_for_test(yv, me, parties, 2);
    const uint64_t r0 = proto->rounds();
    BShared qv = div(*proto, bx, by);
    const uint64_t r1 = proto->rounds();
    auto mine = proto->open(qv);
    std::lock_guard<std::mutex> lock(mu);
    if (me == 0) got = mine, rounds = r1 - r0;
  });
  bool ok = true;
  for (size_t e = 0; e < n; ++e) {
    const int64_t x = static_cast<int32_t>(xv[e]), y = static_cast<int32_t>(yv[e]);
    const uint32_t want = static_cast<uint32_t>(static_cast<int64_t>(x / y));  // int64: no overflow; wraps to int32
    if (got[e] != want) {
      if (ok) std::fprintf(stderr, "div %lld / %lld: got %d\n", (long long)x, (long long)y, static_cast<int32_t>(got[e]));
      ok = false;
    }
  }
  CHECK(ok);
  CHECK_EQ(rounds, 236u);
}

/** Empty columns go through every operator (one empty round each, no crash). */
void test_empty(int parties) {
  net::run_parties(parties, [&](net::Communicator& comm) {
    auto proto = make_test_protocol(comm);
    BShared x(parties - 1, 0);
    AShared a(parties - 1, 0);
    CHECK_EQ(eq(*proto, x, x).size(), 0u);
    CHECK_EQ(lt(*proto, x, x).size(), 0u);
    CHECK_EQ(a2b(*proto, a).size(), 0u);
    CHECK_EQ(b2a_bit(*proto, x).size(), 0u);
    CHECK_EQ(b2a(*proto, x).size(), 0u);
    CHECK_EQ(group_starts(*proto, {&x}).size(), 0u);
    CHECK_EQ(segmented_prefix_sum(*proto, a, a).size(), 0u);
    proto->verify();
  });
}

}  // namespace

int main() {
  test_transpose();
  for (int parties : {3, 4}) {
    test_circuits(parties, 1000);
    test_circuits(parties, 4096);
    test_circuits(parties, 1);
    test_empty(parties);
    test_div(parties, 300);
    test_groups(parties, 1);
    test_groups(parties, 2);
    test_groups(parties, 1000);
  }
  return qs_test::finish();
}
