#include "net/keys.hpp"

#include <sodium.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace qs::net {
namespace {

// PKCS#8 (RFC 5208) PrivateKeyInfo for id-X25519 (1.3.101.110, RFC 8410 §7), version 0, no attributes:
// SEQUENCE(46) { INTEGER 0, SEQUENCE(5) { OID 1.3.101.110 }, OCTET STRING(34) { OCTET STRING(32) secret } }
const unsigned char kPrefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20};

}  // namespace

noise::KeyPair parse_pkcs8_x25519(const std::string& der, const std::string& what) {
  const std::string expected = "an X25519 private key in PKCS#8 DER (48 bytes, as `openssl genpkey -algorithm X25519 -outform DER` writes)";
  if (der.rfind("-----BEGIN", 0) == 0) throw std::runtime_error(what + " is PEM, not DER: expected " + expected);
  if (der.size() != 48) throw std::runtime_error(what + " has " + std::to_string(der.size()) + " bytes: expected " + expected);
  if (std::memcmp(der.data(), kPrefix, sizeof kPrefix) != 0) {
    throw std::runtime_error(what + " is not " + expected + " (another algorithm or encoding: its first 16 bytes differ from 302e020100300506032b656e04220420)");
  }
  noise::KeyPair kp;
  std::memcpy(kp.secret.data(), der.data() + 16, 32);
  kp.pub = noise::public_key(kp.secret);
  return kp;
}

noise::KeyPair read_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the key file " + path);
  std::string der((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  noise::KeyPair kp = parse_pkcs8_x25519(der, "the key file " + path);
  sodium_memzero(&der[0], der.size());
  return kp;
}

std::string to_hex(const noise::Key& key) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : key) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

noise::Key key_from_hex(const std::string& hex) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error("'" + hex + "' is not a public key (64 hex digits)");
  };
  if (hex.size() != 64) throw std::runtime_error("'" + hex + "' is not a public key (64 hex digits)");
  noise::Key k;
  for (size_t i = 0; i < 32; ++i) k[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  return k;
}

}  // namespace qs::net
