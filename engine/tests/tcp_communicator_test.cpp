// The real links between threads of one process over loopback sockets: handshake and messages (large,
// empty, many), a wrong key refused on both ends, and a peer played by hand (tcp_wire) that tampers with
// a frame, replays one, reorders two, cuts the stream short, or falls silent; keep-alives keeping an
// idle link up; a peer that keeps its link alive but withholds a message (the round timeout); a closing
// notice quoted by the peer; the connect deadline for a dialer and for a listener whose peer never comes.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "check.hpp"
#include "net/noise.hpp"
#include "net/tcp_communicator.hpp"
#include "net/tcp_wire.hpp"
#include "tcp_fixture.hpp"

using namespace qs::net;
using Clock = std::chrono::steady_clock;

namespace {

using Setup = qs_test::LoopbackParties;

TcpOptions quick(double link_timeout = 5) {
  TcpOptions o;
  o.link_timeout_s = link_timeout;
  o.connect_timeout_s = 10;
  return o;
}

/** Runs each party's body on its own thread with its own TcpCommunicator; returns each party's error text. */
std::vector<std::string> run(const Setup& s, const std::vector<noise::KeyPair>& keys, const TcpOptions& o, const std::function<void(TcpCommunicator&)>& body) {
  std::vector<std::string> errors;
  for (auto& e : qs_test::run_tcp(s, keys, o, body)) {
    errors.emplace_back();
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      errors.back() = x.what();
    }
  }
  return errors;
}

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos) return true;
  std::fprintf(stderr, "  expected \"%s\" in \"%s\"\n", part.c_str(), s.c_str());
  return false;
}

void messages_between_three_parties() {
  Setup s(3);
  const size_t big = 4u << 20;
  auto errors = run(s, s.keys, quick(), [&](TcpCommunicator& c) {
    for (int p = 0; p < 3; ++p) {
      if (p == c.party()) continue;
      Bytes m(big);
      for (size_t i = 0; i < big; ++i) m[i] = static_cast<uint8_t>(i * 7 + c.party());
      c.send(p, std::move(m));
      c.send(p, Bytes{});
      for (uint32_t i = 0; i < 100; ++i) send_words(c, p, {uint32_t(c.party()), i});
    }
    for (int p = 0; p < 3; ++p) {
      if (p == c.party()) continue;
      Bytes m = c.recv(p);
      bool same = m.size() == big;
      for (size_t i = 0; same && i < big; ++i) same = m[i] == static_cast<uint8_t>(i * 7 + p);
      CHECK(same);
      CHECK(c.recv(p).empty());
      for (uint32_t i = 0; i < 100; ++i) {
        auto w = recv_words(c, p, 2);
        CHECK(w[0] == uint32_t(p) && w[1] == i);
      }
      const auto st = c.stats(p);
      CHECK_EQ(st.bytes_sent, uint64_t(big + 800));
      CHECK_EQ(st.messages_sent, uint64_t(102));
      CHECK_EQ(st.bytes_received, uint64_t(big + 800));
      CHECK_EQ(st.messages_received, uint64_t(102));
      CHECK(c.wire_stats(p).bytes_received > big + 800);  // framing and tags counted apart from the payload
    }
  });
  for (auto& e : errors) CHECK(e.empty());
  if (!errors[0].empty()) std::fprintf(stderr, "  %s\n", errors[0].c_str());
}

void wrong_key_refused() {
  Setup s(2);
  auto keys = s.keys;
  keys[1] = noise::generate_keypair();  // party 1 runs with a key nobody listed
  auto errors = run(s, keys, quick(), [](TcpCommunicator&) {});
  CHECK(contains(errors[0], "link party0 <-> party1: handshake failed: the peer does not hold the expected key"));
  CHECK(contains(errors[1], "link party1 <-> party0: handshake failed"));
}

/** Party 0 is a TcpCommunicator; party 1 is played by hand: `peer(fd, session)` after the handshake. */
std::string against_raw_peer(double link_timeout, const std::function<void(int, wire::Session&)>& peer,
                             const std::function<void(TcpCommunicator&)>& body) {
  Setup s(2);
  std::string error;
  std::thread honest([&] {
    try {
      TcpCommunicator c(0, s.peers, s.keys[0], "127.0.0.1", s.peers[0].port, quick(link_timeout));
      body(c);
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  std::string why;
  int fd = -1;
  for (int i = 0; i < 100 && fd < 0; ++i) {
    fd = wire::dial_once("127.0.0.1", s.peers[0].port, Clock::now() + std::chrono::seconds(2), 0, why);
    if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto session = wire::handshake_as_dialer(fd, 2, 1, 0, s.keys[1], s.keys[0].pub, Clock::now() + std::chrono::seconds(5));
  peer(fd, session);
  honest.join();
  ::close(fd);
  return error;
}

Bytes text(const std::string& t) { return Bytes(t.begin(), t.end()); }
void write(int fd, const std::vector<uint8_t>& b) { wire::write_all(fd, b.data(), b.size()); }

void expect_first_then_failure(TcpCommunicator& c) {
  CHECK(c.recv(1) == text("first"));
  c.recv(1);
  CHECK(false);  // the second recv must throw
}

void tampered_frame_refused() {
  const std::string error = against_raw_peer(5, [](int fd, wire::Session& s) {
    auto frames = wire::seal_message(s.send, Bytes(100000, 42));  // a header and two chunks
    frames[40 + 28] ^= 0x01;                                         // one bit of the first chunk's ciphertext
    write(fd, frames);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }, [](TcpCommunicator& c) { c.recv(1); });
  CHECK(contains(error, "link party0 <-> party1: a frame failed authentication"));
}

void replayed_frame_refused() {
  const std::string error = against_raw_peer(5, [](int fd, wire::Session& s) {
    auto first = wire::seal_message(s.send, text("first"));
    write(fd, first);
    write(fd, first);  // the same bytes again: their nonce is behind the receiver's counter
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }, expect_first_then_failure);
  CHECK(contains(error, "a frame failed authentication"));
}

void reordered_frames_refused() {
  const std::string error = against_raw_peer(5, [](int fd, wire::Session& s) {
    auto first = wire::seal_message(s.send, text("first"));
    auto second = wire::seal_message(s.send, text("second"));
    auto third = wire::seal_message(s.send, text("third"));
    write(fd, first);
    write(fd, third);  // "second" dropped, or the two swapped: either way the counter disagrees
    write(fd, second);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }, expect_first_then_failure);
  CHECK(contains(error, "a frame failed authentication"));
}

void truncated_stream_detected() {
  std::string error = against_raw_peer(5, [](int fd, wire::Session& s) {
    auto first = wire::seal_message(s.send, text("first"));
    auto second = wire::seal_message(s.send, Bytes(1000, 1));
    write(fd, first);
    write(fd, std::vector<uint8_t>(second.begin(), second.begin() + 60));  // cut mid-frame
    ::shutdown(fd, SHUT_WR);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }, expect_first_then_failure);
  CHECK(contains(error, "cut short"));
  error = against_raw_peer(5, [](int fd, wire::Session& s) {
    write(fd, wire::seal_message(s.send, text("first")));
    ::shutdown(fd, SHUT_WR);  // ends at a frame boundary, but without the sealed closing notice
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }, expect_first_then_failure);
  CHECK(contains(error, "the stream ended where a frame was due"));
}

void silent_peer_times_out() {
  Clock::time_point start;
  double waited = 0;
  const std::string error = against_raw_peer(1, [&](int, wire::Session&) { std::this_thread::sleep_for(std::chrono::milliseconds(2500)); },
                                             [&](TcpCommunicator& c) {
                                               start = Clock::now();
                                               try {
                                                 c.recv(1);
                                               } catch (...) {
                                                 waited = std::chrono::duration<double>(Clock::now() - start).count();
                                                 throw;
                                               }
                                             });
  CHECK(contains(error, "link party0 <-> party1: nothing received for 1 s (link timeout"));
  CHECK(waited >= 0.5 && waited < 2.0);
}

void keepalive_keeps_idle_link_up() {
  Setup s(2);
  auto errors = run(s, s.keys, quick(1), [](TcpCommunicator& c) {
    if (c.party() == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(3000));  // three link timeouts of local work
      c.send(0, text("late"));
    } else {
      CHECK(c.recv(1) == text("late"));
      CHECK(c.wire_stats(1).frames_received >= 3);  // keep-alives arrived meanwhile
      CHECK_EQ(c.stats(1).bytes_received, uint64_t(4));   // and are not payload
    }
  });
  CHECK(errors[0].empty() && errors[1].empty());
}

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/** A test that stalls fails (exit 1, saying which) instead of hanging the run: a stall is the bug here. */
class Watchdog {
 public:
  Watchdog(const char* what, int seconds) : what_(what) {
    thread_ = std::thread([this, seconds] {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!wake_.wait_for(lock, std::chrono::seconds(seconds), [this] { return done_; })) {
        std::fprintf(stderr, "FAIL %s: still waiting after %d s (stalled)\n", what_, seconds);
        std::_Exit(1);
      }
    });
  }
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  const char* what_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

// A cheating peer that keeps its link alive (its writer sends keep-alives) but never sends the message
// the round expects: the link timeout never fires, the round timeout does, and names the link. The peer
// is told why (the closing notice quotes it).
void withheld_message_hits_round_timeout() {
  Watchdog watchdog("withheld message hits the round timeout", 20);
  Setup s(2);
  TcpOptions o = quick(1);  // link timeout 1 s: keep-alives every 1/3 s hold it
  o.round_timeout_s = 2;
  double waited = -1;
  uint64_t keepalives = 0;
  std::string told;
  auto errors = run(s, s.keys, o, [&](TcpCommunicator& c) {
    if (c.party() == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(4000));  // alive, silent: the withheld message
      try {
        c.recv(0);
      } catch (const LinkError& e) {
        told = e.what();
      }
      return;
    }
    const auto start = Clock::now();
    try {
      c.recv(1);
      CHECK(false);  // nothing was sent: recv must not return
    } catch (const LinkError& e) {
      waited = since(start);
      keepalives = c.wire_stats(1).frames_received;
      bool refused = false;
      try {
        c.send(1, text("after"));  // the link counts as failed from then on
      } catch (const LinkError&) {
        refused = true;
      }
      CHECK(refused);
      c.close(e.what());  // what the engine does: its peers learn why
      throw;
    }
  });
  CHECK(contains(errors[0], "link party0 <-> party1: no message within 2 s (round timeout"));
  CHECK(waited >= 1.9 && waited < 3.5);
  CHECK(keepalives >= 3);  // the link was alive all along: the link timeout could not have caught it
  CHECK(contains(told, "link party1 <-> party0: party 0 stopped: link party0 <-> party1: no message within 2 s"));
}

// A peer computing longer than the link timeout but within the round timeout is no cheater.
void computing_within_round_timeout_passes() {
  Setup s(2);
  TcpOptions o = quick(1);
  o.round_timeout_s = 4;
  auto errors = run(s, s.keys, o, [](TcpCommunicator& c) {
    if (c.party() == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2500));
      c.send(0, text("late"));
      CHECK(c.recv(0) == text("ack"));
    } else {
      CHECK(c.recv(1) == text("late"));
      c.send(1, text("ack"));
    }
  });
  CHECK(errors[0].empty() && errors[1].empty());
}

void closing_notice_is_quoted() {
  Setup s(2);
  auto errors = run(s, s.keys, quick(), [](TcpCommunicator& c) {
    if (c.party() == 1) {
      c.send(0, text("last"));
      c.close("computing failed: out of memory");
    } else {
      CHECK(c.recv(1) == text("last"));
      c.recv(1);
    }
  });
  CHECK(contains(errors[0], "link party0 <-> party1: party 1 stopped: computing failed: out of memory"));
}

void connect_deadline() {
  Setup s(2);
  TcpOptions o = quick();
  o.connect_timeout_s = 0.5;
  std::string error;
  try {
    TcpCommunicator c(1, s.peers, s.keys[1], "127.0.0.1", s.peers[1].port, o);  // party 0 never starts
  } catch (const std::exception& e) {
    error = e.what();
  }
  CHECK(contains(error, "link party1 <-> party0: party 0 did not answer at 127.0.0.1:"));
}

// Parties 0 and 1 of 3 run, party 2 never starts: both listen for party 2 (it would dial them) and must
// give up at the connect deadline, naming party 2, not wait on.
void connect_deadline_listener() {
  Watchdog watchdog("connect deadline of a listener", 20);
  Setup s(3);
  TcpOptions o = quick();
  o.connect_timeout_s = 1;
  std::vector<std::string> errors(2);
  std::vector<double> took(2, -1);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int p = 0; p < 2; ++p) {
    threads.emplace_back([&, p] {
      try {
        TcpCommunicator c(p, s.peers, s.keys[p], "127.0.0.1", s.peers[p].port, o);
      } catch (const std::exception& e) {
        errors[p] = e.what();
      }
      took[p] = since(start);
    });
  }
  for (auto& t : threads) t.join();
  for (int p = 0; p < 2; ++p) {
    CHECK(contains(errors[p], "link party" + std::to_string(p) + " <-> party"));
    CHECK(contains(errors[p], "party 2 did not connect within 1 s"));
    CHECK(took[p] >= 0.9 && took[p] < 3.0);
  }
}

}  // namespace

int main() {
  const std::vector<std::pair<const char*, void (*)()>> tests = {
      {"messages between three parties", messages_between_three_parties},
      {"wrong key refused", wrong_key_refused},
      {"tampered frame refused", tampered_frame_refused},
      {"replayed frame refused", replayed_frame_refused},
      {"reordered frames refused", reordered_frames_refused},
      {"truncated stream detected", truncated_stream_detected},
      {"silent peer times out", silent_peer_times_out},
      {"keep-alive keeps an idle link up", keepalive_keeps_idle_link_up},
      {"withheld message hits the round timeout", withheld_message_hits_round_timeout},
      {"computing within the round timeout passes", computing_within_round_timeout_passes},
      {"closing notice is quoted", closing_notice_is_quoted},
      {"connect deadline", connect_deadline},
      {"connect deadline of a listener whose peer never comes", connect_deadline_listener},
  };
  for (auto& [name, test] : tests) {
    const int before = qs_test::failures();
    test();
    std::printf("%s %s\n", qs_test::failures() == before ? "ok  " : "FAIL", name);
  }
  return qs_test::finish();
}
