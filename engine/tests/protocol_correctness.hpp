// Every protocol against plaintext: mul, and_, open, random sharings, local ops and shuffle on random
// inputs with the edge values (negative, INT32_MIN/MAX, wrap-around). Included by
// protocol_replicated_3pc_test.cpp (n = 3) and protocol_fantastic_four_test.cpp (n = 4).
#pragma once
#include <algorithm>
#include <climits>
#include <map>
#include <mutex>
#include <random>

#include "check.hpp"
#include "net/memory_communicator.hpp"
#include "protocols/local_ops.hpp"
#include "protocols/protocol.hpp"

namespace qs_test {
using namespace qs;

namespace {
std::vector<uint32_t> inputs(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint32_t edges[] = {0u, 1u, 0xFFFFFFFFu /* -1 */, uint32_t(INT32_MIN), uint32_t(INT32_MAX), 2u, 0x80000001u, 0x7FFFFFFEu};
  std::vector<uint32_t> v(n);
  for (size_t e = 0; e < n; ++e) v[e] = e < 64 ? edges[e % 8] : (rng() % 4 == 0 ? uint32_t(-(int32_t)(rng() % 1000)) : uint32_t(rng()));
  return v;
}
}  // namespace

inline void run_correctness(const int n, const size_t size) {
  auto x = inputs(size, 1), y = inputs(size, 2);
  if (size >= 64) {
    for (size_t e = 0; e < 64; ++e) y[e] = x[(e * 7 + e / 8) % 64];  // pair the edge values with each other
  }

  net::run_parties(n, [&](net::Communicator& comm) {
    auto proto = make_protocol(comm);
    const int p = proto->party();
    AShared ax = ops::share_a_for_test(x, p, n, 11), ay = ops::share_a_for_test(y, p, n, 12);
    BShared bx = ops::share_b_for_test(x, p, n, 13), by = ops::share_b_for_test(y, p, n, 14);

    // open
    CHECK(proto->open(ax) == x);
    CHECK(proto->open(bx) == x);
    // mul, and_
    auto prod = proto->open(proto->mul(ax, ay));
    auto conj = proto->open(proto->and_(bx, by));
    bool mul_ok = true, and_ok = true;
    for (size_t e = 0; e < size; ++e) {
      mul_ok &= prod[e] == uint32_t(x[e] * y[e]);
      and_ok &= conj[e] == (x[e] & y[e]);
    }
    CHECK(mul_ok);
    CHECK(and_ok);
    // chained multiplications (the output of mul is a proper sharing)
    auto cube = proto->open(proto->mul(proto->mul(ax, ax), ax));
    bool cube_ok = true;
    for (size_t e = 0; e < size; ++e) cube_ok &= cube[e] == uint32_t(x[e] * x[e] * x[e]);
    CHECK(cube_ok);
    // local ops
    bool local_ok = true;
    auto sum = proto->open(ops::add(ax, ay)), diff = proto->open(ops::sub(ax, ay)), neg = proto->open(ops::neg(ax));
    auto cadd = proto->open(ops::add_const(ax, 0x80000000u, p, n)), cmul = proto->open(ops::mul_const(ax, 0xFFFFFFFDu));
    auto bxor = proto->open(ops::xor_(bx, by)), bnot = proto->open(ops::not_(bx, p, n));
    auto bxc = proto->open(ops::xor_const(bx, 0xA5A5A5A5u, p, n)), band = proto->open(ops::and_const(bx, 0x0F0F0F0Fu));
    auto bshl = proto->open(ops::shl(bx, 3)), bshr = proto->open(ops::shr(bx, 31));
    auto csub = proto->open(ops::const_sub(7u, ax, p, n));
    for (size_t e = 0; e < size; ++e) {
      local_ok &= sum[e] == x[e] + y[e] && diff[e] == x[e] - y[e] && neg[e] == 0u - x[e];
      local_ok &= cadd[e] == x[e] + 0x80000000u && cmul[e] == x[e] * 0xFFFFFFFDu && csub[e] == 7u - x[e];
      local_ok &= bxor[e] == (x[e] ^ y[e]) && bnot[e] == ~x[e] && bxc[e] == (x[e] ^ 0xA5A5A5A5u);
      local_ok &= band[e] == (x[e] & 0x0F0F0F0Fu) && bshl[e] == (x[e] << 3) && bshr[e] == (x[e] >> 31);
    }
    CHECK(local_ok);
    // lifted single shares add back up to the value
    AShared lifted = ops::lift_share<AShared>(ax, 0, p, n);
    for (int g = 1; g < n; ++g) lifted = ops::add(lifted, ops::lift_share<AShared>(ax, g, p, n));
    CHECK(proto->open(lifted) == x);
    CHECK(proto->open(ops::public_shared<AShared>(x, p, n)) == x);
    CHECK(proto->open(ops::public_shared<BShared>(x, p, n)) == x);
    // joint input: every pair of parties, both domains; the others pass garbage
    bool joint_ok = true;
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b < n; ++b) {
        if (a == b) continue;
        const bool knows = p == a || p == b;
        std::vector<uint32_t> mine = knows ? x : std::vector<uint32_t>(size, 0xDEADBEEFu);
        joint_ok &= proto->open(proto->joint_input_a(a, b, mine, size)) == x;
        joint_ok &= proto->open(proto->joint_input_b(a, b, mine, size)) == x;
      }
    }
    CHECK(joint_ok);
    // random sharings: consistent (open works and agrees everywhere), not constant
    auto r = proto->open(proto->random_a(1000));
    auto rb = proto->open(proto->random_b(1000));
    CHECK(std::count(r.begin(), r.end(), r[0]) < 5);
    CHECK(std::count(rb.begin(), rb.end(), rb[0]) < 5);
    // shuffle: rows move together, same multiset
    AShared c1 = ax;
    BShared c2 = bx;
    AShared c3 = ops::share_a_for_test(std::vector<uint32_t>(size, 0), p, n, 15);
    {
      std::vector<uint32_t> idx(size);
      for (size_t e = 0; e < size; ++e) idx[e] = uint32_t(e);
      c3 = ops::share_a_for_test(idx, p, n, 15);
    }
    proto->shuffle_columns({&c1, &c3}, {&c2});
    auto s1 = proto->open(c1), s2 = proto->open(c2), s3 = proto->open(c3);
    bool rows_ok = true;
    size_t fixed = 0;
    for (size_t e = 0; e < size; ++e) {
      rows_ok &= s3[e] < size && s1[e] == x[s3[e]] && s2[e] == x[s3[e]];
      fixed += s3[e] == e;
    }
    auto sorted3 = s3;
    std::sort(sorted3.begin(), sorted3.end());
    bool perm_ok = true;
    for (size_t e = 0; e < size; ++e) perm_ok &= sorted3[e] == e;
    CHECK(rows_ok);
    CHECK(perm_ok);
    CHECK(size < 100 || fixed < 10);  // a random permutation of 10007 has ~1 fixed point
    // the legacy interface (all additive)
    std::vector<Shared*> cols{&c1, &c3};
    proto->shuffle(cols);
    auto t1 = proto->open(c1), t3 = proto->open(c3);
    bool legacy_ok = true;
    for (size_t e = 0; e < size; ++e) legacy_ok &= t1[e] == x[t3[e]];
    CHECK(legacy_ok);
    // empty vectors
    CHECK(proto->open(proto->mul(AShared(n - 1, 0), AShared(n - 1, 0))).empty());
    proto->verify();
  });
}

}  // namespace qs_test
