// Pseudorandom streams for correlated randomness: ChaCha20 (RFC 8439 / libsodium
// crypto_stream_chacha20_ietf) keyed by a 32-byte key that two or more parties agreed on at start
// (random/keys.hpp). Parties that hold the same key and make the same calls in the same order get the
// same words: that is how the replicated protocols make zero-sharings, random sharings and shared
// permutations without messages (Araki et al., CCS 2016, §2.2 "correlated randomness").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qs::random {

using Key = std::array<uint8_t, 32>;

/** A fresh key from the operating system's CSPRNG (libsodium randombytes). */
Key fresh_key();

class Prg {
 public:
  Prg() = default;
  explicit Prg(const Key& key) : key_(key) {}

  /**
   * Writes n pseudorandom 32-bit words. Every call draws a fresh 96-bit nonce (a counter), so calls of
   * different sizes never overlap and both holders of the key stay in step as long as they make the same
   * calls.
   */
  void fill(uint32_t* out, size_t n);
  std::vector<uint32_t> words(size_t n) {
    std::vector<uint32_t> w(n);
    fill(w.data(), n);
    return w;
  }
  /** XORs (or adds, mod 2^32) n pseudorandom words into out, without a temporary. */
  void xor_into(uint32_t* out, size_t n);
  void add_into(uint32_t* out, size_t n);
  void sub_into(uint32_t* out, size_t n);

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates, unbiased bounded draws). */
  std::vector<uint32_t> permutation(size_t n);

  const Key& key() const { return key_; }

 private:
  void next_nonce(uint8_t nonce[12]);
  Key key_{};
  uint64_t calls_ = 0;
};

}  // namespace qs::random
