// Oblivious sorting of rows: key columns (XOR-shared, signed int32, compared lexicographically, the first
// most significant) and payload columns of either kind, all permuted together.
//
// - bitonic_sort: a fixed network (Batcher; any n, not only powers of two), every comparator of a layer in
//   one batched comparison and one batched swap. Reveals nothing. Not stable.
// - quicksort: ORQ's design (the ORQ paper, SOSP 2025; Secrecy NSDI 2023 §4 for the shuffle-then-sort
//   argument). The shared row index is appended to the keys (ties broken by it), every column is
//   obliviously shuffled, then quicksort runs with its comparison results opened: all comparisons against
//   the pivots of one recursion level in one batch. Reveals the comparison outcomes of quicksort on a
//   uniformly random permutation of n distinct items — a distribution that does not depend on the data
//   (only on n, which is public). Stable (ties keep input order), in both directions.
#pragma once

#include <vector>

#include "containers/shared.hpp"
#include "protocols/protocol.hpp"

namespace qs::ops {

enum class Order { ascending, descending };

struct SortColumns {
  std::vector<BShared*> keys;      // compared, lexicographic, signed int32
  std::vector<BShared*> bpayload;  // carried along
  std::vector<AShared*> apayload;  // carried along (a swap costs one B2A of the comparison bit + one mul)
};

void bitonic_sort(Protocol& proto, SortColumns& cols, Order order);
void quicksort(Protocol& proto, SortColumns& cols, Order order);

/** Counters of the last quicksort run on this thread (for tests and the benchmark). */
struct QuicksortStats {
  size_t levels = 0, comparisons = 0;
};
QuicksortStats last_quicksort_stats();

}  // namespace qs::ops
