#include "random/keys.hpp"

#include <cstring>

namespace qs::random {

namespace {
void send_key(net::Communicator& comm, int to, const Key& k) { comm.send(to, net::Bytes(k.begin(), k.end())); }
Key recv_key(net::Communicator& comm, int from) {
  net::Bytes b = comm.recv(from);
  if (b.size() != 32) throw net::LinkError(comm.party(), from, "key agreement: expected 32 bytes, got " + std::to_string(b.size()));
  Key k;
  std::memcpy(k.data(), b.data(), 32);
  return k;
}
}  // namespace

Keys3 agree_keys_3pc(net::Communicator& comm) {
  const int i = comm.party();
  Key own = fresh_key();
  send_key(comm, (i + 2) % 3, own);  // to party i-1
  Key next = recv_key(comm, (i + 1) % 3);
  return Keys3{Prg(own), Prg(next)};
}

Keys4 agree_keys_4pc(net::Communicator& comm) {
  const int i = comm.party();
  Keys4 keys;
  keys.group.resize(4);
  // This party samples K_{-(i-1)} and sends it to parties i+1 and i+2 (the other members of "all but i-1").
  const int sampled = (i + 3) % 4;
  Key mine = fresh_key();
  send_key(comm, (i + 1) % 4, mine);
  send_key(comm, (i + 2) % 4, mine);
  keys.group[sampled] = Prg(mine);
  // K_{-p} for p = i+1, i+2 is sampled by p+1 (= i+2, i+3).
  for (int p : {(i + 1) % 4, (i + 2) % 4}) {
    int sampler = (p + 1) % 4;
    keys.group[p] = Prg(recv_key(comm, sampler));
  }
  return keys;
}

}  // namespace qs::random
