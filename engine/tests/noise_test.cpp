// Noise_KK_25519_ChaChaPoly_SHA256 (Noise revision 34, §7.5) against fixed vectors made with an independent
// implementation (the Python package noiseprotocol 0.3.1, same keys, ephemerals and prologue), plus the
// handshake's refusals and the key file format.
#include <cstring>
#include <string>

#include "check.hpp"
#include "net/keys.hpp"
#include "net/noise.hpp"
#include "net/tcp_wire.hpp"

using namespace qs::net;

namespace {

std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}
std::string hex(const std::vector<uint8_t>& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}
noise::KeyPair pair_of(uint8_t first) {
  noise::KeyPair kp;
  for (int i = 0; i < 32; ++i) kp.secret[i] = static_cast<uint8_t>(first + i);
  kp.pub = noise::public_key(kp.secret);
  return kp;
}
std::vector<uint8_t> seal(noise::CipherState& c, const std::string& text) {
  std::vector<uint8_t> out(text.size() + noise::kTagLen);
  c.encrypt_detached(nullptr, 0, reinterpret_cast<const uint8_t*>(text.data()), text.size(), out.data(), out.data() + text.size());
  return out;
}

void known_vectors() {
  const auto si = pair_of(1), sr = pair_of(33), ei = pair_of(65), er = pair_of(97);
  CHECK(to_hex(si.pub) == "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c");
  const auto prologue = wire::preamble(3, 2, 0);
  noise::HandshakeKK init(true, si, sr.pub, prologue), resp(false, sr, si.pub, prologue);
  init.set_ephemeral(ei);
  resp.set_ephemeral(er);
  const auto m1 = init.write_message({});
  CHECK(hex(m1) == "64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d484668eff1fc51a0746262fa151cb7295b6a7");
  resp.read_message(m1.data(), m1.size());
  const auto m2 = resp.write_message({});
  CHECK(hex(m2) == "244fe3b963e899dd295baffce248d3530f3a9a7479ba063002680ebfe7adad49d1458389ce6588956809d10d4daa3219");
  init.read_message(m2.data(), m2.size());
  CHECK(init.finished() && resp.finished());
  CHECK(hex({init.handshake_hash().begin(), init.handshake_hash().end()}) == "d25240b2c6e94ebd436ff332acf567655a38c38f8259ccc0914d50765cafdb50");
  auto [isend, irecv] = init.split();
  auto [rsend, rrecv] = resp.split();
  // Transport messages: nonces 0, 1 from the initiator, 0 from the responder (§5.1, nonce layout §12.3).
  CHECK(hex(seal(isend, "hello")) == "2ca8046190f6d80caa26fcfabc293e1e10be50a9fc");
  CHECK(hex(seal(isend, "")) == "7b73698893c23dea23b76011406a5728");
  CHECK(hex(seal(rsend, "world")) == "0e7dd71097058f2d836206e6326d17707aacf118f9");
  // And the receiving sides open them, in order only.
  auto c1 = unhex("2ca8046190f6d80caa26fcfabc293e1e10be50a9fc");
  auto c2 = unhex("7b73698893c23dea23b76011406a5728");
  uint8_t out[5];
  CHECK(!rrecv.decrypt_detached(nullptr, 0, c2.data(), 0, c2.data(), out));  // reordered: nonce 1 first
  CHECK(rrecv.decrypt_detached(nullptr, 0, c1.data(), 5, c1.data() + 5, out) && std::memcmp(out, "hello", 5) == 0);
  CHECK(!rrecv.decrypt_detached(nullptr, 0, c1.data(), 5, c1.data() + 5, out));  // replayed
  CHECK(rrecv.decrypt_detached(nullptr, 0, c2.data(), 0, c2.data(), out));
  auto c3 = unhex("0e7dd71097058f2d836206e6326d17707aacf118f9");
  c3[2] ^= 1;
  CHECK(!irecv.decrypt_detached(nullptr, 0, c3.data(), 5, c3.data() + 5, out));  // modified
}

bool refused(const noise::KeyPair& si, const noise::Key& expected_by_init, const noise::KeyPair& sr, const noise::Key& expected_by_resp,
             const std::vector<uint8_t>& pi, const std::vector<uint8_t>& pr, std::string& why) {
  noise::HandshakeKK init(true, si, expected_by_init, pi), resp(false, sr, expected_by_resp, pr);
  try {
    auto m1 = init.write_message({});
    resp.read_message(m1.data(), m1.size());
    auto m2 = resp.write_message({});
    init.read_message(m2.data(), m2.size());
  } catch (const noise::HandshakeError& e) {
    why = e.what();
    return true;
  }
  return false;
}

void refusals() {
  const auto a = pair_of(1), b = pair_of(33), mallory = pair_of(150);
  const auto pro = wire::preamble(3, 1, 0);
  std::string why;
  CHECK(!refused(a, b.pub, b, a.pub, pro, pro, why));
  // The dialer holds another key than the listener expects (KK: it cannot pass "ss").
  CHECK(refused(mallory, b.pub, b, a.pub, pro, pro, why));
  CHECK(why == "the peer does not hold the expected key");
  // The dialer expects another listener key.
  CHECK(refused(a, mallory.pub, b, a.pub, pro, pro, why));
  // The clear preamble (prologue) was changed in flight.
  CHECK(refused(a, b.pub, b, a.pub, pro, wire::preamble(3, 2, 0), why));
  // A low-order public key is refused (§12.1).
  noise::Key zero{};
  CHECK(refused(a, zero, b, a.pub, pro, pro, why));
}

void key_files() {
  // RFC 7748 §6.1: Alice's key pair.
  const std::string prefix = "302e020100300506032b656e04220420";
  const auto der = unhex(prefix + "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const auto kp = parse_pkcs8_x25519(std::string(der.begin(), der.end()), "k");
  CHECK(to_hex(kp.pub) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(key_from_hex(to_hex(kp.pub)) == kp.pub);
  auto refuses = [](const std::vector<uint8_t>& bytes, const std::string& expect) {
    try {
      parse_pkcs8_x25519(std::string(bytes.begin(), bytes.end()), "the key file k");
    } catch (const std::exception& e) {
      return std::string(e.what()).find(expect) != std::string::npos;
    }
    return false;
  };
  CHECK(refuses(std::vector<uint8_t>(der.begin(), der.end() - 1), "has 47 bytes"));
  auto ed25519 = der;
  ed25519[11] = 0x70;  // OID 1.3.101.112 (Ed25519)
  CHECK(refuses(ed25519, "another algorithm"));
  const std::string pem = "-----BEGIN PRIVATE KEY-----\n";
  CHECK(refuses(std::vector<uint8_t>(pem.begin(), pem.end()), "is PEM"));
  bool bad_hex = false;
  try {
    key_from_hex("zz");
  } catch (const std::exception&) {
    bad_hex = true;
  }
  CHECK(bad_hex);
}

}  // namespace

int main() {
  known_vectors();
  refusals();
  key_files();
  return qs_test::finish();
}
