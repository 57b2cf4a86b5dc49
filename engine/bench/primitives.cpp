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
#include <thread>

#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/memory_communicator.hpp"
#include "net/tcp_communicator.hpp"
#include "protocols/local_ops.hpp"
#include "protocols/protocol.hpp"
#include "random/prg.hpp"

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

void run_parties(int parties, const std::function<void(net::Communicator&)>& body) {
  if (!g_tcp) return net::run_parties(parties, body);
  std::vector<net::noise::KeyPair> keys;
  std::vector<net::Peer> peers;
  for (int i = 0; i < parties; ++i) {
    keys.push_back(net::noise::generate_keypair());
    peers.push_back({i, "127.0.0.1", free_port(), keys[i].pub});
  }
  std::vector<std::exception_ptr> errors(static_cast<size_t>(parties));
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

double thread_cpu() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

std::vector<uint32_t> random_words(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> v(n);
  for (auto& w : v) w = static_cast<uint32_t>(rng());
  return v;
}

struct Result {
  double seconds = 0, cpu_seconds = 0, bytes_per_party = 0;
  uint64_t rounds = 0;
};

struct Inputs {
  AShared ax, ay;
  BShared bx, by;
};

using Op = std::function<void(Protocol&, Inputs&)>;

Result measure(int parties, const std::vector<uint32_t>& x, const std::vector<uint32_t>& y, const Op& op) {
  std::mutex mu;
  Result out;
  double bytes = 0;
  run_parties(parties, [&](net::Communicator& comm) {
    auto proto = make_protocol(comm);
    const int p = proto->party();
    Inputs in{ops::share_a_for_test(x, p, parties, 1), ops::share_a_for_test(y, p, parties, 2), ops::share_b_for_test(x, p, parties, 3),
              ops::share_b_for_test(y, p, parties, 4)};
    proto->open(BShared(parties - 1, 1));  // a common start
    const uint64_t b0 = comm.bytes_sent(), r0 = proto->rounds();
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu();
    op(*proto, in);
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

Result best_of(int repeat, const std::function<Result()>& f) {
  Result best;
  for (int i = 0; i < repeat; ++i) {
    Result r = f();
    if (i == 0 || r.seconds < best.seconds) best = r;
  }
  return best;
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
  // Keep large buffers mapped between rounds (see bench/operators.cpp: page faults otherwise dominate).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  if (sodium_init() < 0) return 1;
  std::vector<int> party_counts = {3, 4};
  size_t n = size_t{1} << 20;
  int repeat = 5;
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
  const auto x = random_words(n, 1), y = random_words(n, 2);
  const std::map<std::string, Op> ops_by_name = {
      {"and", [](Protocol& p, Inputs& in) { p.and_(in.bx, in.by); }},
      {"mult", [](Protocol& p, Inputs& in) { p.mul(in.ax, in.ay); }},
      {"open", [](Protocol& p, Inputs& in) { p.open(in.ax); }},
      {"shuffle", [](Protocol& p, Inputs& in) { p.shuffle_columns({&in.ax}, {}); }},
      {"random", [n](Protocol& p, Inputs&) { p.random_a(n); }},
  };

  std::printf("{\"links\": \"%s\", \"threads_share_cores\": %u", g_tcp ? "tcp" : "memory", std::thread::hardware_concurrency());
  for (int parties : party_counts) {
    std::map<std::string, Result> res;
    for (auto& [name, op] : ops_by_name) {
      if (want(name.c_str())) res[name] = best_of(repeat, [&, &op = op] { return measure(parties, x, y, op); });
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
    auto section = [&](const char* title, const std::function<void(const std::string&, const Result&)>& f) {
      std::printf(", \"%s\": {", title);
      bool first = true;
      for (auto& [name, r] : res) {
        std::printf("%s", first ? "" : ", ");
        first = false;
        f(name, r);
      }
      std::printf("}");
    };
    section("bytes_per_party", [](const std::string& name, const Result& r) { std::printf("\"%s\": %.0f", name.c_str(), r.bytes_per_party); });
    section("theory_bytes_per_party", [&](const std::string& name, const Result&) { std::printf("\"%s\": %.0f", name.c_str(), theory.at(name) * double(n)); });
    section("cpu_s", [](const std::string& name, const Result& r) { std::printf("\"%s\": %.4f", name.c_str(), r.cpu_seconds); });
    section("rounds", [](const std::string& name, const Result& r) { std::printf("\"%s\": %llu", name.c_str(), (unsigned long long)r.rounds); });
    std::printf("}");
    std::fflush(stdout);
  }
  std::printf(", \"prg_gb_s\": %.2f, \"mac_gb_s\": %.2f}\n", prg_gb_s(), mac_gb_s());
  return 0;
}
