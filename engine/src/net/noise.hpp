// The Noise Protocol Framework, revision 34 (Trevor Perrin, 2018-07-11, https://noiseprotocol.org/noise.html),
// the one pattern the engine's links use: Noise_KK_25519_ChaChaPoly_SHA256 (§7.5 KK: both parties know each
// other's static key beforehand; §5 the processing rules; §12.1 25519, §12.3 ChaChaPoly, §12.5 SHA256).
// Built on libsodium: X25519 crypto_scalarmult, IETF ChaCha20-Poly1305, HMAC-SHA256 for HKDF (§4.3).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace qs::net::noise {

constexpr size_t kDhLen = 32;           // §12.1
constexpr size_t kHashLen = 32;         // §12.5
constexpr size_t kTagLen = 16;          // §12.3: the AEAD's authentication tag
constexpr size_t kMaxMessage = 65535;   // §3: a Noise message is at most 65535 bytes, tag included
constexpr size_t kMaxPlaintext = kMaxMessage - kTagLen;

using Key = std::array<uint8_t, 32>;
using Hash = std::array<uint8_t, kHashLen>;

struct KeyPair {
  Key secret{}, pub{};
};

/** A handshake that cannot go on: wrong key, tampered handshake message, invalid public key. */
class HandshakeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/** The public key of an X25519 secret (libsodium clamps the scalar, as RFC 7748 and OpenSSL do). */
Key public_key(const Key& secret);
/** A fresh key pair from libsodium's CSPRNG (§4.1 GENERATE_KEYPAIR). */
KeyPair generate_keypair();

/** §5.1 CipherState: a key and a 64-bit counter nonce, ChaChaPoly with the nonce of §12.3. */
class CipherState {
 public:
  void initialize_key(const Key& k) { k_ = k; n_ = 0; has_key_ = true; }
  bool has_key() const { return has_key_; }
  uint64_t nonce() const { return n_; }
  /**
   * ENCRYPT(k, n, ad, plaintext) then n += 1; `out` may equal `in` (in place); the tag goes to `tag`.
   * Throws std::runtime_error when the counter is exhausted (2^64 - 1 is reserved, §5.1).
   */
  void encrypt_detached(const uint8_t* ad, size_t ad_len, const uint8_t* in, size_t len, uint8_t* out, uint8_t* tag);
  /** DECRYPT; false (and n unchanged, as §5.1 says) when authentication fails. `out` may equal `in`. */
  bool decrypt_detached(const uint8_t* ad, size_t ad_len, const uint8_t* in, size_t len, const uint8_t* tag, uint8_t* out);

 private:
  Key k_{};
  uint64_t n_ = 0;
  bool has_key_ = false;
};

/** §5.2 SymmetricState. */
class SymmetricState {
 public:
  explicit SymmetricState(const std::string& protocol_name);
  void mix_key(const uint8_t* ikm, size_t len);
  void mix_hash(const uint8_t* data, size_t len);
  /** EncryptAndHash: ciphertext = plaintext (+ tag once a key is set), appended to `out`. */
  void encrypt_and_hash(const std::vector<uint8_t>& plaintext, std::vector<uint8_t>& out);
  /** DecryptAndHash; throws HandshakeError when authentication fails. */
  std::vector<uint8_t> decrypt_and_hash(const uint8_t* ciphertext, size_t len);
  /** Split(): the initiator's sending cipher first, then the responder's. */
  std::pair<CipherState, CipherState> split();
  const Hash& handshake_hash() const { return h_; }
  bool has_key() const { return cipher_.has_key(); }

 private:
  Hash ck_{}, h_{};
  CipherState cipher_;
};

/**
 * §5.3 HandshakeState for KK (§7.5):
 *   -> s
 *   <- s
 *   ...
 *   -> e, es, ss
 *   <- e, ee, se
 * The initiator (here: the party that dials) writes the first message. Two messages, then split().
 */
class HandshakeKK {
 public:
  static constexpr const char* kProtocolName = "Noise_KK_25519_ChaChaPoly_SHA256";

  HandshakeKK(bool initiator, const KeyPair& s, const Key& rs, const std::vector<uint8_t>& prologue);
  /** Test hook: a fixed ephemeral key instead of a fresh one (§5.3 allows a pre-set e). */
  void set_ephemeral(const KeyPair& e) { e_ = e; fixed_e_ = true; }
  std::vector<uint8_t> write_message(const std::vector<uint8_t>& payload);
  /** Throws HandshakeError when the message does not authenticate: the peer holds another static key,
   *  expects another key of ours, used another prologue, or the message was modified. */
  std::vector<uint8_t> read_message(const uint8_t* message, size_t len);
  bool finished() const { return step_ == 2; }
  /** After the two messages: {sending cipher, receiving cipher} of this side. */
  std::pair<CipherState, CipherState> split();
  const Hash& handshake_hash() const { return ss_.handshake_hash(); }

 private:
  Key dh(const Key& secret, const Key& pub) const;
  bool initiator_;
  KeyPair s_, e_;
  Key rs_{}, re_{};
  bool fixed_e_ = false;
  int step_ = 0;
  SymmetricState ss_;
};

/** HKDF of §4.3 with HMAC-SHA256 (libsodium crypto_auth_hmacsha256), two outputs. */
std::pair<Hash, Hash> hkdf2(const Hash& chaining_key, const uint8_t* ikm, size_t ikm_len);

}  // namespace qs::net::noise
