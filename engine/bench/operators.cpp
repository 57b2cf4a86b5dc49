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
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <malloc.h>
#include <sys/resource.h>
#include <time.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <thread>

#include "net/memory_communicator.hpp"
#include "net/tcp_communicator.hpp"
#include "operators/circuits.hpp"
#include "operators/sort.hpp"
#include "protocols/local_ops.hpp"
#include "protocols/protocol.hpp"

using namespace qs;

namespace {

bool g_tcp = false;

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

/** n parties as threads over the engine's real links (TcpCommunicator, Noise-sealed) on loopback. */
void run_tcp_parties(int parties, const std::function<void(net::Communicator&)>& body) {
  std::vector<net::noise::KeyPair> keys;
  std::vector<net::Peer> peers;
  for (int i = 0; i < parties; ++i) {
    keys.push_back(net::noise::generate_keypair());
    peers.push_back({i, "127.0.0.1", free_port(), keys[i].pub});
  }
  std::vector<std::exception_ptr> errors(parties);
  std::vector<std::thread> threads;
  for (int i = 0; i < parties; ++i)
    threads.emplace_back([&, i] {
      try {
        net::TcpCommunicator c(i, peers, keys[i], "127.0.0.1", peers[i].port);
        body(c);
        c.close("finished");
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

void run(int parties, const std::function<void(net::Communicator&)>& body) {
  if (g_tcp) run_tcp_parties(parties, body);
  else net::run_parties(parties, body);
}

struct Result {
  double seconds = 0;
  double cpu_seconds = 0;  // the busiest party's thread CPU time (robust to a loaded machine)
  double bytes_per_party = 0;
  uint64_t rounds = 0;
};

std::vector<uint32_t> random_words(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> v(n);
  for (auto& w : v) w = static_cast<uint32_t>(rng());
  return v;
}

double thread_cpu() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/** Runs `op` on every party (after `setup`, untimed) and returns the slowest party's time. */
template <class Setup, class Op>
Result measure(int parties, Setup setup, Op op) {
  std::mutex mu;
  Result out;
  double bytes = 0;
  run(parties, [&](net::Communicator& comm) {
    auto proto = make_protocol(comm);
    auto state = setup(*proto);
    // A common start: nobody's clock starts before every party has reached this point.
    BShared one(parties - 1, 1);
    proto->open(one);
    const uint64_t b0 = comm.bytes_sent(), r0 = proto->rounds();
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu();
    op(*proto, state);
    proto->verify();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = thread_cpu() - c0;
    const uint64_t b1 = comm.bytes_sent(), r1 = proto->rounds();
    std::lock_guard<std::mutex> lock(mu);
    out.seconds = std::max(out.seconds, s);
    out.cpu_seconds = std::max(out.cpu_seconds, cpu);
    bytes += static_cast<double>(b1 - b0);
    out.rounds = std::max(out.rounds, r1 - r0);
  });
  out.bytes_per_party = bytes / parties;
  return out;
}

struct Two {
  BShared x, y;
};

Result best_of(int repeat, const std::function<Result()>& f) {
  Result best;
  for (int i = 0; i < repeat; ++i) {
    Result r = f();
    if (i == 0 || r.seconds < best.seconds) best = r;
  }
  return best;
}

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
  // Large columns come and go every round; without this glibc maps and unmaps them each time and the
  // page faults cost as much CPU as the circuits (measured: sort 2^16 0.27 → 0.14 s CPU per party).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  std::vector<int> party_counts = {3, 4};
  size_t n = size_t{1} << 20;
  int repeat = 3;
  std::set<std::string> only;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--parties") party_counts = {std::atoi(v.c_str())};
    else if (a == "--n") n = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--repeat") repeat = std::atoi(v.c_str());
    else if (a == "--links") g_tcp = v == "tcp";
    else if (a == "--only") {
      size_t s = 0;
      while (s <= v.size()) {
        size_t e = v.find(',', s);
        if (e == std::string::npos) e = v.size();
        only.insert(v.substr(s, e - s));
        s = e + 1;
      }
    }
  }
  auto want = [&](const char* name) { return only.empty() || only.count(name); };
  const auto xv = random_words(n, 1), yv = random_words(n, 2);

  std::printf("{\"links\": \"%s\", ", g_tcp ? "tcp" : "memory");
  bool first_proto = true;
  for (int parties : party_counts) {
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
    std::printf(", \"bytes_per_party\": {");
    bool first = true;
    for (auto& [name, r] : res) {
      std::printf("%s\"%s\": %.0f", first ? "" : ", ", name.c_str(), r.bytes_per_party);
      first = false;
    }
    // The circuits' own count: AND (or mult) bits per element × n, × 1 word per word and party in 3PC
    // (Araki et al. §3) or 1.5 in Fantastic Four (each product term sent by one party of its pair; hashes
    // not counted). Quicksort: its comparisons × (3p − 3) bits for p = 32 + ⌈log2 n⌉ planes + one bit per
    // comparison opened; the shuffle (3 columns) is left out. 4PC A2B and B2A of a bit: the adder (one
    // mult) + two joint inputs (one word per element sent by one of the four parties each).
    const double per = parties == 3 ? 1.0 : 1.5;
    std::map<std::string, double> theory = {{"and", 32}, {"eq", 31}, {"lt", 93}, {"a2b", parties == 3 ? 182 : 151 + 2 * 32 / 4 / per},
                                            {"b2a_bit", parties == 3 ? 64 : 32 + 2 * 32 / 4 / per}};
    std::printf("}, \"theory_bytes_per_party\": {");
    first = true;
    for (auto& [name, r] : res) {
      double t = 0;
      if (theory.count(name)) t = theory[name] * n / 8 * per;
      else if (g_qs_stats.count(name)) {
        const size_t rows = name.rfind("sort_2p16", 0) == 0 ? 1u << 16 : 1u << 18;
        int b = 0;
        while ((size_t{1} << b) < rows) ++b;
        const double planes = 32 + b;
        t = g_qs_stats[name].comparisons * ((3 * planes - 3) * per + 1) / 8;
      } else if (name.rfind("bitonic_", 0) == 0) {
        // n/2 comparators per layer, L(L+1)/2 layers (n = 2^L): LT (93) + the swap of key and payload (2 × 32).
        const double L = name.rfind("bitonic_2p16", 0) == 0 ? 16 : 18;
        t = std::ldexp(1.0, static_cast<int>(L) - 1) * L * (L + 1) / 2 * (93 + 64) * per / 8;
      } else continue;
      std::printf("%s\"%s\": %.0f", first ? "" : ", ", name.c_str(), t);
      first = false;
    }
    std::printf("}, \"cpu_s\": {");
    first = true;
    for (auto& [name, r] : res) {
      std::printf("%s\"%s\": %.4f", first ? "" : ", ", name.c_str(), r.cpu_seconds);
      first = false;
    }
    std::printf("}, \"quicksort\": {");
    first = true;
    for (auto& [name, st] : g_qs_stats) {
      std::printf("%s\"%s\": {\"levels\": %zu, \"comparisons\": %zu}", first ? "" : ", ", name.c_str(), st.levels, st.comparisons);
      first = false;
    }
    std::printf("}, \"rounds\": {");
    first = true;
    for (auto& [name, r] : res) {
      std::printf("%s\"%s\": %llu", first ? "" : ", ", name.c_str(), static_cast<unsigned long long>(r.rounds));
      first = false;
    }
    std::printf("}}");
    std::fflush(stdout);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf(", \"peak_rss_mb_all_parties\": %.1f}\n", ru.ru_maxrss / 1024.0);
  return 0;
}
