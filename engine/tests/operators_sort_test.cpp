// operators/sort against std::stable_sort, 3PC and 4PC, parties as threads: bitonic and quicksort,
// ascending and descending, one and two key columns, boolean and arithmetic payloads, sizes that are and
// are not powers of two, many equal keys and the int32 extremes.
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <random>
#include <tuple>

#include "check.hpp"
#include "net/memory_communicator.hpp"
#include "operators/sort.hpp"
#include "operators_test_protocol.hpp"
#include "protocols/local_ops.hpp"

using namespace qs;
using namespace qs::ops;

namespace {

std::vector<uint32_t> keys_of(size_t n, uint64_t seed, uint32_t range) {
  std::mt19937_64 rng(seed);
  const uint32_t special[] = {0x7FFFFFFFu, 0x80000000u, 0u, 0xFFFFFFFFu};
  std::vector<uint32_t> v(n);
  for (auto& x : v) {
    const uint64_t r = rng() % 10;
    x = r == 0 ? special[rng() % 4] : range ? static_cast<uint32_t>(static_cast<int32_t>(rng() % range) - static_cast<int32_t>(range / 2)) : static_cast<uint32_t>(rng());
  }
  return v;
}

void run_case(int parties, size_t n, int key_cols, bool quick, Order order, uint32_t range) {
  std::vector<std::vector<uint32_t>> key(key_cols);
  for (int c = 0; c < key_cols; ++c) key[c] = keys_of(n, 100 + c + n, c == 0 ? range : 3);
  std::vector<uint32_t> bpay(n), apay(n);
  for (size_t e = 0; e < n; ++e) bpay[e] = static_cast<uint32_t>(e), apay[e] = static_cast<uint32_t>(e * 2654435761u);

  std::vector<std::vector<uint32_t>> got(key_cols + 2);
  std::mutex mu;
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t rounds = 0;
  net::run_parties(parties, [&](net::Communicator& comm) {
    auto proto = make_test_protocol(comm);
    const int me = comm.party();
    std::vector<BShared> k;
    for (int c = 0; c < key_cols; ++c) k.push_back(share_b_for_test(key[c], me, parties, 10 + c));
    BShared bp = share_b_for_test(bpay, me, parties, 20);
    AShared ap = share_a_for_test(apay, me, parties, 21);
    SortColumns cols;
    for (auto& c : k) cols.keys.push_back(&c);
    cols.bpayload.push_back(&bp);
    cols.apayload.push_back(&ap);
    const uint64_t r0 = proto->rounds();
    if (quick) quicksort(*proto, cols, order);
    else bitonic_sort(*proto, cols, order);
    const uint64_t r1 = proto->rounds();
    std::vector<std::vector<uint32_t>> mine;
    for (auto& c : k) mine.push_back(proto->open(c));
    mine.push_back(proto->open(bp));
    mine.push_back(proto->open(ap));
    if (me == 0) {
      std::lock_guard<std::mutex> lock(mu);
      got = mine;
      rounds = r1 - r0;
    }
  });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  auto less = [&](size_t a, size_t b) {
    for (int c = 0; c < key_cols; ++c) {
      const int32_t x = static_cast<int32_t>(key[c][a]), y = static_cast<int32_t>(key[c][b]);
      if (x != y) return order == Order::ascending ? x < y : x > y;
    }
    return false;
  };
  std::stable_sort(idx.begin(), idx.end(), less);
  bool keys_ok = true, rows_ok = true, stable_ok = true;
  std::vector<bool> seen(n, false);
  for (size_t e = 0; e < n; ++e) {
    for (int c = 0; c < key_cols; ++c) keys_ok &= got[c][e] == key[c][idx[e]];
    // The payloads travel with their row: bpay is the input row number, apay a function of it.
    const uint32_t row = got[key_cols][e];
    bool row_ok = row < n && !seen[row] && got[key_cols + 1][e] == apay[row];
    if (row_ok) {
      seen[row] = true;
      for (int c = 0; c < key_cols; ++c) row_ok &= got[c][e] == key[c][row];
    }
    rows_ok &= row_ok;
    stable_ok &= row == idx[e];
  }
  CHECK(keys_ok);
  CHECK(rows_ok);
  if (quick) CHECK(stable_ok);  // quicksort breaks ties by input position: it is stable
  std::printf("%dPC %-9s %-4s n=%-6zu keys=%d range=%-6u rounds=%-5llu %.3f s\n", parties, quick ? "quicksort" : "bitonic",
              order == Order::ascending ? "asc" : "desc", n, key_cols, range, static_cast<unsigned long long>(rounds), secs);
}

/**
 * What quicksort reveals should not depend on the data: its comparison count is that of quicksort on a
 * random permutation of distinct items whatever the keys, all equal (which, without the index as a tie
 * breaker, would cost n²/2 comparisons and show it) or all distinct. Mean over runs of each, against each
 * other and against the expectation 2(n+1)H_n − 4n.
 */
void test_quicksort_reveals_no_duplicates(int parties) {
  const size_t n = 512, runs = 16;
  double mean[2] = {0, 0};
  for (int kind = 0; kind < 2; ++kind) {
    std::vector<uint32_t> key(n);
    for (size_t e = 0; e < n; ++e) key[e] = kind == 0 ? 42u : static_cast<uint32_t>(e * 7919u);
    for (size_t r = 0; r < runs; ++r) {
      std::mutex mu;
      size_t comparisons = 0;
      net::run_parties(parties, [&](net::Communicator& comm) {
        auto proto = make_test_protocol(comm);
        BShared k = share_b_for_test(key, comm.party(), parties, 50 + r);
        SortColumns cols;
        cols.keys.push_back(&k);
        quicksort(*proto, cols, Order::ascending);
        std::lock_guard<std::mutex> lock(mu);
        if (comm.party() == 0) comparisons = last_quicksort_stats().comparisons;
      });
      mean[kind] += static_cast<double>(comparisons) / runs;
    }
  }
  double h = 0;
  for (size_t i = 1; i <= n; ++i) h += 1.0 / i;
  const double expect = 2.0 * (n + 1) * h - 4.0 * n;  // ≈ 4.9 k for n = 512 (all equal, untied: 131 k)
  std::printf("%dPC quicksort of %zu rows, mean comparisons over %zu runs: all keys equal %.0f, all distinct %.0f, expected %.0f\n",
              parties, n, runs, mean[0], mean[1], expect);
  // The standard deviation of the count is ≈ 0.65 n; the mean of 16 runs is within ±4σ/4 = ±0.65 n.
  CHECK(std::abs(mean[0] - expect) < 0.65 * n);
  CHECK(std::abs(mean[1] - expect) < 0.65 * n);
}

}  // namespace

int main() {
  for (int parties : {3, 4}) {
    test_quicksort_reveals_no_duplicates(parties);
    for (bool quick : {false, true}) {
      for (Order order : {Order::ascending, Order::descending}) {
        run_case(parties, 0, 1, quick, order, 0);
        run_case(parties, 1, 1, quick, order, 0);
        run_case(parties, 2, 1, quick, order, 0);
        run_case(parties, 37, 1, quick, order, 5);
        run_case(parties, 256, 1, quick, order, 0);
        run_case(parties, 1000, 1, quick, order, 20);
        run_case(parties, 777, 2, quick, order, 4);
      }
    }
  }
  return qs_test::finish();
}
