// Noise revision 34, Noise_KK_25519_ChaChaPoly_SHA256: see noise.hpp. Section numbers are the spec's.
#include "net/noise.hpp"

#include <sodium.h>

#include <cstring>

namespace qs::net::noise {
namespace {

void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

/** §12.3: the 96-bit nonce is 32 bits of zeros followed by the little-endian encoding of n. */
std::array<uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce_bytes(uint64_t n) {
  std::array<uint8_t, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(n >> (8 * i));
  return nonce;
}

Hash hmac(const Hash& key, const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  if (a_len) crypto_auth_hmacsha256_update(&st, a, a_len);
  if (b_len) crypto_auth_hmacsha256_update(&st, b, b_len);
  Hash out;
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  return out;
}

}  // namespace

Key public_key(const Key& secret) {
  ensure_sodium();
  Key pub;
  if (crypto_scalarmult_base(pub.data(), secret.data()) != 0) throw std::runtime_error("X25519: cannot derive the public key");
  return pub;
}

KeyPair generate_keypair() {
  ensure_sodium();
  KeyPair kp;
  randombytes_buf(kp.secret.data(), kp.secret.size());
  kp.pub = public_key(kp.secret);
  return kp;
}

std::pair<Hash, Hash> hkdf2(const Hash& chaining_key, const uint8_t* ikm, size_t ikm_len) {
  // §4.3: temp_key = HMAC(ck, ikm); output1 = HMAC(temp_key, 0x01); output2 = HMAC(temp_key, output1 || 0x02).
  const Hash temp = hmac(chaining_key, ikm, ikm_len, nullptr, 0);
  const uint8_t one = 0x01, two = 0x02;
  const Hash out1 = hmac(temp, &one, 1, nullptr, 0);
  const Hash out2 = hmac(temp, out1.data(), out1.size(), &two, 1);
  return {out1, out2};
}

void CipherState::encrypt_detached(const uint8_t* ad, size_t ad_len, const uint8_t* in, size_t len, uint8_t* out, uint8_t* tag) {
  if (n_ == UINT64_MAX) throw std::runtime_error("Noise: the nonce counter is exhausted (rekey needed)");  // §5.1
  const auto nonce = nonce_bytes(n_);
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(out, tag, nullptr, in, len, ad, ad_len, nullptr, nonce.data(), k_.data());
  ++n_;
}

bool CipherState::decrypt_detached(const uint8_t* ad, size_t ad_len, const uint8_t* in, size_t len, const uint8_t* tag, uint8_t* out) {
  if (n_ == UINT64_MAX) return false;
  const auto nonce = nonce_bytes(n_);
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(out, nullptr, in, len, tag, ad, ad_len, nonce.data(), k_.data()) != 0) return false;
  ++n_;
  return true;
}

SymmetricState::SymmetricState(const std::string& protocol_name) {
  ensure_sodium();
  // §5.2 InitializeSymmetric: a name of at most HASHLEN bytes is padded with zeros, a longer one hashed.
  if (protocol_name.size() <= kHashLen) {
    h_.fill(0);
    std::memcpy(h_.data(), protocol_name.data(), protocol_name.size());
  } else {
    crypto_hash_sha256(h_.data(), reinterpret_cast<const uint8_t*>(protocol_name.data()), protocol_name.size());
  }
  ck_ = h_;
}

void SymmetricState::mix_key(const uint8_t* ikm, size_t len) {
  auto [ck, temp_k] = hkdf2(ck_, ikm, len);
  ck_ = ck;
  Key k;
  std::memcpy(k.data(), temp_k.data(), k.size());  // HASHLEN = 32 = key size: no truncation (§5.2)
  cipher_.initialize_key(k);
}

void SymmetricState::mix_hash(const uint8_t* data, size_t len) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, h_.data(), h_.size());
  if (len) crypto_hash_sha256_update(&st, data, len);
  crypto_hash_sha256_final(&st, h_.data());
}

void SymmetricState::encrypt_and_hash(const std::vector<uint8_t>& plaintext, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  if (!cipher_.has_key()) {
    out.insert(out.end(), plaintext.begin(), plaintext.end());
  } else {
    out.resize(start + plaintext.size() + kTagLen);
    cipher_.encrypt_detached(h_.data(), h_.size(), plaintext.data(), plaintext.size(), out.data() + start, out.data() + start + plaintext.size());
  }
  mix_hash(out.data() + start, out.size() - start);
}

std::vector<uint8_t> SymmetricState::decrypt_and_hash(const uint8_t* ciphertext, size_t len) {
  std::vector<uint8_t> plaintext;
  if (!cipher_.has_key()) {
    plaintext.assign(ciphertext, ciphertext + len);
  } else {
    if (len < kTagLen) throw HandshakeError("a handshake message is too short");
    plaintext.resize(len - kTagLen);
    if (!cipher_.decrypt_detached(h_.data(), h_.size(), ciphertext, len - kTagLen, ciphertext + len - kTagLen, plaintext.data())) {
      throw HandshakeError("the peer does not hold the expected key");
    }
  }
  mix_hash(ciphertext, len);
  return plaintext;
}

std::pair<CipherState, CipherState> SymmetricState::split() {
  auto [k1, k2] = hkdf2(ck_, nullptr, 0);  // §5.2 Split: HKDF(ck, zerolen, 2)
  CipherState c1, c2;
  Key a, b;
  std::memcpy(a.data(), k1.data(), a.size());
  std::memcpy(b.data(), k2.data(), b.size());
  c1.initialize_key(a);
  c2.initialize_key(b);
  sodium_memzero(ck_.data(), ck_.size());
  return {c1, c2};
}

HandshakeKK::HandshakeKK(bool initiator, const KeyPair& s, const Key& rs, const std::vector<uint8_t>& prologue)
    : initiator_(initiator), s_(s), rs_(rs), ss_(kProtocolName) {
  ss_.mix_hash(prologue.data(), prologue.size());
  // §7.5 KK pre-messages "-> s" then "<- s": the initiator's static key is hashed first (§5.3 Initialize).
  const Key& initiator_static = initiator ? s_.pub : rs_;
  const Key& responder_static = initiator ? rs_ : s_.pub;
  ss_.mix_hash(initiator_static.data(), initiator_static.size());
  ss_.mix_hash(responder_static.data(), responder_static.size());
}

Key HandshakeKK::dh(const Key& secret, const Key& pub) const {
  Key out;
  // §12.1: an invalid (low-order) public key gives the all-zero output; libsodium reports it, and we refuse it.
  if (crypto_scalarmult(out.data(), secret.data(), pub.data()) != 0) throw HandshakeError("the peer sent an invalid public key");
  return out;
}

std::vector<uint8_t> HandshakeKK::write_message(const std::vector<uint8_t>& payload) {
  const bool first = step_ == 0;
  if (step_ >= 2 || first != initiator_) throw std::logic_error("Noise KK: write_message out of turn");
  std::vector<uint8_t> out;
  // "e": a fresh ephemeral key, sent in clear and hashed.
  if (!fixed_e_) e_ = generate_keypair();
  out.insert(out.end(), e_.pub.begin(), e_.pub.end());
  ss_.mix_hash(e_.pub.data(), e_.pub.size());
  if (first) {
    // -> e, es, ss  (initiator: es = DH(e, rs), ss = DH(s, rs))
    Key es = dh(e_.secret, rs_), s2 = dh(s_.secret, rs_);
    ss_.mix_key(es.data(), es.size());
    ss_.mix_key(s2.data(), s2.size());
  } else {
    // <- e, ee, se  (responder: ee = DH(e, re), se = DH(e, rs))
    Key ee = dh(e_.secret, re_), se = dh(e_.secret, rs_);
    ss_.mix_key(ee.data(), ee.size());
    ss_.mix_key(se.data(), se.size());
  }
  ss_.encrypt_and_hash(payload, out);
  ++step_;
  return out;
}

std::vector<uint8_t> HandshakeKK::read_message(const uint8_t* message, size_t len) {
  const bool first = step_ == 0;
  if (step_ >= 2 || first == initiator_) throw std::logic_error("Noise KK: read_message out of turn");
  if (len < kDhLen + kTagLen) throw HandshakeError("a handshake message is too short (" + std::to_string(len) + " bytes)");
  std::memcpy(re_.data(), message, kDhLen);
  ss_.mix_hash(re_.data(), re_.size());
  if (first) {
    // responder reads -> e, es, ss: es = DH(s, re), ss = DH(s, rs)
    Key es = dh(s_.secret, re_), s2 = dh(s_.secret, rs_);
    ss_.mix_key(es.data(), es.size());
    ss_.mix_key(s2.data(), s2.size());
  } else {
    // initiator reads <- e, ee, se: ee = DH(e, re), se = DH(s, re)
    Key ee = dh(e_.secret, re_), se = dh(s_.secret, re_);
    ss_.mix_key(ee.data(), ee.size());
    ss_.mix_key(se.data(), se.size());
  }
  auto payload = ss_.decrypt_and_hash(message + kDhLen, len - kDhLen);
  ++step_;
  return payload;
}

std::pair<CipherState, CipherState> HandshakeKK::split() {
  if (step_ != 2) throw std::logic_error("Noise KK: split before the handshake finished");
  auto [c1, c2] = ss_.split();
  sodium_memzero(e_.secret.data(), e_.secret.size());
  // c1 encrypts the initiator's messages, c2 the responder's (§5.2 Split).
  return initiator_ ? std::make_pair(c1, c2) : std::make_pair(c2, c1);
}

}  // namespace qs::net::noise
