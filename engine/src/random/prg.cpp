#include "random/prg.hpp"

#include <immintrin.h>
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

constexpr size_t kChunkBlocks = 1024;  // 16 KiB of keystream at a time stays in L1/L2 while combined

bool has_vaes() {
  static const bool v = __builtin_cpu_supports("vaes") && __builtin_cpu_supports("avx2");
  return v;
}

__attribute__((target("aes,sse4.1"))) void aes128_expand(const uint8_t* key, __m128i rk[11]) {
  rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  auto step = [](__m128i k, __m128i t) {
    t = _mm_shuffle_epi32(t, 0xff);
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    return _mm_xor_si128(k, t);
  };
  rk[1] = step(rk[0], _mm_aeskeygenassist_si128(rk[0], 0x01));
  rk[2] = step(rk[1], _mm_aeskeygenassist_si128(rk[1], 0x02));
  rk[3] = step(rk[2], _mm_aeskeygenassist_si128(rk[2], 0x04));
  rk[4] = step(rk[3], _mm_aeskeygenassist_si128(rk[3], 0x08));
  rk[5] = step(rk[4], _mm_aeskeygenassist_si128(rk[4], 0x10));
  rk[6] = step(rk[5], _mm_aeskeygenassist_si128(rk[5], 0x20));
  rk[7] = step(rk[6], _mm_aeskeygenassist_si128(rk[6], 0x40));
  rk[8] = step(rk[7], _mm_aeskeygenassist_si128(rk[7], 0x80));
  rk[9] = step(rk[8], _mm_aeskeygenassist_si128(rk[8], 0x1b));
  rk[10] = step(rk[9], _mm_aeskeygenassist_si128(rk[9], 0x36));
}

// Counter block i of call c: the 128-bit little-endian integer c * 2^64 + i.
__attribute__((target("aes,sse4.1"))) void aes128_ctr(const uint8_t* schedule, uint64_t call, uint64_t first, size_t blocks, uint8_t* out) {
  __m128i rk[11];
  for (int r = 0; r < 11; ++r) rk[r] = _mm_load_si128(reinterpret_cast<const __m128i*>(schedule) + r);
  size_t b = 0;
  for (; b + 8 <= blocks; b += 8) {
    __m128i x[8];
    for (int i = 0; i < 8; ++i) x[i] = _mm_xor_si128(_mm_set_epi64x(static_cast<long long>(call), static_cast<long long>(first + b + i)), rk[0]);
    for (int r = 1; r < 10; ++r)
      for (int i = 0; i < 8; ++i) x[i] = _mm_aesenc_si128(x[i], rk[r]);
    for (int i = 0; i < 8; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * (b + i)), _mm_aesenclast_si128(x[i], rk[10]));
  }
  for (; b < blocks; ++b) {
    __m128i x = _mm_xor_si128(_mm_set_epi64x(static_cast<long long>(call), static_cast<long long>(first + b)), rk[0]);
    for (int r = 1; r < 10; ++r) x = _mm_aesenc_si128(x, rk[r]);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * b), _mm_aesenclast_si128(x, rk[10]));
  }
}

// The same keystream, two blocks per instruction (VAES on 256-bit registers).
__attribute__((target("vaes,avx2,aes"))) void aes128_ctr_vaes(const uint8_t* schedule, uint64_t call, uint64_t first, size_t blocks, uint8_t* out) {
  __m256i rk[11];
  for (int r = 0; r < 11; ++r) rk[r] = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(schedule) + r));
  const long long c = static_cast<long long>(call);
  __m256i ctr = _mm256_set_epi64x(c, static_cast<long long>(first + 1), c, static_cast<long long>(first));
  const __m256i two = _mm256_set_epi64x(0, 2, 0, 2);
  size_t b = 0;
  for (; b + 16 <= blocks; b += 16) {
    __m256i x[8];
    for (int i = 0; i < 8; ++i) {
      x[i] = _mm256_xor_si256(ctr, rk[0]);
      ctr = _mm256_add_epi64(ctr, two);
    }
    for (int r = 1; r < 10; ++r)
      for (int i = 0; i < 8; ++i) x[i] = _mm256_aesenc_epi128(x[i], rk[r]);
    for (int i = 0; i < 8; ++i) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 16 * (b + 2 * i)), _mm256_aesenclast_epi128(x[i], rk[10]));
  }
  if (b < blocks) aes128_ctr(schedule, call, first + b, blocks - b, out + 16 * b);
}
}  // namespace

Key fresh_key() {
  ensure_sodium();
  Key k;
  randombytes_buf(k.data(), k.size());
  return k;
}

Cipher local_cipher() {
  static const Cipher c = __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1") ? Cipher::aes128_ctr : Cipher::chacha20;
  return c;
}

Prg::Prg(const Key& key, Cipher cipher) : key_(key), cipher_(cipher) {
  ensure_sodium();
  if (cipher_ == Cipher::aes128_ctr) {
    if (local_cipher() != Cipher::aes128_ctr) throw std::runtime_error("AES-CTR PRG on a CPU without AES-NI");
    __m128i rk[11];
    aes128_expand(key_.data(), rk);
    std::memcpy(round_keys_.data(), rk, sizeof rk);
  }
}

void Prg::stream(uint64_t call, uint64_t first, size_t blocks, uint8_t* out) const {
  if (cipher_ == Cipher::aes128_ctr) {
    if (has_vaes()) aes128_ctr_vaes(round_keys_.data(), call, first, blocks, out);
    else aes128_ctr(round_keys_.data(), call, first, blocks, out);
    return;
  }
  // ChaCha20 blocks are 64 bytes = four 16-byte blocks; start at the ChaCha block that holds `first`.
  uint8_t nonce[12] = {0};
  std::memcpy(nonce, &call, sizeof call);
  const size_t skip = first % 4;
  if (skip == 0) {
    std::memset(out, 0, blocks * 16);
    crypto_stream_chacha20_ietf_xor_ic(out, out, blocks * 16, nonce, static_cast<uint32_t>(first / 4), key_.data());
    return;
  }
  std::vector<uint8_t> tmp((skip + blocks) * 16, 0);
  crypto_stream_chacha20_ietf_xor_ic(tmp.data(), tmp.data(), tmp.size(), nonce, static_cast<uint32_t>(first / 4), key_.data());
  std::memcpy(out, tmp.data() + skip * 16, blocks * 16);
}

void Prg::fill(uint32_t* out, size_t n) {
  if (n == 0) return;
  const uint64_t call = calls_++;
  const size_t whole = n / 4;
  stream(call, 0, whole, reinterpret_cast<uint8_t*>(out));
  if (n % 4) {
    alignas(16) uint8_t last[16];
    stream(call, whole, 1, last);
    std::memcpy(out + whole * 4, last, (n % 4) * 4);
  }
}

template <typename Combine>
void Prg::combine(uint32_t* out, size_t n, Combine f) {
  if (n == 0) return;
  const uint64_t call = calls_++;
  alignas(64) uint32_t buf[kChunkBlocks * 4];
  for (size_t off = 0; off < n; off += kChunkBlocks * 4) {
    const size_t m = n - off < kChunkBlocks * 4 ? n - off : kChunkBlocks * 4;
    stream(call, off / 4, (m + 3) / 4, reinterpret_cast<uint8_t*>(buf));
    for (size_t e = 0; e < m; ++e) out[off + e] = f(out[off + e], buf[e]);
  }
}

void Prg::xor_into(uint32_t* out, size_t n) {
  combine(out, n, [](uint32_t a, uint32_t b) { return a ^ b; });
}
void Prg::add_into(uint32_t* out, size_t n) {
  combine(out, n, [](uint32_t a, uint32_t b) { return a + b; });
}
void Prg::sub_into(uint32_t* out, size_t n) {
  combine(out, n, [](uint32_t a, uint32_t b) { return a - b; });
}

std::vector<uint32_t> Prg::permutation(size_t n) {
  std::vector<uint32_t> p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint32_t>(i);
  if (n < 2) return p;
  // Lemire's nearly-divisionless bounded draw on 64-bit products; rejections are rare, so draw words
  // in batches and refill (a new call, at every holder alike) when a batch runs out.
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
