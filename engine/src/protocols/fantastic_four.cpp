#include "protocols/fantastic_four.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "protocols/wire.hpp"

namespace qs {

namespace {
constexpr int N = 4;
constexpr uint8_t kAbort = 0x80;
constexpr size_t kDigest = crypto_onetimeauth_BYTES;  // 16

int mod4(int v) { return ((v % N) + N) % N; }
std::string party_name(int p) { return "party " + std::to_string(p); }

void check_shape(const Shared& x, int k) {
  if (x.k() != k) throw std::invalid_argument("Fantastic Four: shares must have k = 3 local shares");
}
void check_shape(const Shared& x, const Shared& y) {
  check_shape(x, 3);
  check_shape(y, 3);
  if (x.size() != y.size()) throw std::invalid_argument("Fantastic Four: operands of " + std::to_string(x.size()) + " and " + std::to_string(y.size()) + " elements");
}
void permute(const uint32_t* in, uint32_t* out, const std::vector<uint32_t>& perm) {
  for (size_t e = 0; e < perm.size(); ++e) out[e] = in[perm[e]];
}

// One JMP value of a multiplication: the half [lo, hi) of cross term {a, b}; share u gets r = F(K_{-(u+1)}),
// share v gets c - r, which `receiver` (= u+1) gets from `sender`, vouched for by `hasher`.
struct MulStep {
  int a, b, u, v, receiver, sender, hasher;
  bool first_half;
};
std::vector<MulStep> mul_plan() {
  std::vector<MulStep> plan;
  for (int a = 0; a < N; ++a) {
    for (int b = a + 1; b < N; ++b) {
      int knowers[2], k = 0;
      for (int p = 0; p < N; ++p) if (p != mod4(a + 1) && p != mod4(b + 1)) knowers[k++] = p;
      for (int half = 0; half < 2; ++half) {
        MulStep s;
        s.a = a;
        s.b = b;
        s.u = half == 0 ? a : b;
        s.v = half == 0 ? b : a;
        s.receiver = mod4(s.u + 1);
        s.sender = knowers[half];
        s.hasher = knowers[1 - half];
        s.first_half = half == 0;
        plan.push_back(s);
      }
    }
  }
  return plan;
}
const std::vector<MulStep>& plan() {
  static const std::vector<MulStep> p = mul_plan();
  return p;
}
}  // namespace

std::vector<int> FantasticFour::mul_receivers(int sender) {
  std::vector<int> out;
  for (const auto& s : plan()) {
    if (s.sender == sender && std::find(out.begin(), out.end(), s.receiver) == out.end()) out.push_back(s.receiver);
  }
  return out;
}

FantasticFour::FantasticFour(net::Communicator& comm) : FantasticFour(comm, random::agree_keys_4pc(comm)) {}

FantasticFour::FantasticFour(net::Communicator& comm, random::Keys4 keys) : comm_(comm), party_(comm.party()), keys_(std::move(keys)) {
  if (comm.parties() != N) throw std::invalid_argument("Fantastic Four needs 4 parties, got " + std::to_string(comm.parties()));
  if (sodium_init() < 0) throw std::runtime_error("libsodium: sodium_init failed");
  reset_hashes();
}

// ---------------------------------------------------------------- messages, aborts, hashes

void FantasticFour::send_message(int to, net::Bytes message, bool jmp) {
  message.back() = static_cast<uint8_t>(send_seq_[to]++ & 0x7F);
  if (cheat_.kind != Cheat::Kind::none && cheat_.victim == to) {
    if (cheat_.kind == Cheat::Kind::drop_message) {
      cheat_.kind = Cheat::Kind::none;
      if (cheat_.after_drop) cheat_.after_drop(to);
      return;  // never sent; this link's sequence number has moved on, as it would on a real drop
    }
    if (cheat_.kind == Cheat::Kind::add_to_share && jmp && message.size() >= 5) {
      cheat_.kind = Cheat::Kind::none;
      wire::words(message)[0] += cheat_.delta;
    }
  }
  try {
    comm_.send(to, std::move(message));
  } catch (const net::LinkError& e) {
    // The link already failed. The peer may have stopped because it caught someone: its abort notice can
    // still be waiting, unread, on this link; it says more than "stopped".
    for (;;) {
      net::Bytes m;
      try {
        m = comm_.recv(to);
      } catch (const net::LinkError&) {
        break;
      }
      if (!m.empty() && (m.back() & kAbort)) on_notice(to, m);
    }
    // Otherwise the peer stopped or went silent (a real link's timeout): a deviation as far as this party
    // can tell.
    fail({to}, party_name(to) + " stopped answering " + party_name(party_) + " (" + e.what() + ")");
  }
}

// Abort notice: [reporter][count][accused...][text][trailer with the abort flag].
void FantasticFour::fail(const std::vector<int>& accused, const std::string& what) {
  // Tell everyone first, so that every honest party aborts at its next receive from this party.
  net::Bytes notice;
  notice.push_back(static_cast<uint8_t>(party_));
  notice.push_back(static_cast<uint8_t>(accused.size()));
  for (int a : accused) notice.push_back(static_cast<uint8_t>(a));
  notice.insert(notice.end(), what.begin(), what.end());
  notice.push_back(kAbort);
  relay(notice, -1);
  throw MaliciousError(what, accused);
}

void FantasticFour::relay(const net::Bytes& notice, int except) {
  for (int p = 0; p < N; ++p) {
    if (p == party_ || p == except) continue;
    try {
      comm_.send(p, notice);
    } catch (...) {
      // the link may be gone already; the others are told
    }
  }
}

void FantasticFour::on_notice(int from, const net::Bytes& m) {
  // Pass it on before stopping: a party waiting on this one must not wait for a message that will
  // never come (it would blame this party).
  relay(m, from);
  const size_t end = m.size() - 1;
  const int reporter = end > 0 ? m[0] : from;
  const size_t count = end > 1 ? m[1] : 0;
  std::vector<int> accused;
  for (size_t i = 0; i < count && 2 + i < end; ++i) accused.push_back(m[2 + i]);
  const size_t text_at = std::min(end, 2 + count);
  // The text comes from another party: keep it short and printable (it ends up in logs and job errors).
  std::string text;
  for (size_t i = text_at; i < end && text.size() < 300; ++i) text.push_back(m[i] >= 0x20 && m[i] < 0x7F ? static_cast<char>(m[i]) : '?');
  for (auto it = accused.begin(); it != accused.end();) it = *it >= N ? accused.erase(it) : it + 1;
  const std::string by = reporter == from ? party_name(from) : party_name(reporter) + ", relayed by " + party_name(from);
  throw MaliciousError(text + " (reported by " + by + ")", accused);
}

net::Bytes FantasticFour::recv_message(int from, size_t payload_bytes) {
  net::Bytes m;
  try {
    m = comm_.recv(from);
  } catch (const net::LinkError& e) {
    fail({from}, party_name(from) + " sent no message to " + party_name(party_) + " (" + e.what() + ")");
  }
  if (m.empty()) fail({from}, party_name(from) + " sent an empty message to " + party_name(party_));
  const uint8_t trailer = m.back();
  if (trailer & kAbort) on_notice(from, m);
  const uint8_t expected = recv_seq_[from] & 0x7F;
  if ((trailer & 0x7F) != expected) {
    fail({from}, party_name(from) + "'s message #" + std::to_string(expected) + " to " + party_name(party_) + " is missing (got #" + std::to_string(trailer & 0x7F) + ")");
  }
  ++recv_seq_[from];
  if (m.size() - 1 != payload_bytes) {
    fail({from}, party_name(from) + " sent " + std::to_string(m.size() - 1) + " bytes to " + party_name(party_) + ", expected " + std::to_string(payload_bytes));
  }
  return m;
}

void FantasticFour::hash_sent(int sender, int receiver, const uint32_t* w, size_t n) {
  crypto_onetimeauth_update(&vouch_[sender][receiver], reinterpret_cast<const unsigned char*>(w), n * 4);
}
void FantasticFour::hash_received(int sender, int hasher, const uint32_t* w, size_t n) {
  crypto_onetimeauth_update(&got_[sender][hasher], reinterpret_cast<const unsigned char*>(w), n * 4);
}

// The check value of the values s sends to r (vouched for by h) in JMP round `jmp_round_`: a Poly1305
// one-time MAC under a key derived from K_{-s}, the one group key the sender does not hold (h and r do).
// See the header for why this stands in for the paper's hash.
void FantasticFour::mac_key(int s, int h, int r, unsigned char key[crypto_onetimeauth_KEYBYTES]) const {
  unsigned char label[16] = {'q', 's', '-', 'f', '4', '-', 'j', 'm', 'p'};
  std::memcpy(label + 9, &jmp_round_, 4);
  label[13] = static_cast<unsigned char>(s);
  label[14] = static_cast<unsigned char>(h);
  label[15] = static_cast<unsigned char>(r);
  const auto& k = keys_.group[s].key();
  crypto_generichash(key, crypto_onetimeauth_KEYBYTES, label, sizeof label, k.data(), k.size());
}

void FantasticFour::reset_hashes() {
  unsigned char key[crypto_onetimeauth_KEYBYTES];
  for (int a = 0; a < N; ++a) {
    for (int b = 0; b < N; ++b) {
      if (a == b || a == party_ || b == party_) continue;
      mac_key(a, party_, b, key);  // a -> b, vouched for by this party
      crypto_onetimeauth_init(&vouch_[a][b], key);
      mac_key(a, b, party_, key);  // a -> this party, vouched for by b
      crypto_onetimeauth_init(&got_[a][b], key);
    }
  }
  sodium_memzero(key, sizeof key);
}

// One digest per round and per (sender, receiver) pair, so that verify() can tell which round first
// disagrees: a corrupted value, once accepted, makes later rounds disagree too (between honest parties),
// and only the first disagreement is sure to involve the cheater.
void FantasticFour::end_jmp_round() {
  for (int other = 0; other < N; ++other) {
    if (other == party_) continue;
    for (int s = 0; s < N; ++s) {
      if (s == other || s == party_) continue;
      unsigned char d[kDigest];
      crypto_onetimeauth_final(&vouch_[s][other], d);  // s -> other, vouched by this party
      vouch_log_[other].insert(vouch_log_[other].end(), d, d + kDigest);
      crypto_onetimeauth_final(&got_[s][other], d);  // s -> this party, vouched by other
      got_log_[other].insert(got_log_[other].end(), d, d + kDigest);
    }
  }
  ++jmp_round_;
  reset_hashes();
  ++pending_;
  ++rounds_;
}

// Pi_JMP's check: the check values of every JMP since the last check. Round 1: each party sends every other party r its
// digests (per round, per sender) of the values it vouches for towards r; r compares them with the
// digests of what it got and notes the first round that disagrees. Round 2: every party tells every other
// its verdict (content, or the first disagreement it saw); all take the earliest reported disagreement,
// so that a mismatch seen by one honest party stops all of them here, naming the same parties.
void FantasticFour::verify() {
  if (pending_ == 0) return;
  const size_t log_bytes = pending_ * 2 * kDigest;
  for (int r = 0; r < N; ++r) {
    if (r == party_) continue;
    net::Bytes m(log_bytes + 1);
    std::memcpy(m.data(), vouch_log_[r].data(), log_bytes);
    if (cheat_.kind == Cheat::Kind::wrong_hash && cheat_.victim == r) {
      cheat_.kind = Cheat::Kind::none;
      m[(cheat_.delta % pending_) * 2 * kDigest] ^= 1;
    }
    send_message(r, std::move(m), false);
  }
  // Verdict: [found][round: 4 bytes][sender][hasher][receiver]
  uint8_t verdict[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  uint32_t first = UINT32_MAX;
  for (int h = 0; h < N; ++h) {
    if (h == party_) continue;
    net::Bytes m = recv_message(h, log_bytes);
    for (uint32_t round = 0; round < pending_ && round < first; ++round) {
      size_t at = round * 2 * kDigest;
      for (int s = 0; s < N; ++s) {
        if (s == h || s == party_) continue;
        if (sodium_memcmp(got_log_[h].data() + at, m.data() + at, kDigest) != 0 && round < first) {
          first = round;
          verdict[0] = 1;
          std::memcpy(verdict + 1, &round, 4);
          verdict[5] = static_cast<uint8_t>(s);
          verdict[6] = static_cast<uint8_t>(h);
          verdict[7] = static_cast<uint8_t>(party_);
        }
        at += kDigest;
      }
    }
  }
  for (int r = 0; r < N; ++r) vouch_log_[r].clear(), got_log_[r].clear();
  pending_ = 0;
  for (int p = 0; p < N; ++p) {
    if (p == party_) continue;
    net::Bytes m(9);
    std::memcpy(m.data(), verdict, 8);
    send_message(p, std::move(m), false);
  }
  // The earliest disagreement reported by anyone (ties: the lowest reporter), the same at every honest party.
  uint8_t worst[8];
  std::memcpy(worst, verdict, 8);
  auto earlier = [](const uint8_t* a, const uint8_t* b) {  // a before b?
    if (!a[0]) return false;
    if (!b[0]) return true;
    uint32_t ra, rb;
    std::memcpy(&ra, a + 1, 4);
    std::memcpy(&rb, b + 1, 4);
    return ra != rb ? ra < rb : a[7] < b[7];
  };
  for (int p = 0; p < N; ++p) {
    if (p == party_) continue;
    net::Bytes m = recv_message(p, 8);
    if (m[0] == 0) continue;
    if (m[5] >= N || m[6] >= N || m[7] != p) fail({p}, party_name(p) + " sent a malformed verdict to " + party_name(party_));
    if (earlier(m.data(), worst)) std::memcpy(worst, m.data(), 8);
  }
  rounds_ += 2;
  if (worst[0]) {
    uint32_t round;
    std::memcpy(&round, worst + 1, 4);
    const int s = worst[5], h = worst[6], r = worst[7];
    throw MaliciousError(party_name(s) + "'s message to " + party_name(r) + " disagrees with " + party_name(h) + "'s hash (round " +
                             std::to_string(round) + " since the last check)",
                         {s, h});
  }
}

// ---------------------------------------------------------------- multiplication (joint sharing of the cross terms)

template <bool Boolean>
void FantasticFour::multiply(const Shared& x, const Shared& y, Shared& z) {
  check_shape(x, y);
  const size_t n = x.size();
  const size_t half = n / 2;
  const int p = party_;
  z = Shared(3, n);
  auto loc = [p](int s) { return local_share(p, s, N); };

  // Diagonal terms: x_s y_s into share s, by its holders.
  for (int j = 0; j < 3; ++j) {
    const uint32_t *xs = x.share[j].data(), *ys = y.share[j].data();
    uint32_t* zs = z.share[j].data();
    for (size_t e = 0; e < n; ++e) zs[e] = Boolean ? (xs[e] & ys[e]) : (xs[e] * ys[e]);
  }

  // Outgoing messages: one per receiver, the steps this party sends, in plan order.
  std::array<size_t, N> out_words{}, in_words{};
  for (const auto& s : plan()) {
    size_t len = s.first_half ? half : n - half;
    if (s.sender == p) out_words[s.receiver] += len;
    if (s.receiver == p) in_words[s.sender] += len;
  }
  std::array<net::Bytes, N> out;
  std::array<size_t, N> out_at{};
  for (int r = 0; r < N; ++r) if (out_words[r]) out[r] = new_message(out_words[r]);

  std::vector<uint32_t> c(n), r(n > 0 ? n - half : 0);
  int c_for_a = -1, c_for_b = -1;
  for (const auto& s : plan()) {
    const size_t lo = s.first_half ? 0 : half, hi = s.first_half ? half : n, len = hi - lo;
    const bool knower = p != mod4(s.a + 1) && p != mod4(s.b + 1);
    random::Prg& key = keys_.group[mod4(s.u + 1)];
    if (knower) {
      if (c_for_a != s.a || c_for_b != s.b) {  // cross term over the whole vector, once per {a, b}
        const uint32_t *xa = x.share[loc(s.a)].data(), *xb = x.share[loc(s.b)].data();
        const uint32_t *ya = y.share[loc(s.a)].data(), *yb = y.share[loc(s.b)].data();
        for (size_t e = 0; e < n; ++e) c[e] = Boolean ? ((xa[e] & yb[e]) ^ (xb[e] & ya[e])) : (xa[e] * yb[e] + xb[e] * ya[e]);
        c_for_a = s.a;
        c_for_b = s.b;
      }
      key.fill(r.data(), len);
      uint32_t* zu = z.share[loc(s.u)].data() + lo;
      uint32_t* zv = z.share[loc(s.v)].data() + lo;
      uint32_t* w = c.data() + lo;  // c - r, in place (c is not needed again for this half)
      for (size_t e = 0; e < len; ++e) {
        if (Boolean) {
          zu[e] ^= r[e];
          w[e] ^= r[e];
          zv[e] ^= w[e];
        } else {
          zu[e] += r[e];
          w[e] -= r[e];
          zv[e] += w[e];
        }
      }
      if (s.sender == p) {
        if (len) std::memcpy(wire::words(out[s.receiver], out_at[s.receiver]), w, len * 4);
        out_at[s.receiver] += len;
      } else {
        hash_sent(s.sender, s.receiver, w, len);
      }
    } else if (s.receiver != p) {
      // The other non-knower holds u and knows r.
      uint32_t* zu = z.share[loc(s.u)].data() + lo;
      if (Boolean) key.xor_into(zu, len);
      else key.add_into(zu, len);
    }
  }
  for (int rcv = 0; rcv < N; ++rcv) if (out_words[rcv]) send_message(rcv, std::move(out[rcv]), true);

  for (int snd = 0; snd < N; ++snd) {
    if (!in_words[snd]) continue;
    net::Bytes m = recv_message(snd, in_words[snd] * 4);
    size_t at = 0;
    for (const auto& s : plan()) {
      if (s.receiver != p || s.sender != snd) continue;
      const size_t lo = s.first_half ? 0 : half, len = s.first_half ? half : n - half;
      const uint32_t* w = wire::words(m, at);
      hash_received(s.sender, s.hasher, w, len);
      uint32_t* zv = z.share[loc(s.v)].data() + lo;
      for (size_t e = 0; e < len; ++e) {
        if (Boolean) zv[e] ^= w[e];
        else zv[e] += w[e];
      }
      at += len;
    }
  }
  end_jmp_round();
}

AShared FantasticFour::mul(const AShared& x, const AShared& y) {
  AShared z;
  multiply<false>(x, y, z);
  return z;
}

BShared FantasticFour::and_(const BShared& x, const BShared& y) {
  BShared z;
  multiply<true>(x, y, z);
  return z;
}

// ---------------------------------------------------------------- open (reconstruction)

template <bool Boolean>
std::vector<uint32_t> FantasticFour::reveal(const Shared& x) {
  check_shape(x, 3);
  verify();  // nothing is opened on top of an unchecked message
  const size_t n = x.size();
  const int p = party_;
  // Party p misses x_{p-1}: p+1 sends it (its local share 2), p+2 vouches (its local share 1).
  net::Bytes m = new_message(n);
  if (n) std::memcpy(m.data(), x.share[2].data(), n * 4);
  send_message(mod4(p - 1), std::move(m), true);
  hash_sent(mod4(p - 1), mod4(p - 2), x.share[1].data(), n);
  net::Bytes in = recv_message(mod4(p + 1), n * 4);
  const uint32_t* missing = wire::words(in);
  hash_received(mod4(p + 1), mod4(p + 2), missing, n);
  end_jmp_round();
  verify();
  std::vector<uint32_t> v(n);
  const uint32_t *s0 = x.share[0].data(), *s1 = x.share[1].data(), *s2 = x.share[2].data();
  for (size_t e = 0; e < n; ++e) v[e] = Boolean ? (s0[e] ^ s1[e] ^ s2[e] ^ missing[e]) : (s0[e] + s1[e] + s2[e] + missing[e]);
  return v;
}

std::vector<uint32_t> FantasticFour::open(const AShared& x) { return reveal<false>(x); }
std::vector<uint32_t> FantasticFour::open(const BShared& x) { return reveal<true>(x); }

// ---------------------------------------------------------------- joint input (Pi_INP)

// v known to a and b; c < d the other two. Share u = c-1 (held by all but c) gets r = F(K_{-c}); share
// w = d-1 (held by all but d: a, b and c) gets v - r; c lacks r, so it gets v - r by JMP from a, vouched
// for by b. The other two shares (missed by a and b) are 0. d holds r and zeros: nothing about v.
template <bool Boolean>
void FantasticFour::joint_input(int a, int b, const std::vector<uint32_t>& values, size_t size, Shared& out) {
  if (a == b || a < 0 || b < 0 || a >= N || b >= N) throw std::invalid_argument("joint input: two different parties of 4");
  int others[2], k = 0;
  for (int q = 0; q < N; ++q) if (q != a && q != b) others[k++] = q;
  const int c = others[0], d = others[1], u = mod4(c - 1), w = mod4(d - 1);
  const int p = party_;
  out = Shared(3, size);
  const bool knows = p == a || p == b;
  if (knows && values.size() != size) throw std::invalid_argument("joint input: " + std::to_string(values.size()) + " values for " + std::to_string(size));
  if (p != c) {
    // u is held by every party but c, and so is K_{-c}
    keys_.group[c].fill(out.share[local_share(p, u, N)].data(), size);
  }
  if (knows) {
    const uint32_t* r = out.share[local_share(p, u, N)].data();
    uint32_t* vr = out.share[local_share(p, w, N)].data();
    for (size_t e = 0; e < size; ++e) vr[e] = Boolean ? (values[e] ^ r[e]) : (values[e] - r[e]);
    if (p == a) {
      net::Bytes m = new_message(size);
      if (size) std::memcpy(m.data(), vr, size * 4);
      send_message(c, std::move(m), true);
    } else {
      hash_sent(a, c, vr, size);
    }
  }
  if (p == c) {
    net::Bytes m = recv_message(a, size * 4);
    hash_received(a, b, wire::words(m), size);
    if (size) std::memcpy(out.share[local_share(p, w, N)].data(), m.data(), size * 4);
  }
  end_jmp_round();
}

AShared FantasticFour::joint_input_a(int a, int b, const std::vector<uint32_t>& values, size_t size) {
  AShared out;
  joint_input<false>(a, b, values, size, out);
  return out;
}

BShared FantasticFour::joint_input_b(int a, int b, const std::vector<uint32_t>& values, size_t size) {
  BShared out;
  joint_input<true>(a, b, values, size, out);
  return out;
}

// ---------------------------------------------------------------- randomness

AShared FantasticFour::random_a(size_t size) {
  AShared r(3, size);
  for (int j = 0; j < 3; ++j) keys_.group[mod4(party_ + j + 1)].fill(r.share[j].data(), size);
  return r;
}

BShared FantasticFour::random_b(size_t size) {
  BShared r(3, size);
  for (int j = 0; j < 3; ++j) keys_.group[mod4(party_ + j + 1)].fill(r.share[j].data(), size);
  return r;
}

// ---------------------------------------------------------------- shuffle

void FantasticFour::shuffle(std::vector<Shared*>& columns) { shuffle_impl(columns, std::vector<bool>(columns.size(), false)); }

void FantasticFour::shuffle_columns(const std::vector<AShared*>& a, const std::vector<BShared*>& b) {
  std::vector<Shared*> columns;
  std::vector<bool> boolean;
  for (auto* c : a) columns.push_back(c), boolean.push_back(false);
  for (auto* c : b) columns.push_back(c), boolean.push_back(true);
  shuffle_impl(columns, boolean);
}

// Pass e (e = 0..3), group G = all but e, permutation pi_e from K_{-e}:
//  - new shares y_s = F(K_{-(s+1)}) for the three shares s != e-1 (held by e, so e needs no message);
//  - t_s = pi_e(x_s) - y_s for s != e-1, t_{e-1} = pi_e(x_{e-1}); the new share y_{e-1} = sum_s t_s, held by
//    G only. Member q lacks t_{q-1}, which the other two members know: JMP (sender g_{i+1}, hash g_{i+2}
//    for receiver g_i, with g_0, g_1, g_2 = e+1, e+2, e+3).
void FantasticFour::shuffle_impl(const std::vector<Shared*>& columns, const std::vector<bool>& boolean) {
  if (columns.empty()) return;
  const size_t n = columns[0]->size(), m = columns.size();
  for (auto* c : columns) {
    check_shape(*c, 3);
    if (c->size() != n) throw std::invalid_argument("shuffle: columns of different lengths");
  }
  const int p = party_;
  std::vector<uint32_t> permuted(n), t(n), sum(n);
  for (int ex = 0; ex < N; ++ex) {
    if (p == ex) {
      for (size_t c = 0; c < m; ++c) {
        for (int j = 0; j < 3; ++j) keys_.group[mod4(p + j + 1)].fill(columns[c]->share[j].data(), n);
      }
      end_jmp_round();  // no JMP for this party in this pass, but the rounds stay aligned
      continue;
    }
    const std::vector<uint32_t> pi = keys_.group[ex].permutation(n);
    const int i = mod4(p - ex - 1);                     // this party is g_i
    auto g = [ex](int k) { return mod4(ex + 1 + k % 3); };
    const int to = g(i + 2);         // as sender: receiver g_{i-1} gets t_{g_{i-1}-1} from g_i
    const int vouch_for = g(i + 1);  // as hasher: receiver g_{i+1}, whose sender is g_{i+2} = `to`
    const int from = g(i + 1);       // as receiver: t_{p-1} from g_{i+1}, hashed by g_{i+2} = `to`
    net::Bytes msg = new_message(m * n);
    std::vector<std::vector<uint32_t>> sums(m, std::vector<uint32_t>(n));
    for (size_t c = 0; c < m; ++c) {
      const bool b = boolean[c];
      std::vector<uint32_t>& acc = sums[c];
      std::fill(acc.begin(), acc.end(), 0u);
      for (int j = 0; j < 3; ++j) {
        const int s = mod4(p + j);
        permute(columns[c]->share[j].data(), t.data(), pi);
        if (s != mod4(ex - 1)) {
          keys_.group[mod4(s + 1)].fill(columns[c]->share[j].data(), n);  // y_s, the new share
          const uint32_t* y = columns[c]->share[j].data();
          for (size_t e = 0; e < n; ++e) t[e] = b ? (t[e] ^ y[e]) : (t[e] - y[e]);
        }
        for (size_t e = 0; e < n; ++e) acc[e] = b ? (acc[e] ^ t[e]) : (acc[e] + t[e]);
        if (s == mod4(to - 1) && n) std::memcpy(wire::words(msg, c * n), t.data(), n * 4);
        if (s == mod4(vouch_for - 1)) hash_sent(to, vouch_for, t.data(), n);
      }
    }
    send_message(to, std::move(msg), true);
    net::Bytes in = recv_message(from, m * n * 4);
    for (size_t c = 0; c < m; ++c) {
      const uint32_t* w = wire::words(in, c * n);
      hash_received(from, to, w, n);
      const bool b = boolean[c];
      for (size_t e = 0; e < n; ++e) sums[c][e] = b ? (sums[c][e] ^ w[e]) : (sums[c][e] + w[e]);
      columns[c]->share[local_share(p, mod4(ex - 1), N)] = std::move(sums[c]);
    }
    end_jmp_round();
  }
}

}  // namespace qs
