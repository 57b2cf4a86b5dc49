// Micro-benchmark of the protocols' primitives (protocols/), 3PC (Araki et al.) and 4PC (Fantastic
// Four), parties as threads of this process over in-memory links (net/memory_communicator), or with
// --links tcp over the engine's real links (loopback TCP, Noise-sealed). NOTE: all parties share this
// machine's cores (2 here): 3 or 4 party threads on 2 cores, so a party's time includes waiting for
// the CPU; cpu_s (the busiest party's thread CPU time) says how much work one party did.
//
// Prints one JSON object:
//   {"3pc": {"n": 1048576, "and_s": …, "mult_s": …, "open_s": …, "shuffle_s": …, "random_s": …,
//            "bytes_per_party": {"and": …, …}, "theory_bytes_per_party": {…}, "cpu_s": {…}, "rounds": {…}},
//    "4pc": {…}, "prg_gb_s": …, "mac_gb_s": …}   (one thread: the PRG, the 4PC check values)
// Seconds: the slowest party, from a common start to the end of the operation; 4PC includes verify()
// (the hash check), so every 4PC figure is of a checked result. bytes_per_party: mean payload bytes sent
// per party (4PC: including the digests and one trailer byte per message).
//
//   primitives [--links memory|tcp] [--parties 3|4] [--n 1048576] [--repeat 5] [--only and,mult,open,shuffle,random]
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "bench_common.hpp"
#include "protocols/local_ops.hpp"
#include "random/prg.hpp"

using namespace qs;

namespace {

using bench::Result;

struct Inputs {
  AShared ax, ay;
  BShared bx, by;
};

using Op = std::function<void(Protocol&, Inputs&)>;

Result measure(int parties, bool tcp, const std::vector<uint32_t>& x, const std::vector<uint32_t>& y, const Op& op) {
  return bench::measure(parties, tcp, [&](Protocol& proto) {
    const int p = proto.party();
    return [&proto, &op, in = Inputs{ops::share_a_for_test(x, p, parties, 1), ops::share_a_for_test(y, p, parties, 2),
                                     ops::share_b_for_test(x, p, parties, 3), ops::share_b_for_test(y, p, parties, 4)}]() mutable { op(proto, in); };
  });
}

double prg_gb_s() {
  random::Prg prg(random::fresh_key(), random::local_cipher());
  std::vector<uint32_t> buf(size_t{1} << 22);
  prg.fill(buf.data(), buf.size());
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) prg.fill(buf.data(), buf.size());
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return 8.0 * double(buf.size()) * 4 / s / 1e9;
}

// Fantastic Four's check values (Poly1305, protocols/fantastic_four.hpp).
double mac_gb_s() {
  std::vector<uint8_t> buf(size_t{1} << 24, 7);
  unsigned char d[crypto_onetimeauth_BYTES], key[crypto_onetimeauth_KEYBYTES] = {1};
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) crypto_onetimeauth(d, buf.data(), buf.size(), key);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return 4.0 * double(buf.size()) / s / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  bench::keep_buffers_mapped();  // see bench/bench_common.hpp: page faults otherwise dominate
  if (sodium_init() < 0) return 1;
  const bench::Args args = bench::parse_args(argc, argv, 5);
  const size_t n = args.n;
  const auto x = bench::random_words(n, 1), y = bench::random_words(n, 2);
  const std::map<std::string, Op> ops_by_name = {
      {"and", [](Protocol& p, Inputs& in) { p.and_(in.bx, in.by); }},
      {"mult", [](Protocol& p, Inputs& in) { p.mul(in.ax, in.ay); }},
      {"open", [](Protocol& p, Inputs& in) { p.open(in.ax); }},
      {"shuffle", [](Protocol& p, Inputs& in) { p.shuffle_columns({&in.ax}, {}); }},
      {"random", [n](Protocol& p, Inputs&) { p.random_a(n); }},
  };

  std::printf("{\"links\": \"%s\", \"threads_share_cores\": %u", args.tcp ? "tcp" : "memory", std::thread::hardware_concurrency());
  for (int parties : args.party_counts) {
    std::map<std::string, Result> res;
    for (auto& [name, op] : ops_by_name) {
      if (args.want(name)) res[name] = bench::best_of(args.repeat, [&, &op = op] { return measure(parties, args.tcp, x, y, op); });
    }
    // Theory, payload bytes per party per element (ℓ = 32 bits): 3PC mult/and 4 (Araki et al. §3: one
    // element to one neighbour), open 4, shuffle 4·4/3 (4 vectors in all over 3 parties); 4PC mult/and 6
    // (six JMP values per element in all, Fantastic Four's multiplication: 1.5 elements per party), open 4
    // (one JMP value per party), shuffle 4·12/4 = 12 (4 passes × 3 JMP values); hashes not counted.
    const std::map<std::string, double> theory3 = {{"and", 4}, {"mult", 4}, {"open", 4}, {"shuffle", 16.0 / 3}, {"random", 0}};
    const std::map<std::string, double> theory4 = {{"and", 6}, {"mult", 6}, {"open", 4}, {"shuffle", 12}, {"random", 0}};
    const auto& theory = parties == 3 ? theory3 : theory4;
    std::printf(", \"%dpc\": {\"n\": %zu", parties, n);
    for (auto& [name, r] : res) std::printf(", \"%s_s\": %.4f", name.c_str(), r.seconds);
    bench::print_section("bytes_per_party", res, [](const std::string&, const Result& r) { return bench::format("%.0f", r.bytes_per_party); });
    bench::print_section("theory_bytes_per_party", res, [&](const std::string& name, const Result&) { return bench::format("%.0f", theory.at(name) * double(n)); });
    bench::print_section("cpu_s", res, [](const std::string&, const Result& r) { return bench::format("%.4f", r.cpu_seconds); });
    bench::print_section("rounds", res, [](const std::string&, const Result& r) { return bench::format("%llu", (unsigned long long)r.rounds); });
    std::printf("}");
    std::fflush(stdout);
  }
  std::printf(", \"prg_gb_s\": %.2f, \"mac_gb_s\": %.2f}\n", prg_gb_s(), mac_gb_s());
  return 0;
}
