// Fantastic Four: Dalskov, Escudero, Keller, "Fantastic Four: Honest-Majority Four-Party Secure
// Computation With Malicious Security", USENIX Security 2021. Malicious security with abort, one
// corrupted party out of four.
//
// Section references: the building blocks are named as in the paper (Pi_JMP, Pi_INP, multiplication,
// reconstruction); section numbers were not checked against the text here, so none are given.
//
// Layout (containers/shared.hpp, the paper's replicated sharing): x = x_0 + x_1 + x_2 + x_3 (or XOR);
// party p holds x_p, x_{p+1}, x_{p+2} (local 0, 1, 2) and misses x_{p-1}; share s is missed only by party
// s+1. Keys (random/keys.hpp): K_{-j}, one per group of three, known to "all but j"; K_{-(s+1)} is known
// to exactly the holders of share s, so F(K_{-(s+1)}) is a share that needs no message.
//
// Joint message passing (JMP, the paper's Pi_JMP): a value v that two parties P_i, P_j both know is to
// reach P_g: P_i sends v, P_j adds v to a running check value for (P_i, P_g); P_g does the same with what it
// got. Check values are exchanged and compared in verify(), before anything is opened or output (the
// paper sends the hashes at the end, once), and any mismatch aborts. Everything a party receives in mul,
// and_, open and shuffle goes through JMP.
//
// Check value: the paper uses a collision-resistant hash H(v). Here it is a Poly1305 one-time MAC under a
// key derived (BLAKE2b) from K_{-s}, s the sender, with the round and (s, hasher, receiver) as label:
// K_{-s} is the one group key the sender does not hold, so a sender that changes v must forge a one-time
// MAC under an unknown key (probability <= 8 * ceil(bytes / 16) / 2^106 per check), and a cheating hasher
// can only cause an abort, which it can anyway. Three times as fast as BLAKE2b here (12 MB of check
// values per party per 2^20 multiplications). One check value per round and per (sender, receiver)
// pair, so verify() can name the first round that disagrees (see verify()).
//
//  - mul / and_ (multiplication via joint sharing, the paper's Pi_INP): x y = sum_s x_s y_s +
//    sum_{a<b} (x_a y_b + x_b y_a). Diagonal terms x_s y_s are known to exactly the holders of share s,
//    added there locally. A cross term c = x_a y_b + x_b y_a is known to the two parties g, h that miss
//    neither a nor b; they jointly share it (INP): share u (one of a, b) gets r = F(K_{-(u+1)}), the other
//    share v gets c - r, which party u+1 (holder of v, not of u, the only party not knowing r) receives by
//    JMP from g (sender) and h (hash). Six cross terms = six JMP values per element: 1.5 elements sent per
//    party. For balance the vector is split in halves, with the roles of (u, v) and (g, h) swapped in the
//    second half, so every party sends and receives 1.5 elements per element.
//  - open (reconstruction): pending hashes are verified first; party p gets x_{p-1} by JMP from
//    p+1 (sends) and p+2 (hash), then the hashes are verified again before the value is returned.
//  - joint_input_a / joint_input_b (Pi_INP): v known to parties a and b; with {c, d} the other two,
//    share c-1 (missed by c) gets r = F(K_{-c}), share d-1 gets v - r, which c (lacking r) gets by JMP
//    (a sends, b vouches); every other share is 0. One element in all, one round.
//  - random_a / random_b: share s = F(K_{-(s+1)}), no message.
//  - shuffle: four resharing passes, one per group of three "all but e" (e = 0..3), each permuting by a
//    permutation derived from K_{-e}; party e gets fresh random shares from keys it holds, and the group
//    rebuilds the one share e misses with one JMP value per member. Each party is outside one group, so
//    no party knows the composed permutation. (Our adaptation of the 3-party resharing shuffle to
//    4 parties; every value received is JMP-checked, so a cheating group member is caught.)
//
// A failed check throws MaliciousError naming the parties involved, after telling every other party (an
// abort notice on each link), so that every honest party aborts at its next receive. Every message carries
// a one-byte trailer: a 7-bit sequence number per link (a dropped message is seen as a gap) and the
// abort flag. A receive that fails (timeout, closed link) accuses the silent party.
#pragma once

#include <sodium.h>

#include <array>
#include <functional>

#include "protocols/protocol.hpp"
#include "random/keys.hpp"

namespace qs {

/** A test hook: make this party deviate once, on its next chance, towards `victim`. */
struct Cheat {
  enum class Kind { none, add_to_share, wrong_hash, drop_message };
  Kind kind = Kind::none;
  int victim = -1;
  uint32_t delta = 1;  // add_to_share: added to the first word of the next JMP message to the victim
  /** drop_message: called after the message is dropped (a test network closes the link, as a timeout would). */
  std::function<void(int victim)> after_drop;
};

class FantasticFour : public Protocol {
 public:
  explicit FantasticFour(net::Communicator& comm);
  FantasticFour(net::Communicator& comm, random::Keys4 keys);

  int party() const override { return party_; }
  int parties() const override { return 4; }
  net::Communicator& comm() override { return comm_; }

  AShared mul(const AShared& x, const AShared& y) override;
  BShared and_(const BShared& x, const BShared& y) override;
  std::vector<uint32_t> open(const AShared& x) override;
  std::vector<uint32_t> open(const BShared& x) override;
  AShared random_a(size_t size) override;
  BShared random_b(size_t size) override;
  AShared joint_input_a(int a, int b, const std::vector<uint32_t>& values, size_t size) override;
  BShared joint_input_b(int a, int b, const std::vector<uint32_t>& values, size_t size) override;
  void shuffle(std::vector<Shared*>& columns) override;
  void shuffle_columns(const std::vector<AShared*>& a, const std::vector<BShared*>& b) override;
  void verify() override;
  uint64_t rounds() const override { return rounds_; }

  void set_cheat(const Cheat& cheat) { cheat_ = cheat; }
  /** True while a set cheat has not happened yet. */
  bool cheat_pending() const { return cheat_.kind != Cheat::Kind::none; }
  /** The parties that receive JMP values from `sender` in mul/and_ (for tests that aim a cheat). */
  static std::vector<int> mul_receivers(int sender);

 private:
  template <bool Boolean>
  void multiply(const Shared& x, const Shared& y, Shared& z);
  template <bool Boolean>
  std::vector<uint32_t> reveal(const Shared& x);
  template <bool Boolean>
  void joint_input(int a, int b, const std::vector<uint32_t>& values, size_t size, Shared& out);
  void shuffle_impl(const std::vector<Shared*>& columns, const std::vector<bool>& boolean);

  // Messages: payload + one trailer byte (sequence number, abort flag).
  net::Bytes new_message(size_t payload_words) const { return net::Bytes(payload_words * 4 + 1); }
  void send_message(int to, net::Bytes message, bool jmp);
  net::Bytes recv_message(int from, size_t payload_bytes);
  [[noreturn]] void fail(const std::vector<int>& accused, const std::string& what);
  void relay(const net::Bytes& notice, int except);
  [[noreturn]] void on_notice(int from, const net::Bytes& notice);  // relays it, throws MaliciousError

  void hash_sent(int sender, int receiver, const uint32_t* w, size_t n);      // this party vouches
  void hash_received(int sender, int hasher, const uint32_t* w, size_t n);    // this party received
  void reset_hashes();  // new MAC keys for the next JMP round
  void mac_key(int s, int h, int r, unsigned char key[crypto_onetimeauth_KEYBYTES]) const;
  void end_jmp_round();  // closes the digests of one round of JMP values

  net::Communicator& comm_;
  int party_;
  random::Keys4 keys_;
  uint64_t rounds_ = 0;
  uint64_t pending_ = 0;  // JMP rounds since the last verify()
  std::array<uint8_t, 4> send_seq_{}, recv_seq_{};
  // vouch_[s][r]: values sent by s to r that this party also knows; got_[s][h]: values this party got from
  // s that h vouches for.
  std::array<std::array<crypto_onetimeauth_state, 4>, 4> vouch_{}, got_{};
  uint32_t jmp_round_ = 0;  // JMP rounds since the start: part of every MAC key, so no key is used twice
  // Per other party: the digests of each JMP round since the last check (2 per round, by sender).
  std::array<std::vector<uint8_t>, 4> vouch_log_, got_log_;
  Cheat cheat_;
};

}  // namespace qs
