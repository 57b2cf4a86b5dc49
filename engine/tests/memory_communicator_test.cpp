// The in-process links: every party's messages arrive in order, and a failing party stops the others.
#include "check.hpp"
#include "net/memory_communicator.hpp"

int main() {
  qs::net::run_parties(4, [](qs::net::Communicator& c) {
    for (int p = 0; p < c.parties(); ++p) if (p != c.party()) qs::net::send_words(c, p, {uint32_t(c.party()), 7});
    for (int p = 0; p < c.parties(); ++p) {
      if (p == c.party()) continue;
      auto w = qs::net::recv_words(c, p, 2);
      CHECK_EQ(w[0], uint32_t(p));
      CHECK_EQ(w[1], 7u);
    }
    CHECK_EQ(c.bytes_sent(), uint64_t(3 * 8));
  });
  bool stopped = false;
  try {
    qs::net::run_parties(3, [](qs::net::Communicator& c) {
      if (c.party() == 1) throw std::runtime_error("party 1 fails");
      c.recv(1);
    });
  } catch (const std::exception&) {
    stopped = true;
  }
  CHECK(stopped);
  return qs_test::finish();
}
