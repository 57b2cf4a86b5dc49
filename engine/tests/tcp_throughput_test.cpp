// Figures of one link on loopback (printed; checked only loosely, the machine's speed varies): 4 MiB
// messages one way, 4 MiB both ways at once (a protocol round), and the round trip of a small message.
#include <algorithm>
#include <chrono>
#include <thread>

#include "check.hpp"
#include "net/tcp_communicator.hpp"
#include "tcp_fixture.hpp"

using namespace qs::net;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
}  // namespace

int main() {
  const qs_test::LoopbackParties parties(2);
  const auto& keys = parties.keys;
  const auto& peers = parties.peers;
  const size_t size = 4u << 20;
  const int rounds = 40, pings = 2000;
  double one_way = 0, both_ways = 0;
  std::vector<double> rtts;
  std::thread t1([&] {
    TcpCommunicator c(1, peers, keys[1], "127.0.0.1", peers[1].port);
    for (int i = 0; i < rounds; ++i) CHECK_EQ(c.recv(0).size(), size);
    c.send(0, Bytes(1));
    for (int i = 0; i < rounds; ++i) {
      c.send(0, Bytes(size, 1));
      CHECK_EQ(c.recv(0).size(), size);
    }
    for (int i = 0; i < pings; ++i) c.send(0, c.recv(0));
    c.close("finished");
  });
  {
    TcpCommunicator c(0, peers, keys[0], "127.0.0.1", peers[0].port);
    auto t = Clock::now();
    for (int i = 0; i < rounds; ++i) c.send(1, Bytes(size, 2));
    c.recv(1);
    one_way = since(t);
    t = Clock::now();
    for (int i = 0; i < rounds; ++i) {
      c.send(1, Bytes(size, 2));
      CHECK_EQ(c.recv(1).size(), size);
    }
    both_ways = since(t);
    for (int i = 0; i < pings; ++i) {
      auto p = Clock::now();
      c.send(1, Bytes(32, 3));
      CHECK_EQ(c.recv(1).size(), size_t(32));
      rtts.push_back(since(p));
    }
    c.close("finished");
  }
  t1.join();
  std::sort(rtts.begin(), rtts.end());
  const double mb = double(size) * rounds / 1e6;
  std::printf("one link, loopback, 4 MiB messages: one way %.0f MB/s; both ways at once %.0f MB/s each way (%.1f ms per round)\n", mb / one_way, mb / both_ways,
              both_ways / rounds * 1e3);
  std::printf("32-byte round trip: median %.0f us, p99 %.0f us\n", rtts[rtts.size() / 2] * 1e6, rtts[rtts.size() * 99 / 100] * 1e6);
  CHECK(mb / one_way > 10);  // a floor only: the figure is printed, the machine's speed varies
  return qs_test::finish();
}
