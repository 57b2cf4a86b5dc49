#include "net/tcp_wire.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace qs::net::wire {
namespace {

constexpr char kMagic[8] = {'Q', 'S', 'E', 'N', 'G', 'I', 'N', '1'};

void put_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
uint32_t get_be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]); }

int ms_until(Clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 1 << 30));
}

void write_handshake_message(int fd, const std::vector<uint8_t>& m) {
  std::vector<uint8_t> frame(kLengthLen + m.size());
  put_be32(frame.data(), static_cast<uint32_t>(m.size()));
  std::memcpy(frame.data() + kLengthLen, m.data(), m.size());
  write_all(fd, frame.data(), frame.size());
}

std::vector<uint8_t> read_handshake_message(int fd, Clock::time_point deadline) {
  uint8_t len[kLengthLen];
  read_exact(fd, len, sizeof len, deadline);
  const uint32_t n = get_be32(len);
  if (n > 1024) throw noise::HandshakeError("a handshake message announced " + std::to_string(n) + " bytes");
  std::vector<uint8_t> m(n);
  read_exact(fd, m.data(), n, deadline);
  return m;
}

}  // namespace

std::vector<uint8_t> preamble(int parties, int dialer, int listener) {
  std::vector<uint8_t> p(kPreambleLen);
  std::memcpy(p.data(), kMagic, sizeof kMagic);
  put_be32(p.data() + 8, static_cast<uint32_t>(parties));
  put_be32(p.data() + 12, static_cast<uint32_t>(dialer));
  put_be32(p.data() + 16, static_cast<uint32_t>(listener));
  return p;
}

bool parse_preamble(const uint8_t* bytes, PreambleFields& out) {
  if (std::memcmp(bytes, kMagic, sizeof kMagic) != 0) return false;
  out.parties = static_cast<int>(get_be32(bytes + 8));
  out.dialer = static_cast<int>(get_be32(bytes + 12));
  out.listener = static_cast<int>(get_be32(bytes + 16));
  return true;
}

std::vector<uint8_t> seal_frame(noise::CipherState& cipher, const uint8_t* plaintext, size_t len) {
  std::vector<uint8_t> f(kLengthLen + len + noise::kTagLen);
  put_be32(f.data(), static_cast<uint32_t>(len + noise::kTagLen));
  cipher.encrypt_detached(nullptr, 0, plaintext, len, f.data() + kLengthLen, f.data() + kLengthLen + len);
  return f;
}

std::vector<uint8_t> seal_message(noise::CipherState& cipher, const Bytes& message) {
  uint8_t header[kHeaderLen];
  for (size_t i = 0; i < kHeaderLen; ++i) header[i] = static_cast<uint8_t>(uint64_t(message.size()) >> (8 * i));
  std::vector<uint8_t> out = seal_frame(cipher, header, sizeof header);
  for (size_t off = 0; off < message.size(); off += noise::kMaxPlaintext) {
    auto f = seal_frame(cipher, message.data() + off, std::min(noise::kMaxPlaintext, message.size() - off));
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

void tune_socket(int fd, int buffer_bytes) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (buffer_bytes > 0) {
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
  }
}

int dial_once(const std::string& host, int port, Clock::time_point deadline, int buffer_bytes, std::string& why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    why = "cannot resolve " + host + ": " + gai_strerror(rc);
    return -1;
  }
  int result = -1;
  for (addrinfo* a = found; a && result < 0; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    tune_socket(fd, buffer_bytes);  // before connect, so the window scale covers the buffer
    const int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int err = 0;
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        const int ready = poll(&p, 1, std::min(ms_until(deadline), 2000));
        if (ready <= 0) {
          err = ETIMEDOUT;
        } else {
          socklen_t len = sizeof err;
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        }
      }
    }
    if (err == 0) {
      fcntl(fd, F_SETFL, flags);
      result = fd;
    } else {
      why = "connect to " + host + ":" + std::to_string(port) + ": " + std::strerror(err);
      ::close(fd);
    }
  }
  freeaddrinfo(found);
  return result;
}

void write_all(int fd, const uint8_t* data, size_t len) {
  while (len) {
    const ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SocketError(std::string("sending failed: ") + std::strerror(errno));
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
}

void read_exact(int fd, uint8_t* data, size_t n, Clock::time_point deadline) {
  while (n) {
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, ms_until(deadline));
    if (ready == 0) throw SocketError("timed out");
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw SocketError(std::string("poll: ") + std::strerror(errno));
    }
    const ssize_t got = ::recv(fd, data, n, 0);
    if (got == 0) throw SocketError("the peer closed the connection");
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw SocketError(std::string("receiving failed: ") + std::strerror(errno));
    }
    data += got;
    n -= static_cast<size_t>(got);
  }
}

Session handshake_as_dialer(int fd, int parties, int me, int peer, const noise::KeyPair& key, const noise::Key& peer_pub, Clock::time_point deadline) {
  const auto pre = preamble(parties, me, peer);
  write_all(fd, pre.data(), pre.size());
  noise::HandshakeKK hs(true, key, peer_pub, pre);
  write_handshake_message(fd, hs.write_message({}));
  std::vector<uint8_t> reply;
  try {
    reply = read_handshake_message(fd, deadline);
  } catch (const SocketError& e) {
    // KK gives the listener no way to answer a dialer it cannot authenticate but to hang up.
    if (std::string(e.what()).find("closed") != std::string::npos) {
      throw noise::HandshakeError("the peer does not hold the expected key, or does not accept this party's (it hung up after the first handshake message)");
    }
    throw;
  }
  hs.read_message(reply.data(), reply.size());
  auto [send, recv] = hs.split();
  return Session{send, recv, hs.handshake_hash()};
}

Session handshake_as_listener(int fd, const std::vector<uint8_t>& preamble_bytes, const noise::KeyPair& key, const noise::Key& peer_pub,
                              Clock::time_point deadline) {
  noise::HandshakeKK hs(false, key, peer_pub, preamble_bytes);
  const auto first = read_handshake_message(fd, deadline);
  hs.read_message(first.data(), first.size());
  write_handshake_message(fd, hs.write_message({}));
  auto [send, recv] = hs.split();
  return Session{send, recv, hs.handshake_hash()};
}

}  // namespace qs::net::wire
