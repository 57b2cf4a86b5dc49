#include "operators/sort.hpp"

#include <algorithm>
#include <numeric>

#include "operators/bitslice.hpp"
#include "operators/circuits.hpp"

namespace qs::ops {

namespace {

thread_local QuicksortStats g_qs_stats;

// ---- bitonic network for any n (Batcher's bitonic sort, the arbitrary-size form: halves sorted in
// opposite directions, merges split at the greatest power of two below n). Comparators are grouped by
// layer, so that one layer is one batch.

struct Comparator {
  uint32_t i, j;  // i < j
  bool up;        // after: up ? a[i] <= a[j] : a[i] >= a[j]
};

size_t merge_layers(std::vector<std::vector<Comparator>>& layers, uint32_t lo, uint32_t n, bool up, size_t layer) {
  if (n <= 1) return layer;
  uint32_t m = 1;
  while (m * 2 < n) m *= 2;
  if (layers.size() <= layer) layers.resize(layer + 1);
  for (uint32_t i = lo; i < lo + n - m; ++i) layers[layer].push_back({i, i + m, up});
  return std::max(merge_layers(layers, lo, m, up, layer + 1), merge_layers(layers, lo + m, n - m, up, layer + 1));
}

size_t sort_layers(std::vector<std::vector<Comparator>>& layers, uint32_t lo, uint32_t n, bool up, size_t layer) {
  if (n <= 1) return layer;
  const uint32_t m = n / 2;
  const size_t a = sort_layers(layers, lo, m, !up, layer);
  const size_t b = sort_layers(layers, lo + m, n - m, up, layer);
  return merge_layers(layers, lo, n, up, std::max(a, b));
}


}  // namespace

QuicksortStats last_quicksort_stats() { return g_qs_stats; }

void bitonic_sort(Protocol& proto, SortColumns& cols, Order order) {
  if (cols.keys.empty()) return;
  const uint32_t n = static_cast<uint32_t>(cols.keys[0]->size());
  const int k = cols.keys[0]->k();
  std::vector<std::vector<Comparator>> layers;
  sort_layers(layers, 0, n, order == Order::ascending, 0);

  std::vector<BShared*> bcols(cols.keys);
  bcols.insert(bcols.end(), cols.bpayload.begin(), cols.bpayload.end());
  AndBatch batch(proto, k);
  for (const auto& layer : layers) {
    if (layer.empty()) continue;
    const size_t m = layer.size();
    // Swap where first < second: first = j for an ascending comparator, i for a descending one.
    std::vector<uint32_t> first(m), second(m), ii(m), jj(m);
    for (size_t t = 0; t < m; ++t) {
      ii[t] = layer[t].i, jj[t] = layer[t].j;
      first[t] = layer[t].up ? layer[t].j : layer[t].i;
      second[t] = layer[t].up ? layer[t].i : layer[t].j;
    }
    std::vector<ColumnRows> xs, ys;
    for (auto* c : cols.keys) xs.push_back({c, &first}), ys.push_back({c, &second});
    const BShared swap = lt_lex_rows(proto, xs, ys);

    // Boolean columns: d = mask & (a_i ⊕ a_j); a_i ^= d, a_j ^= d. One AND call for all of them.
    const BShared mask = masks_from_packed(swap, m);
    std::vector<size_t> off;
    for (auto* c : bcols) {
      BShared d = gather(*c, ii);
      xor_in(d, gather(*c, jj));
      off.push_back(batch.add(mask, 0, d, 0, m));
    }
    const BShared& z = batch.run();
    for (size_t c = 0; c < bcols.size(); ++c)
      for (int j = 0; j < k; ++j) {
        auto& s = bcols[c]->share[j];
        const uint32_t* d = z.share[j].data() + off[c];
        for (size_t t = 0; t < m; ++t) s[ii[t]] ^= d[t], s[jj[t]] ^= d[t];
      }

    // Arithmetic columns: t = swap·(a_j − a_i); a_i += t, a_j −= t.
    if (!cols.apayload.empty()) {
      const AShared sa = b2a_bit(proto, unpack_bits(swap, m));
      std::vector<AShared> diffs, sas;
      std::vector<const Shared*> dp, sp;
      for (auto* c : cols.apayload) {
        AShared d = gather(*c, jj);
        sub_in(d, gather(*c, ii));
        diffs.push_back(std::move(d));
      }
      for (auto& d : diffs) dp.push_back(&d), sp.push_back(&sa);
      const AShared t = proto.mul(concat<AShared>(sp), concat<AShared>(dp));
      for (size_t c = 0; c < cols.apayload.size(); ++c)
        for (int j = 0; j < k; ++j) {
          auto& s = cols.apayload[c]->share[j];
          const uint32_t* d = t.share[j].data() + c * m;
          for (size_t q = 0; q < m; ++q) s[ii[q]] += d[q], s[jj[q]] -= d[q];
        }
    }
  }
}

void quicksort(Protocol& proto, SortColumns& cols, Order order) {
  g_qs_stats = {};
  if (cols.keys.empty()) return;
  const size_t n = cols.keys[0]->size();
  const int me = proto.party(), parties = proto.parties();

  // Ties broken by the input position, appended as the least significant key before the shuffle.
  std::vector<uint32_t> iota(n);
  std::iota(iota.begin(), iota.end(), 0u);
  BShared index = xor_const(BShared(parties - 1, n), iota, me, parties);
  std::vector<BShared*> bshuffle(cols.keys);
  bshuffle.push_back(&index);
  bshuffle.insert(bshuffle.end(), cols.bpayload.begin(), cols.bpayload.end());
  proto.shuffle_columns(cols.apayload, bshuffle);

  std::vector<BShared*> keys(cols.keys);
  keys.push_back(&index);
  const bool asc = order == Order::ascending;
  // The index needs only its low ⌈log2 n⌉ bits in the comparison (its other bits are 0 in the value).
  int index_bits = 1;
  while (index_bits < 32 && (size_t{1} << index_bits) < n) ++index_bits;
  std::vector<int> widths(cols.keys.size(), 32);
  widths.push_back(index_bits);

  // The key columns are kept in slot order, moved at every level (a partition reads each segment in
  // order and writes two runs: cache-friendly, where gathering through a permutation was not). The
  // payloads move once, at the end, through pos (slot → row after the shuffle).
  std::vector<uint32_t> pos = iota;
  std::vector<uint32_t> elem, pivot, src, tmp;
  std::vector<std::pair<uint32_t, uint32_t>> active;
  if (n > 1) active.emplace_back(0, static_cast<uint32_t>(n));
  while (!active.empty()) {
    elem.clear(), pivot.clear();
    for (auto [lo, hi] : active)
      for (uint32_t s = lo + 1; s < hi; ++s) elem.push_back(s), pivot.push_back(lo);
    // Left of the pivot: ascending, (key, index) < pivot's; descending, key > pivot's, ties by index
    // ascending (the index column keeps its operands' order; the key columns swap theirs).
    std::vector<ColumnRows> xs, ys;
    for (size_t c = 0; c + 1 < keys.size(); ++c) {
      xs.push_back({keys[c], asc ? &elem : &pivot});
      ys.push_back({keys[c], asc ? &pivot : &elem});
    }
    xs.push_back({keys.back(), &elem});
    ys.push_back({keys.back(), &pivot});
    const std::vector<uint32_t> left = proto.open(lt_lex_rows(proto, xs, ys, widths));
    g_qs_stats.levels += 1;
    g_qs_stats.comparisons += elem.size();

    // src: for the slots of the active segments, the slot each one's row comes from.
    std::vector<std::pair<uint32_t, uint32_t>> next;
    src.clear();
    size_t t = 0;
    for (auto [lo, hi] : active) {
      const size_t t0 = t, start = src.size();
      for (uint32_t s = lo + 1; s < hi; ++s, ++t)
        if ((left[t >> 5] >> (t & 31)) & 1u) src.push_back(s);
      const uint32_t nl = static_cast<uint32_t>(src.size() - start);
      src.push_back(lo);
      t = t0;
      for (uint32_t s = lo + 1; s < hi; ++s, ++t)
        if (!((left[t >> 5] >> (t & 31)) & 1u)) src.push_back(s);
      if (nl >= 2) next.emplace_back(lo, lo + nl);
      if (hi - lo - 1 - nl >= 2) next.emplace_back(lo + nl + 1, hi);
    }
    // Apply: slot lo + i of the active segments (in order) takes the row of slot src[i].
    auto move = [&](std::vector<uint32_t>& v) {
      tmp.resize(src.size());
      for (size_t i = 0; i < src.size(); ++i) tmp[i] = v[src[i]];
      size_t i = 0;
      for (auto [lo, hi] : active)
        for (uint32_t s = lo; s < hi; ++s) v[s] = tmp[i++];
    };
    move(pos);
    for (auto* c : keys)
      for (auto& sh : c->share) move(sh);
    active = std::move(next);
  }
  for (auto* c : cols.bpayload) *c = gather(*c, pos);
  for (auto* c : cols.apayload) *c = gather(*c, pos);
}

}  // namespace qs::ops
