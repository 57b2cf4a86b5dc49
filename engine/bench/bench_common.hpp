// What the benchmark programs (bench/operators.cpp, bench/primitives.cpp) share: their command line, the
// parties as threads over in-memory links or the engine's real links (tests/tcp_fixture.hpp), the timing
// of one operation on every party from a common start, and the printing of the JSON sections.
#pragma once

#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "net/memory_communicator.hpp"
#include "protocols/protocol.hpp"
#include "tcp_fixture.hpp"

namespace qs::bench {

/** The command line both programs take: [--links memory|tcp] [--parties 3|4] [--n N] [--repeat R] [--only a,b,…]. */
struct Args {
  std::vector<int> party_counts = {3, 4};
  size_t n = size_t{1} << 20;
  int repeat = 3;
  bool tcp = false;
  std::set<std::string> only;
  bool want(const std::string& name) const { return only.empty() || only.count(name); }
};

inline Args parse_args(int argc, char** argv, int default_repeat) {
  Args args;
  args.repeat = default_repeat;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--parties") args.party_counts = {std::atoi(v.c_str())};
    else if (a == "--n") args.n = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--repeat") args.repeat = std::atoi(v.c_str());
    else if (a == "--links") args.tcp = v == "tcp";
    else if (a == "--only") {
      size_t s = 0;
      while (s <= v.size()) {
        size_t e = v.find(',', s);
        if (e == std::string::npos) e = v.size();
        args.only.insert(v.substr(s, e - s));
        s = e + 1;
      }
    }
  }
  return args;
}

/**
 * Large columns come and go every round; without this glibc maps and unmaps them each time and the page
 * faults cost as much CPU as the circuits (measured: sort 2^16 0.27 → 0.14 s CPU per party).
 */
inline void keep_buffers_mapped() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
}

/** n parties as threads: over in-memory links, or (tcp) over the engine's real links on loopback. */
inline void run_parties(int parties, bool tcp, const std::function<void(net::Communicator&)>& body) {
  if (tcp) qs_test::run_tcp_parties(parties, body);
  else net::run_parties(parties, body);
}

struct Result {
  double seconds = 0;
  double cpu_seconds = 0;  // the busiest party's thread CPU time (robust to a loaded machine)
  double bytes_per_party = 0;
  uint64_t rounds = 0;
};

inline std::vector<uint32_t> random_words(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> v(n);
  for (auto& w : v) w = static_cast<uint32_t>(rng());
  return v;
}

inline double thread_cpu() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

/**
 * Runs on every party: prepare(protocol) (untimed; returns the operation), a common start (a one-word
 * opening: nobody's clock starts before every party has reached it), then the operation and verify(),
 * timed. Returns the slowest party's seconds and rounds, the busiest party's CPU time, the mean bytes sent.
 */
template <class Prepare>
Result measure(int parties, bool tcp, Prepare prepare) {
  std::mutex mu;
  Result out;
  double bytes = 0;
  run_parties(parties, tcp, [&](net::Communicator& comm) {
    auto proto = make_protocol(comm);
    auto op = prepare(*proto);
    proto->open(BShared(parties - 1, 1));  // the common start
    const uint64_t b0 = comm.bytes_sent(), r0 = proto->rounds();
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu();
    op();
    proto->verify();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = thread_cpu() - c0;
    const uint64_t b1 = comm.bytes_sent(), r1 = proto->rounds();
    std::lock_guard<std::mutex> lock(mu);
    out.seconds = std::max(out.seconds, s);
    out.cpu_seconds = std::max(out.cpu_seconds, cpu);
    bytes += double(b1 - b0);
    out.rounds = std::max(out.rounds, r1 - r0);
  });
  out.bytes_per_party = bytes / parties;
  return out;
}

/** The fastest of `repeat` runs of f. */
inline Result best_of(int repeat, const std::function<Result()>& f) {
  Result best;
  for (int i = 0; i < repeat; ++i) {
    Result r = f();
    if (i == 0 || r.seconds < best.seconds) best = r;
  }
  return best;
}

/** printf into a string. */
template <class... T>
std::string format(const char* fmt, T... values) {
  char buf[128];
  std::snprintf(buf, sizeof buf, fmt, values...);
  return buf;
}

/**
 * Prints `, "title": {"name": value, …}` over the entries of `m`; value(name, entry) gives the value's
 * text, or "" to leave the entry out.
 */
template <class Map, class Value>
void print_section(const char* title, const Map& m, Value value) {
  std::printf(", \"%s\": {", title);
  bool first = true;
  for (auto& [name, entry] : m) {
    const std::string text = value(name, entry);
    if (text.empty()) continue;
    std::printf("%s\"%s\": %s", first ? "" : ", ", name.c_str(), text.c_str());
    first = false;
  }
  std::printf("}");
}

}  // namespace qs::bench
