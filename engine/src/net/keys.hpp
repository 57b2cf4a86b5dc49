// A party's keys: the X25519 secret key file that `openssl genpkey -algorithm X25519 -outform DER` writes on
// the party's host (it never leaves it), the public key derived from it, and hex as peers.txt carries it.
#pragma once

#include <string>

#include "net/noise.hpp"

namespace qs::net {

/**
 * Reads a 48-byte PKCS#8 DER X25519 private key (the fixed prefix 302e020100300506032b656e04220420 then
 * the 32-byte secret) and derives its public key. Throws std::runtime_error naming the file and what is
 * wrong with anything else (PEM, another algorithm, another length).
 */
noise::KeyPair read_key_file(const std::string& path);
/** Same, from the file's bytes. */
noise::KeyPair parse_pkcs8_x25519(const std::string& der, const std::string& what);

std::string to_hex(const noise::Key& key);
/** 64 hex digits (either case); throws std::runtime_error otherwise. */
noise::Key key_from_hex(const std::string& hex);

}  // namespace qs::net
