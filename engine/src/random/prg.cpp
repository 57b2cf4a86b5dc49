#include "random/prg.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace qs::random {

namespace {
struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium: sodium_init failed");
  }
};
void ensure_sodium() { static SodiumInit once; }

// Keystream in chunks: a chunk stays in L1/L2 while it is combined into the output.
constexpr size_t kChunkWords = 4096;  // 16 KiB
}  // namespace

Key fresh_key() {
  ensure_sodium();
  Key k;
  randombytes_buf(k.data(), k.size());
  return k;
}

void Prg::next_nonce(uint8_t nonce[12]) {
  std::memset(nonce, 0, 12);
  uint64_t c = calls_++;
  std::memcpy(nonce, &c, sizeof c);
}

// One call = one nonce; the 32-bit block counter of the IETF variant covers 2^32 * 64 bytes per call.
void Prg::fill(uint32_t* out, size_t n) {
  if (n == 0) return;
  ensure_sodium();
  uint8_t nonce[12];
  next_nonce(nonce);
  std::memset(out, 0, n * sizeof(uint32_t));
  crypto_stream_chacha20_ietf_xor_ic(reinterpret_cast<unsigned char*>(out), reinterpret_cast<const unsigned char*>(out),
                                     n * sizeof(uint32_t), nonce, 0, key_.data());
}

void Prg::xor_into(uint32_t* out, size_t n) {
  if (n == 0) return;
  ensure_sodium();
  uint8_t nonce[12];
  next_nonce(nonce);
  crypto_stream_chacha20_ietf_xor_ic(reinterpret_cast<unsigned char*>(out), reinterpret_cast<const unsigned char*>(out),
                                     n * sizeof(uint32_t), nonce, 0, key_.data());
}

void Prg::add_into(uint32_t* out, size_t n) {
  if (n == 0) return;
  ensure_sodium();
  uint8_t nonce[12];
  next_nonce(nonce);
  uint32_t buf[kChunkWords];
  uint32_t ic = 0;
  for (size_t off = 0; off < n; off += kChunkWords) {
    size_t m = n - off < kChunkWords ? n - off : kChunkWords;
    std::memset(buf, 0, m * sizeof(uint32_t));
    crypto_stream_chacha20_ietf_xor_ic(reinterpret_cast<unsigned char*>(buf), reinterpret_cast<const unsigned char*>(buf),
                                       m * sizeof(uint32_t), nonce, ic, key_.data());
    ic += static_cast<uint32_t>(kChunkWords * sizeof(uint32_t) / 64);
    for (size_t e = 0; e < m; ++e) out[off + e] += buf[e];
  }
}

void Prg::sub_into(uint32_t* out, size_t n) {
  if (n == 0) return;
  ensure_sodium();
  uint8_t nonce[12];
  next_nonce(nonce);
  uint32_t buf[kChunkWords];
  uint32_t ic = 0;
  for (size_t off = 0; off < n; off += kChunkWords) {
    size_t m = n - off < kChunkWords ? n - off : kChunkWords;
    std::memset(buf, 0, m * sizeof(uint32_t));
    crypto_stream_chacha20_ietf_xor_ic(reinterpret_cast<unsigned char*>(buf), reinterpret_cast<const unsigned char*>(buf),
                                       m * sizeof(uint32_t), nonce, ic, key_.data());
    ic += static_cast<uint32_t>(kChunkWords * sizeof(uint32_t) / 64);
    for (size_t e = 0; e < m; ++e) out[off + e] -= buf[e];
  }
}

std::vector<uint32_t> Prg::permutation(size_t n) {
  std::vector<uint32_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint32_t>(i);
  if (n < 2) return p;
  // Lemire's nearly-divisionless bounded draw on 64-bit products; rejections are rare, so draw words
  // in batches and refill when a batch runs out.
  std::vector<uint32_t> pool(n + 64);
  fill(pool.data(), pool.size());
  size_t next = 0;
  auto draw = [&]() {
    if (next == pool.size()) {
      fill(pool.data(), pool.size());
      next = 0;
    }
    return pool[next++];
  };
  for (size_t i = n - 1; i > 0; --i) {
    uint32_t bound = static_cast<uint32_t>(i + 1);
    uint64_t m = uint64_t(draw()) * bound;
    uint32_t low = static_cast<uint32_t>(m);
    if (low < bound) {
      uint32_t threshold = static_cast<uint32_t>(-bound) % bound;
      while (low < threshold) {
        m = uint64_t(draw()) * bound;
        low = static_cast<uint32_t>(m);
      }
    }
    std::swap(p[i], p[static_cast<size_t>(m >> 32)]);
  }
  return p;
}

}  // namespace qs::random
