// Benchmark of the operators (operators/), 3PC and 4PC, parties as threads of this process, one thread per
// party, over in-memory links (net/memory_communicator) or, with --links tcp, over the engine's real links
// (net/tcp_communicator: loopback TCP, Noise-sealed; each link also has its writer/reader threads).
// Prints one JSON object:
//   {"3pc": {"eq_s": …, "lt_s": …, "a2b_s": …, "b2a_bit_s": …, "sort_2p16_s": …, "sort_2p18_s": …,
//            "quicksort_2p16_s": …, "bitonic_2p16_s": …, …, "bytes_per_party": {"eq": …, …}}, "4pc": {…}}
// Seconds are the slowest party's, from a common start (a one-word opening) to the end of the operation
// (4PC: after verify()). bytes_per_party is the mean over parties of the payload bytes each sent;
// theory_bytes_per_party the circuits' count (see below).
// sort_* = quicksort (the default) of one key column with one payload column (both XOR-shared).
//
//   operators [--links memory|tcp] [--parties 3|4] [--n 1048576] [--only and,eq,lt,a2b,b2a_bit,b2a,sort16,sort16desc,sort18,bitonic16,bitonic16desc,bitonic18] [--repeat 3]
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <sys/resource.h>

#include "bench_common.hpp"
#include "operators/circuits.hpp"
#include "operators/sort.hpp"
#include "protocols/local_ops.hpp"

using namespace qs;

namespace {

using bench::best_of;
using bench::random_words;
using bench::Result;

bool g_tcp = false;

/** Runs `op` on every party (after `setup`, untimed) and returns the slowest party's time. */
template <class Setup, class Op>
Result measure(int parties, Setup setup, Op op) {
  return bench::measure(parties, g_tcp, [&](Protocol& p) { return [&p, &op, state = setup(p)]() mutable { op(p, state); }; });
}

struct Two {
  BShared x, y;
};

std::map<std::string, ops::QuicksortStats> g_qs_stats;

Result bench_sort(int parties, size_t n, bool quick, int repeat, const std::string& name, bool descending = false) {
  const ops::Order order = descending ? ops::Order::descending : ops::Order::ascending;
  const auto keys = random_words(n, 5), pay = random_words(n, 6);
  std::mutex mu;
  return best_of(repeat, [&] {
    return measure(
        parties,
        [&](Protocol& p) {
          return Two{ops::share_b_for_test(keys, p.party(), parties, 1), ops::share_b_for_test(pay, p.party(), parties, 2)};
        },
        [&](Protocol& p, Two& s) {
          ops::SortColumns cols;
          cols.keys.push_back(&s.x);
          cols.bpayload.push_back(&s.y);
          if (quick) {
            ops::quicksort(p, cols, order);
            std::lock_guard<std::mutex> lock(mu);
            if (p.party() == 0) g_qs_stats[name] = ops::last_quicksort_stats();
          } else {
            ops::bitonic_sort(p, cols, order);
          }
        });
  });
}

}  // namespace

int main(int argc, char** argv) {
  bench::keep_buffers_mapped();
  const bench::Args args = bench::parse_args(argc, argv, 3);
  const size_t n = args.n;
  const int repeat = args.repeat;
  g_tcp = args.tcp;
  auto want = [&](const char* name) { return args.want(name); };
  const auto xv = random_words(n, 1), yv = random_words(n, 2);

  std::printf("{\"links\": \"%s\", ", g_tcp ? "tcp" : "memory");
  bool first_proto = true;
  for (int parties : args.party_counts) {
    std::map<std::string, Result> res;
    auto two = [&](Protocol& p) {
      return Two{ops::share_b_for_test(xv, p.party(), parties, 1), ops::share_b_for_test(yv, p.party(), parties, 2)};
    };
    if (want("and"))
      res["and"] = best_of(repeat, [&] { return measure(parties, two, [](Protocol& p, Two& s) { p.and_(s.x, s.y); }); });
    if (want("eq"))
      res["eq"] = best_of(repeat, [&] { return measure(parties, two, [](Protocol& p, Two& s) { ops::eq(p, s.x, s.y); }); });
    if (want("lt"))
      res["lt"] = best_of(repeat, [&] { return measure(parties, two, [](Protocol& p, Two& s) { ops::lt(p, s.x, s.y); }); });
    if (want("a2b"))
      res["a2b"] = best_of(repeat, [&] {
        return measure(
            parties, [&](Protocol& p) { return ops::share_a_for_test(xv, p.party(), parties, 3); },
            [](Protocol& p, AShared& x) { ops::a2b(p, x); });
      });
    if (want("b2a_bit"))
      res["b2a_bit"] = best_of(repeat, [&] { return measure(parties, two, [](Protocol& p, Two& s) { ops::b2a_bit(p, s.x); }); });
    if (want("b2a"))
      res["b2a"] = best_of(repeat, [&] { return measure(parties, two, [](Protocol& p, Two& s) { ops::b2a(p, s.x); }); });
    g_qs_stats.clear();
    if (want("sort16")) res["sort_2p16"] = bench_sort(parties, 1 << 16, true, repeat, "sort_2p16");
    if (want("sort16desc")) res["sort_2p16_desc"] = bench_sort(parties, 1 << 16, true, repeat, "sort_2p16_desc", true);
    if (want("bitonic16desc")) res["bitonic_2p16_desc"] = bench_sort(parties, 1 << 16, false, 1, "bitonic_2p16_desc", true);
    if (want("bitonic16")) res["bitonic_2p16"] = bench_sort(parties, 1 << 16, false, 1, "bitonic_2p16");
    if (want("sort18")) res["sort_2p18"] = bench_sort(parties, 1 << 18, true, 1, "sort_2p18");
    if (want("bitonic18")) res["bitonic_2p18"] = bench_sort(parties, 1 << 18, false, 1, "bitonic_2p18");

    std::printf("%s\"%dpc\": {\"n\": %zu", first_proto ? "" : ", ", parties, n);
    first_proto = false;
    for (auto& [name, r] : res) std::printf(", \"%s_s\": %.4f", name.c_str(), r.seconds);
    if (res.count("sort_2p16")) std::printf(", \"quicksort_2p16_s\": %.4f", res["sort_2p16"].seconds);
    bench::print_section("bytes_per_party", res, [](const std::string&, const Result& r) { return bench::format("%.0f", r.bytes_per_party); });
    // The circuits' own count: AND (or mult) bits per element × n, × 1 word per word and party in 3PC
    // (Araki et al. §3) or 1.5 in Fantastic Four (each product term sent by one party of its pair; hashes
    // not counted). Quicksort: its comparisons × (3p − 3) bits for p = 32 + ⌈log2 n⌉ planes + one bit per
    // comparison opened, plus the shuffle of its 3 columns (key, row index, payload) at the primitive's
    // count (bench/primitives.cpp: 16/3 bytes per element in 3PC, 12 in 4PC). 4PC A2B and B2A of a bit: the adder (one
    // mult) + two joint inputs (one word per element sent by one of the four parties each).
    const double per = parties == 3 ? 1.0 : 1.5;
    std::map<std::string, double> theory = {{"and", 32}, {"eq", 31}, {"lt", 93}, {"a2b", parties == 3 ? 182 : 151 + 2 * 32 / 4 / per},
                                            {"b2a_bit", parties == 3 ? 64 : 32 + 2 * 32 / 4 / per}};
    bench::print_section("theory_bytes_per_party", res, [&](const std::string& name, const Result&) {
      double t = 0;
      if (theory.count(name)) t = theory[name] * n / 8 * per;
      else if (g_qs_stats.count(name)) {
        const size_t rows = name.rfind("sort_2p16", 0) == 0 ? 1u << 16 : 1u << 18;
        int b = 0;
        while ((size_t{1} << b) < rows) ++b;
        const double planes = 32 + b;
        const double shuffle_bytes = parties == 3 ? 16.0 / 3 : 12.0;
        t = g_qs_stats[name].comparisons * ((3 * planes - 3) * per + 1) / 8 + 3 * shuffle_bytes * double(rows);
      } else if (name.rfind("bitonic_", 0) == 0) {
        // n/2 comparators per layer, L(L+1)/2 layers (n = 2^L): LT (93) + the swap of key and payload (2 × 32).
        const double L = name.rfind("bitonic_2p16", 0) == 0 ? 16 : 18;
        t = std::ldexp(1.0, static_cast<int>(L) - 1) * L * (L + 1) / 2 * (93 + 64) * per / 8;
      } else return std::string();
      return bench::format("%.0f", t);
    });
    bench::print_section("cpu_s", res, [](const std::string&, const Result& r) { return bench::format("%.4f", r.cpu_seconds); });
    bench::print_section("quicksort", g_qs_stats, [](const std::string&, const ops::QuicksortStats& st) {
      return bench::format("{\"levels\": %zu, \"comparisons\": %zu}", st.levels, st.comparisons);
    });
    bench::print_section("rounds", res, [](const std::string&, const Result& r) { return bench::format("%llu", static_cast<unsigned long long>(r.rounds)); });
    std::printf("}");
    std::fflush(stdout);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf(", \"peak_rss_mb_all_parties\": %.1f}\n", ru.ru_maxrss / 1024.0);
  return 0;
}
