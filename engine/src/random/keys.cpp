#include "random/keys.hpp"

#include <cstring>

namespace qs::random {

namespace {
// Every key-agreement message ends with the sender's cipher capability (random::Cipher), and every party
// hears from every other in the same round, so all agree: AES-CTR if every party's CPU has AES-NI.
void send_key(net::Communicator& comm, int to, const Key* k) {
  net::Bytes b;
  if (k) b.assign(k->begin(), k->end());
  b.push_back(static_cast<uint8_t>(local_cipher()));
  comm.send(to, std::move(b));
}
Cipher recv_key(net::Communicator& comm, int from, Key* k) {
  net::Bytes b = comm.recv(from);
  const size_t want = k ? 33 : 1;
  if (b.size() != want) {
    throw net::LinkError(comm.party(), from, "key agreement: expected " + std::to_string(want) + " bytes, got " + std::to_string(b.size()));
  }
  if (k) std::memcpy(k->data(), b.data(), 32);
  return b.back() == static_cast<uint8_t>(Cipher::aes128_ctr) ? Cipher::aes128_ctr : Cipher::chacha20;
}
Cipher weakest(Cipher a, Cipher b) { return a == Cipher::aes128_ctr && b == Cipher::aes128_ctr ? a : Cipher::chacha20; }
}  // namespace

Keys3 agree_keys_3pc(net::Communicator& comm) {
  const int i = comm.party();
  Key own = fresh_key(), next;
  send_key(comm, (i + 2) % 3, &own);     // k_i to party i-1
  send_key(comm, (i + 1) % 3, nullptr);  // capability only
  Cipher c = local_cipher();
  c = weakest(c, recv_key(comm, (i + 1) % 3, &next));
  c = weakest(c, recv_key(comm, (i + 2) % 3, nullptr));
  return Keys3{Prg(own, c), Prg(next, c)};
}

Keys4 agree_keys_4pc(net::Communicator& comm) {
  const int i = comm.party();
  Keys4 keys;
  keys.group.resize(4);
  // This party samples K_{-(i-1)} and sends it to parties i+1 and i+2 (the other members of "all but i-1").
  Key mine = fresh_key();
  send_key(comm, (i + 1) % 4, &mine);
  send_key(comm, (i + 2) % 4, &mine);
  send_key(comm, (i + 3) % 4, nullptr);
  // K_{-p} for p = i+1, i+2 is sampled by p+1 (= i+2, i+3).
  Key from2, from3;
  Cipher c = local_cipher();
  c = weakest(c, recv_key(comm, (i + 2) % 4, &from2));  // K_{-(i+1)}
  c = weakest(c, recv_key(comm, (i + 3) % 4, &from3));  // K_{-(i+2)}
  c = weakest(c, recv_key(comm, (i + 1) % 4, nullptr));
  keys.group[(i + 3) % 4] = Prg(mine, c);
  keys.group[(i + 1) % 4] = Prg(from2, c);
  keys.group[(i + 2) % 4] = Prg(from3, c);
  return keys;
}

}  // namespace qs::random
