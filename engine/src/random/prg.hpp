// Pseudorandom streams for correlated randomness, keyed by a 32-byte key that two or more parties agreed
// on at start (random/keys.hpp). Parties that hold the same key and make the same calls in the same order
// get the same words: that is how the replicated protocols make zero-sharings, random sharings and shared
// permutations without messages (Araki et al., CCS 2016, §2.2 "correlated randomness").
//
// Two stream ciphers, the same for every party of a run (agreed with the keys):
//  - AES-128 in counter mode with AES-NI (VAES when the CPU has it): the key's first 16 bytes; counter
//    block = (call number, block number). About 2.4x ChaCha20 here (bench/primitives: prg_gb_s).
//  - ChaCha20 (RFC 8439, libsodium crypto_stream_chacha20_ietf): nonce = call number, when any party's
//    CPU lacks AES-NI.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qs::random {

using Key = std::array<uint8_t, 32>;

/** A fresh key from the operating system's CSPRNG (libsodium randombytes). */
Key fresh_key();

enum class Cipher : uint8_t { chacha20 = 0, aes128_ctr = 1 };
/** The best cipher this CPU can run (AES-CTR with AES-NI, else ChaCha20). */
Cipher local_cipher();

class Prg {
 public:
  Prg() = default;
  Prg(const Key& key, Cipher cipher);
  explicit Prg(const Key& key) : Prg(key, Cipher::chacha20) {}

  /**
   * Writes n pseudorandom 32-bit words. Every call uses a fresh nonce (the call number), so calls of
   * different sizes never overlap and the holders of a key stay in step as long as they make the same
   * calls.
   */
  void fill(uint32_t* out, size_t n);
  std::vector<uint32_t> words(size_t n) {
    std::vector<uint32_t> w(n);
    fill(w.data(), n);
    return w;
  }
  /** XORs (adds, subtracts, mod 2^32) the n words of one call into out, without a temporary vector. */
  void xor_into(uint32_t* out, size_t n);
  void add_into(uint32_t* out, size_t n);
  void sub_into(uint32_t* out, size_t n);

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates, unbiased bounded draws). */
  std::vector<uint32_t> permutation(size_t n);

  const Key& key() const { return key_; }
  Cipher cipher() const { return cipher_; }

 private:
  // Keystream of call `call`, 16-byte blocks [first, first + blocks), into out.
  void stream(uint64_t call, uint64_t first, size_t blocks, uint8_t* out) const;
  template <typename Combine>
  void combine(uint32_t* out, size_t n, Combine f);

  Key key_{};
  Cipher cipher_ = Cipher::chacha20;
  alignas(16) std::array<uint8_t, 176> round_keys_{};  // AES-128 key schedule
  uint64_t calls_ = 0;
};

}  // namespace qs::random
