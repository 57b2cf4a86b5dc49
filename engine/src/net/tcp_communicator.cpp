#include "net/tcp_communicator.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "net/tcp_wire.hpp"

namespace qs::net {

using wire::Clock;

namespace {

std::chrono::milliseconds to_ms(double seconds) { return std::chrono::milliseconds(static_cast<long long>(seconds * 1000)); }

void put_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

std::string seconds_text(double s) {
  std::string t = std::to_string(s);
  t.erase(t.find_last_not_of('0') + 1);
  if (!t.empty() && t.back() == '.') t.pop_back();
  return t + " s";
}

}  // namespace

/**
 * What this party's recv is waiting for: the peer (-1: none) and the deadline, in steady-clock
 * nanoseconds. Every link's writer puts it into its keep-alives (see Link::keepalive), so that a peer
 * waiting on this party knows this party is itself waiting, and for how long at most.
 */
struct WaitState {
  std::atomic<int> on{-1};
  std::atomic<int64_t> until_ns{0};
};

namespace {
int64_t ns(Clock::time_point t) { return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(); }
Clock::time_point from_ns(int64_t v) { return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(v))); }
// A keep-alive that says "I am waiting for a message from party X, and give up in M ms": 'W', X, M (BE32).
// Six bytes: shorter than a header (8), so it cannot be taken for one; an empty keep-alive says "not waiting".
constexpr uint8_t kWaiting = 'W';
constexpr size_t kWaitingLen = 6;
}  // namespace

/**
 * One established link: a writer thread that seals and sends what send() queued (and keep-alives when
 * idle), a reader thread that opens frames as they come and queues whole messages for recv(). The first
 * failure on either side is kept and ends the link; recv() then throws it.
 */
class Link {
 public:
  Link(int me, int peer, int fd, wire::Session session, const TcpOptions& options, WaitState* wait)
      : me_(me), peer_(peer), fd_(fd), send_cipher_(session.send), recv_cipher_(session.recv), options_(options), wait_(wait) {
    writer_ = std::thread([this] { write_loop(); });
    reader_ = std::thread([this] { read_loop(); });
  }
  ~Link() {
    begin_close("closed");
    finish_close(Clock::now() + std::chrono::seconds(1));
  }

  void send(Bytes message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_.empty()) throw LinkError(me_, peer_, error_);
    if (closing_) throw LinkError(me_, peer_, "this party closed the link");
    stats_.bytes_sent += message.size();
    stats_.messages_sent += 1;
    out_.push_back(std::move(message));
    writer_wake_.notify_one();
  }

  Bytes recv() {
    std::unique_lock<std::mutex> lock(mutex_);
    // A deadline per awaited message, apart from the reader's link timeout: keep-alives prove the peer's
    // process is there, not that it will ever send what this round expects.
    const auto start = Clock::now();
    const auto deadline = start + to_ms(options_.round_timeout_s);
    const auto cap = start + 2 * to_ms(options_.round_timeout_s);
    // After the peer's own deadline: time for it to give up and for its notice to arrive.
    const auto margin = to_ms(std::min(2.0, options_.round_timeout_s / 2));
    auto ready = [&] { return !in_.empty() || !error_.empty() || reader_done_; };
    wait_->on = peer_;
    for (;;) {
      // When the peer is itself waiting for a third party, wait until just after it gives up: the party
      // that withholds the message is then the one named, not the honest peer stuck behind it.
      auto until = deadline;
      if (peer_waits_on_ >= 0 && peer_waits_on_ != me_) until = std::max(deadline, std::min(cap, peer_until_ + margin));
      wait_->until_ns = ns(until);
      const auto now = Clock::now();
      if (ready() || now >= until) break;
      reader_wake_.wait_until(lock, std::min(until, now + std::chrono::milliseconds(250)), ready);
    }
    wait_->on = -1;
    if (!ready() && error_.empty()) {
      // The link is dead from here on: a message arriving later would be out of step with the protocol.
      const double waited = std::chrono::duration<double>(Clock::now() - start).count();
      error_ = "no message within " + seconds_text(waited > options_.round_timeout_s + 0.5 ? std::round(waited) : options_.round_timeout_s) +
               " (round timeout: the link is alive, keep-alives arrive, but the peer did not send the message this party awaits" +
               (peer_waits_on_ >= 0 && peer_waits_on_ != me_ ? "; it said it was waiting for party " + std::to_string(peer_waits_on_) + ")" : ")");
      writer_wake_.notify_all();
    }
    if (in_.empty()) throw LinkError(me_, peer_, error_.empty() ? "the link is closed" : error_);
    Bytes m = std::move(in_.front());
    in_.pop_front();
    stats_.bytes_received += m.size();
    stats_.messages_received += 1;
    return m;
  }

  LinkStats stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }
  WireStats wire() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return wire_;
  }
  /** The link's failure so far, or "" (the accept loop watches the links already up). */
  std::string error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
  }

  /** Queues the closing notice after what is queued; the writer then half-closes the stream. */
  void begin_close(const std::string& reason) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closing_) return;
    closing_ = true;
    close_reason_ = reason;
    writer_wake_.notify_one();
  }

  /**
   * Waits (until `deadline`) for the writer to flush and for the peer's own notice or end of stream, then
   * ends it. On a link that already failed (a round timeout: the peer is alive but silent) only our notice
   * is awaited: the peer's would say nothing new, and a silent peer would hold this party up to the deadline.
   */
  void finish_close(Clock::time_point deadline) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      reader_wake_.wait_until(lock, deadline, [&] { return writer_done_ && (reader_done_ || !error_.empty()); });
    }
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // unblocks a writer stuck on a full buffer and the reader's poll
    if (writer_.joinable()) writer_.join();
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  void fail(const std::string& why) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_.empty()) error_ = why;
    reader_wake_.notify_all();
    writer_wake_.notify_all();
  }

  // ---- writer ----
  // A message goes out as a header frame and chunk frames, each chunk sealed in place in the message's
  // own buffer (we own it) and handed to sendmsg with its length and tag: no copy of the payload.
  void write_loop() {
    try {
      // Never less often than three times per link timeout, so that one late keep-alive trips nothing.
      const auto idle = options_.keepalive_s > 0 ? to_ms(std::min(options_.keepalive_s, options_.link_timeout_s / 3)) : std::chrono::hours(24 * 365);
      for (;;) {
        std::deque<Bytes> batch;
        bool closing;
        std::string reason;
        {
          std::unique_lock<std::mutex> lock(mutex_);
          writer_wake_.wait_for(lock, idle, [&] { return !out_.empty() || closing_; });
          batch.swap(out_);
          closing = closing_;  // send() refuses once closing_ is set: nothing can follow the notice
          reason = close_reason_;
        }
        if (batch.empty() && !closing) {
          keepalive();  // the peer's reader sees we are here (and whom we wait for)
          continue;
        }
        for (auto& m : batch) write_message(m);
        if (closing) {
          // Sealed, so the peer can tell "party i stopped because ..." from a cut connection.
          std::vector<uint8_t> notice(wire::kHeaderLen, 0xff);
          notice.insert(notice.end(), reason.begin(), reason.end());
          notice.resize(std::min(notice.size(), noise::kMaxPlaintext));
          write_frame(notice.data(), notice.size());
          ::shutdown(fd_, SHUT_WR);
          break;
        }
      }
    } catch (const std::exception& e) {
      fail(e.what());
    }
    std::lock_guard<std::mutex> lock(mutex_);
    writer_done_ = true;
    reader_wake_.notify_all();
  }

  /** Empty, or "waiting for party X, for M ms more" when this party's recv waits for another peer. */
  void keepalive() {
    const int on = wait_->on;
    if (on < 0 || on == peer_) return write_frame(nullptr, 0);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(from_ns(wait_->until_ns) - Clock::now()).count();
    const uint32_t ms = static_cast<uint32_t>(std::clamp<long long>(left, 0, UINT32_MAX));
    uint8_t w[kWaitingLen] = {kWaiting, static_cast<uint8_t>(on)};
    put_be32(w + 2, ms);
    write_frame(w, sizeof w);
  }

  /** One frame from a small plaintext (keep-alive, header, closing notice). */
  void write_frame(const uint8_t* plaintext, size_t len) {
    auto f = wire::seal_frame(send_cipher_, plaintext, len);
    send_iov(nullptr, 0, f.data(), f.size(), 1);
  }

  void write_message(Bytes& m) {
    uint8_t header[wire::kHeaderLen];
    for (size_t i = 0; i < wire::kHeaderLen; ++i) header[i] = static_cast<uint8_t>(uint64_t(m.size()) >> (8 * i));
    auto head = wire::seal_frame(send_cipher_, header, sizeof header);
    constexpr size_t kBatch = 16;  // 1 MiB per sendmsg: the peer decrypts the first while we seal the next
    uint8_t lengths[kBatch][wire::kLengthLen];
    uint8_t tags[kBatch][noise::kTagLen];
    iovec iov[3 * kBatch + 1];
    size_t off = 0;
    bool first = true;
    do {
      size_t k = 0, count = 0;
      if (first) iov[count++] = {head.data(), head.size()};
      first = false;
      while (k < kBatch && off < m.size()) {
        const size_t len = std::min(noise::kMaxPlaintext, m.size() - off);
        put_be32(lengths[k], static_cast<uint32_t>(len + noise::kTagLen));
        send_cipher_.encrypt_detached(nullptr, 0, m.data() + off, len, m.data() + off, tags[k]);
        iov[count++] = {lengths[k], wire::kLengthLen};
        iov[count++] = {m.data() + off, len};
        iov[count++] = {tags[k], noise::kTagLen};
        off += len;
        ++k;
      }
      send_iov(iov, count, nullptr, 0, k + (count % 3 == 1 ? 1 : 0));
    } while (off < m.size());
  }

  void send_iov(iovec* iov, size_t count, const uint8_t* single, size_t single_len, size_t frames) {
    iovec one{const_cast<uint8_t*>(single), single_len};
    if (single) {
      iov = &one;
      count = 1;
    }
    size_t total = 0;
    for (size_t i = 0; i < count; ++i) total += iov[i].iov_len;
    const size_t all = total;
    while (total) {
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = count;
      ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(errno == EPIPE || errno == ECONNRESET ? "the connection was lost while sending (the peer is gone)"
                                                                       : std::string("sending failed: ") + std::strerror(errno));
      }
      total -= static_cast<size_t>(n);
      while (n > 0 && count) {  // skip what went out
        if (static_cast<size_t>(n) >= iov->iov_len) {
          n -= static_cast<ssize_t>(iov->iov_len);
          ++iov;
          --count;
        } else {
          iov->iov_base = static_cast<uint8_t*>(iov->iov_base) + n;
          iov->iov_len -= static_cast<size_t>(n);
          n = 0;
        }
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    wire_.bytes_sent += all;
    wire_.frames_sent += frames;
  }

  // ---- reader ----
  enum class Fill { Ok, EndAtBoundary };

  /** Reads exactly n bytes into dst (through the buffer for small reads, straight into dst for large ones). */
  Fill read_exact(uint8_t* dst, size_t n, bool frame_start) {
    const size_t want = n;
    while (n) {
      if (buf_pos_ < buf_end_) {
        const size_t take = std::min(n, buf_end_ - buf_pos_);
        std::memcpy(dst, buf_.data() + buf_pos_, take);
        buf_pos_ += take;
        dst += take;
        n -= take;
        continue;
      }
      const int timeout = static_cast<int>(to_ms(options_.link_timeout_s).count());
      pollfd p{fd_, POLLIN, 0};
      const int ready = poll(&p, 1, timeout);
      if (ready < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      }
      if (ready == 0) {
        throw std::runtime_error("nothing received for " + seconds_text(options_.link_timeout_s) +
                                 " (link timeout: the peer's process or host is gone, or the network dropped the link)");
      }
      const bool direct = n >= buf_.size() / 2;
      ssize_t got = direct ? ::recv(fd_, dst, n, 0) : ::recv(fd_, buf_.data(), buf_.size(), 0);
      if (got < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == ECONNRESET) throw std::runtime_error("the connection was reset (the peer's process is gone)");
        throw std::runtime_error(std::string("receiving failed: ") + std::strerror(errno));
      }
      if (got == 0) {
        if (frame_start && n == want) return Fill::EndAtBoundary;
        throw std::runtime_error("the stream ended in the middle of a frame (cut short)");
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        wire_.bytes_received += static_cast<uint64_t>(got);
      }
      if (direct) {
        dst += got;
        n -= static_cast<size_t>(got);
      } else {
        buf_pos_ = 0;
        buf_end_ = static_cast<size_t>(got);
      }
    }
    return Fill::Ok;
  }

  /** Reads one frame's length; false at a clean end of stream. */
  bool read_length(uint32_t& length) {
    uint8_t len[wire::kLengthLen];
    if (read_exact(len, sizeof len, true) == Fill::EndAtBoundary) return false;
    length = uint32_t(len[0]) << 24 | uint32_t(len[1]) << 16 | uint32_t(len[2]) << 8 | uint32_t(len[3]);
    if (length < noise::kTagLen || length > noise::kMaxMessage) {
      throw std::runtime_error("a frame announced " + std::to_string(length) + " bytes, outside 16-65535 (the stream was modified)");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    wire_.frames_received += 1;
    return true;
  }

  static constexpr const char* kForged = "a frame failed authentication (modified, replayed, reordered or dropped in transit, or not sent by the peer)";

  void read_loop() {
    try {
      std::vector<uint8_t> small(noise::kMaxMessage);
      for (;;) {
        uint32_t length;
        if (!read_length(length)) {
          throw std::runtime_error("the stream ended where a frame was due (cut short: the peer's process is gone, or the connection was cut)");
        }
        read_exact(small.data(), length, false);
        const size_t plain = length - noise::kTagLen;
        if (!recv_cipher_.decrypt_detached(nullptr, 0, small.data(), plain, small.data() + plain, small.data())) throw std::runtime_error(kForged);
        if (plain == 0 || (plain == kWaitingLen && small[0] == kWaiting)) {  // keep-alive
          std::lock_guard<std::mutex> lock(mutex_);
          peer_waits_on_ = plain ? small[1] : -1;
          if (plain) {
            const uint32_t ms = uint32_t(small[2]) << 24 | uint32_t(small[3]) << 16 | uint32_t(small[4]) << 8 | uint32_t(small[5]);
            peer_until_ = Clock::now() + std::chrono::milliseconds(ms);
          }
          continue;
        }
        if (plain < wire::kHeaderLen) throw std::runtime_error("a sealed frame of " + std::to_string(plain) + " bytes is no header");
        {
          std::lock_guard<std::mutex> lock(mutex_);
          peer_waits_on_ = -1;  // it sends: whatever it waited for came
        }
        uint64_t size = 0;
        for (size_t i = 0; i < wire::kHeaderLen; ++i) size |= uint64_t(small[i]) << (8 * i);
        if (size == wire::kClosing) {
          std::string reason(reinterpret_cast<const char*>(small.data()) + wire::kHeaderLen, plain - wire::kHeaderLen);
          throw std::runtime_error(reason == "finished" ? "party " + std::to_string(peer_) + " finished and closed the link"
                                                        : "party " + std::to_string(peer_) + " stopped: " + reason);
        }
        if (plain != wire::kHeaderLen) throw std::runtime_error("a header frame has " + std::to_string(plain) + " bytes");
        if (size > wire::kMaxMessageBytes) throw std::runtime_error("a message announced " + std::to_string(size) + " bytes");
        Bytes message(size);
        for (size_t off = 0; off < size;) {
          const size_t len = std::min<size_t>(noise::kMaxPlaintext, size - off);
          if (!read_length(length)) throw std::runtime_error("the stream ended in the middle of a message (cut short)");
          if (length != len + noise::kTagLen) throw std::runtime_error(kForged);
          uint8_t tag[noise::kTagLen];
          read_exact(message.data() + off, len, false);
          read_exact(tag, sizeof tag, false);
          if (!recv_cipher_.decrypt_detached(nullptr, 0, message.data() + off, len, tag, message.data() + off)) throw std::runtime_error(kForged);
          off += len;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        in_.push_back(std::move(message));
        reader_wake_.notify_all();
      }
    } catch (const std::exception& e) {
      fail(e.what());
    }
    std::lock_guard<std::mutex> lock(mutex_);
    reader_done_ = true;
    reader_wake_.notify_all();
  }

  const int me_, peer_;
  int fd_;
  noise::CipherState send_cipher_, recv_cipher_;  // each used by one thread only
  const TcpOptions options_;
  WaitState* const wait_;  // the communicator's, shared by its links
  std::vector<uint8_t> buf_ = std::vector<uint8_t>(256 * 1024);
  size_t buf_pos_ = 0, buf_end_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable writer_wake_, reader_wake_;
  std::deque<Bytes> out_, in_;
  std::string error_, close_reason_;
  bool closing_ = false, writer_done_ = false, reader_done_ = false;
  int peer_waits_on_ = -1;         // the peer's last keep-alive: whom it waits for (-1: nobody)
  Clock::time_point peer_until_;   // and until when it waits at most
  LinkStats stats_;
  WireStats wire_;
  std::thread writer_, reader_;
};

namespace {

struct ListenSocket {
  int fd = -1;
  ~ListenSocket() {
    if (fd >= 0) ::close(fd);
  }
};

int listen_on(const std::string& host, int port, int backlog, int buffer_bytes) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) throw std::runtime_error("cannot resolve the listen address " + host + ": " + gai_strerror(rc));
  std::string why;
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    wire::tune_socket(fd, buffer_bytes);  // inherited by accepted sockets, before the handshake sets the window
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
      why = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + why);
  return fd;
}

}  // namespace

TcpCommunicator::TcpCommunicator(int party, const std::vector<Peer>& peers, const noise::KeyPair& key, const std::string& listen_host, int listen_port,
                                 const TcpOptions& options)
    : party_(party), wait_(std::make_shared<WaitState>()), links_(peers.size()) {
  const int n = static_cast<int>(peers.size());
  const auto deadline = Clock::now() + to_ms(options.connect_timeout_s);
  std::mutex mutex;
  std::string first_error;
  int first_error_peer = -1;
  auto record = [&](int peer, const std::string& why) {
    std::lock_guard<std::mutex> lock(mutex);
    if (first_error.empty()) {
      first_error = why;
      first_error_peer = peer;
    }
  };
  auto failed = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return !first_error.empty();
  };
  auto handshake_deadline = [&] { return std::min(deadline, Clock::now() + to_ms(options.link_timeout_s)); };

  ListenSocket listener;
  try {
    if (party < n - 1) listener.fd = listen_on(listen_host, listen_port, n, options.socket_buffer_bytes);
  } catch (const std::exception& e) {
    throw LinkError(party, party + 1, e.what());
  }

  // Dial every lower party, retrying until the deadline (it may not listen yet).
  std::vector<std::thread> dialers;
  for (int j = 0; j < party; ++j) {
    dialers.emplace_back([&, j] {
      std::string why;
      while (!failed()) {
        if (Clock::now() >= deadline) {
          record(j, "party " + std::to_string(j) + " did not answer at " + peers[j].address + ":" + std::to_string(peers[j].port) + " within " +
                        seconds_text(options.connect_timeout_s) + " (" + why + ")");
          return;
        }
        const int fd = wire::dial_once(peers[j].address, peers[j].port, deadline, options.socket_buffer_bytes, why);
        if (fd < 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
        try {
          auto session = wire::handshake_as_dialer(fd, n, party, j, key, peers[j].pub, handshake_deadline());
          std::lock_guard<std::mutex> lock(mutex);
          links_[j] = std::make_unique<Link>(party, j, fd, session, options, wait_.get());
        } catch (const std::exception& e) {
          ::close(fd);
          record(j, std::string("handshake failed: ") + e.what());
        }
        return;
      }
    });
  }

  // Accept every higher party: the clear preamble says who dials, the handshake proves it.
  int missing = n - 1 - party;
  while (missing > 0 && !failed()) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (int j = 0; j < n; ++j) {
        if (links_[j] && !links_[j]->error().empty() && first_error.empty()) {
          first_error = links_[j]->error();
          first_error_peer = j;
        }
      }
      if (!first_error.empty()) break;
    }
    if (Clock::now() >= deadline) {
      int late = -1;
      {
        std::lock_guard<std::mutex> lock(mutex);
        for (int j = n - 1; j > party; --j) if (!links_[j]) late = j;
      }
      record(late, "party " + std::to_string(late) + " did not connect within " + seconds_text(options.connect_timeout_s));
      break;
    }
    pollfd p{listener.fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    wire::tune_socket(fd, 0);
    uint8_t pre[wire::kPreambleLen];
    wire::PreambleFields f;
    try {
      // A party sends its preamble right after connecting: something silent is not one of ours, and must
      // not hold up the parties queued behind it for a whole link timeout.
      wire::read_exact(fd, pre, sizeof pre, std::min(handshake_deadline(), Clock::now() + std::chrono::seconds(5)));
    } catch (const std::exception&) {
      ::close(fd);  // not one of ours, or gone: keep waiting for the parties
      continue;
    }
    if (!wire::parse_preamble(pre, f)) {
      ::close(fd);
      continue;
    }
    const int j = f.dialer;
    if (f.parties != n || f.listener != party || j <= party || j >= n) {
      ::close(fd);
      record(j >= 0 && j < n ? j : party, "a dialer announced itself as party " + std::to_string(f.dialer) + " of " + std::to_string(f.parties) + " dialing party " +
                                              std::to_string(f.listener) + " (this is party " + std::to_string(party) + " of " + std::to_string(n) + ")");
      break;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (links_[j]) {
        ::close(fd);
        first_error = "party " + std::to_string(j) + " connected twice";
        first_error_peer = j;
        break;
      }
    }
    try {
      auto session = wire::handshake_as_listener(fd, std::vector<uint8_t>(pre, pre + sizeof pre), key, peers[j].pub, handshake_deadline());
      std::lock_guard<std::mutex> lock(mutex);
      links_[j] = std::make_unique<Link>(party, j, fd, session, options, wait_.get());
      --missing;
    } catch (const std::exception& e) {
      ::close(fd);
      record(j, std::string("handshake failed: ") + e.what());
    }
  }
  for (auto& t : dialers) t.join();
  if (!first_error.empty()) {
    const LinkError error(party, first_error_peer, first_error);
    close(error.what());
    throw error;
  }
}

TcpCommunicator::~TcpCommunicator() {
  if (!closed_) close("closed");
}

void TcpCommunicator::send(int to, Bytes message) {
  if (to == party_ || to < 0 || to >= parties() || !links_[to]) throw LinkError(party_, to, "no such link");
  links_[to]->send(std::move(message));
}

Bytes TcpCommunicator::recv(int from) {
  if (from == party_ || from < 0 || from >= parties() || !links_[from]) throw LinkError(party_, from, "no such link");
  return links_[from]->recv();
}

LinkStats TcpCommunicator::stats(int peer) const { return links_[peer] ? links_[peer]->stats() : LinkStats{}; }
WireStats TcpCommunicator::wire_stats(int peer) const { return links_[peer] ? links_[peer]->wire() : WireStats{}; }

void TcpCommunicator::close(const std::string& reason) {
  closed_ = true;
  for (auto& l : links_) if (l) l->begin_close(reason);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  for (auto& l : links_) if (l) l->finish_close(deadline);
  for (auto& l : links_) l.reset();
}

}  // namespace qs::net
