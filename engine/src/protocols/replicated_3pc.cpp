#include "protocols/replicated_3pc.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include "protocols/wire.hpp"

namespace qs {

namespace {
void check_shape(const Shared& x, const Shared& y, int k) {
  if (x.k() != k || y.k() != k) throw std::invalid_argument("replicated 3PC: shares must have k = 2 local shares");
  if (x.size() != y.size()) throw std::invalid_argument("replicated 3PC: operands of " + std::to_string(x.size()) + " and " + std::to_string(y.size()) + " elements");
}
void check_shape(const Shared& x, int k) {
  if (x.k() != k) throw std::invalid_argument("replicated 3PC: shares must have k = 2 local shares");
}
// Applies a permutation: out[e] = in[perm[e]].
void permute(const uint32_t* in, uint32_t* out, const std::vector<uint32_t>& perm) {
  for (size_t e = 0; e < perm.size(); ++e) out[e] = in[perm[e]];
}
}  // namespace

Replicated3PC::Replicated3PC(net::Communicator& comm) : Replicated3PC(comm, random::agree_keys_3pc(comm)) {}

Replicated3PC::Replicated3PC(net::Communicator& comm, random::Keys3 keys) : comm_(comm), party_(comm.party()), keys_(std::move(keys)) {
  if (comm.parties() != 3) throw std::invalid_argument("replicated 3PC needs 3 parties, got " + std::to_string(comm.parties()));
}

// Araki et al. §3: z_i = x_i y_i + x_i y_{i+1} + x_{i+1} y_i + alpha_i (alpha from §2.2), sent to party i-1.
template <bool Boolean>
void Replicated3PC::multiply(const Shared& x, const Shared& y, Shared& z) {
  check_shape(x, y, 2);
  const size_t n = x.size();
  z = Shared(2, n);
  net::Bytes out(n * 4);
  uint32_t* zi = wire::words(out);
  const uint32_t *x0 = x.share[0].data(), *x1 = x.share[1].data(), *y0 = y.share[0].data(), *y1 = y.share[1].data();
  if (Boolean) {
    for (size_t e = 0; e < n; ++e) zi[e] = (x0[e] & (y0[e] ^ y1[e])) ^ (x1[e] & y0[e]);
    keys_.own.xor_into(zi, n);   // F(k_i)
    keys_.next.xor_into(zi, n);  // F(k_{i+1})
  } else {
    for (size_t e = 0; e < n; ++e) zi[e] = x0[e] * (y0[e] + y1[e]) + x1[e] * y0[e];
    keys_.own.add_into(zi, n);
    keys_.next.sub_into(zi, n);
  }
  if (n) std::memcpy(z.share[0].data(), zi, n * 4);
  comm_.send((party_ + 2) % 3, std::move(out));
  net::Bytes in = wire::recv_exact(comm_, (party_ + 1) % 3, n);
  if (n) std::memcpy(z.share[1].data(), in.data(), n * 4);
  ++rounds_;
}

AShared Replicated3PC::mul(const AShared& x, const AShared& y) {
  AShared z;
  multiply<false>(x, y, z);
  return z;
}

BShared Replicated3PC::and_(const BShared& x, const BShared& y) {
  BShared z;
  multiply<true>(x, y, z);
  return z;
}

template <bool Boolean>
std::vector<uint32_t> Replicated3PC::reveal(const Shared& x) {
  check_shape(x, 2);
  const size_t n = x.size();
  net::Bytes out(n * 4);
  if (n) std::memcpy(out.data(), x.share[0].data(), n * 4);
  comm_.send((party_ + 1) % 3, std::move(out));
  net::Bytes in = wire::recv_exact(comm_, (party_ + 2) % 3, n);
  const uint32_t* missing = wire::words(in);
  std::vector<uint32_t> v(n);
  for (size_t e = 0; e < n; ++e) v[e] = Boolean ? (x.share[0][e] ^ x.share[1][e] ^ missing[e]) : (x.share[0][e] + x.share[1][e] + missing[e]);
  ++rounds_;
  return v;
}

std::vector<uint32_t> Replicated3PC::open(const AShared& x) { return reveal<false>(x); }
std::vector<uint32_t> Replicated3PC::open(const BShared& x) { return reveal<true>(x); }

AShared Replicated3PC::random_a(size_t size) {
  AShared r(2, size);
  keys_.own.fill(r.share[0].data(), size);
  keys_.next.fill(r.share[1].data(), size);
  return r;
}

BShared Replicated3PC::random_b(size_t size) {
  BShared r(2, size);
  keys_.own.fill(r.share[0].data(), size);
  keys_.next.fill(r.share[1].data(), size);
  return r;
}

// Parties a and b (a != b) both hold exactly one global share g: the one of parties g-1 and g. The value
// goes there; the other shares are 0, so the third party holds zeros and learns nothing.
void Replicated3PC::joint_input(int a, int b, const std::vector<uint32_t>& values, size_t size, Shared& out) {
  if (a == b || a < 0 || b < 0 || a > 2 || b > 2) throw std::invalid_argument("joint input: two different parties of 3");
  const int g = (a + 1) % 3 == b ? b : a;
  out = Shared(2, size);
  const int j = local_share(party_, g, 3);
  if (j >= 0) {
    if (values.size() != size) throw std::invalid_argument("joint input: " + std::to_string(values.size()) + " values for " + std::to_string(size));
    out.share[j] = values;
  }
}

AShared Replicated3PC::joint_input_a(int a, int b, const std::vector<uint32_t>& values, size_t size) {
  AShared out;
  joint_input(a, b, values, size, out);
  return out;
}

BShared Replicated3PC::joint_input_b(int a, int b, const std::vector<uint32_t>& values, size_t size) {
  BShared out;
  joint_input(a, b, values, size, out);
  return out;
}

void Replicated3PC::shuffle(std::vector<Shared*>& columns) { shuffle_impl(columns, std::vector<bool>(columns.size(), false)); }

void Replicated3PC::shuffle_columns(const std::vector<AShared*>& a, const std::vector<BShared*>& b) {
  std::vector<Shared*> columns;
  std::vector<bool> boolean;
  for (auto* c : a) columns.push_back(c), boolean.push_back(false);
  for (auto* c : b) columns.push_back(c), boolean.push_back(true);
  shuffle_impl(columns, boolean);
}

// Resharing shuffle (MRR20 §5.1 style, see the header). Pair {j-1, j} holds k_j and global share j.
// Roles are fixed: pass 1 in pair {0,1} (pi from k_1), pass 2 in pair {1,2} (k_2), pass 3 in pair {2,0}
// (k_0). Every key is used in the same order by both of its holders.
void Replicated3PC::shuffle_impl(const std::vector<Shared*>& columns, const std::vector<bool>& boolean) {
  if (columns.empty()) return;
  const size_t n = columns[0]->size();
  const size_t m = columns.size();
  for (auto* c : columns) {
    check_shape(*c, 2);
    if (c->size() != n) throw std::invalid_argument("shuffle: columns of different lengths");
  }
  auto combine = [&](size_t c, uint32_t a, uint32_t b) { return boolean[c] ? (a ^ b) : (a + b); };
  auto uncombine = [&](size_t c, uint32_t a, uint32_t b) { return boolean[c] ? (a ^ b) : (a - b); };
  random::Prg& k_own = keys_.own;
  random::Prg& k_next = keys_.next;
  std::vector<uint32_t> tmp(n), mask(n);
  std::vector<std::vector<uint32_t>> held(m, std::vector<uint32_t>(n));  // this party's 2-out-of-2 share

  if (party_ == 0) {
    // Pass 1 (pair {0,1}, key k_1 = my next): a = x_0 + x_1, permuted, masked with F(k_1), sent to party 2.
    std::vector<uint32_t> pi1 = k_next.permutation(n);
    net::Bytes msg(m * n * 4);
    for (size_t c = 0; c < m; ++c) {
      for (size_t e = 0; e < n; ++e) tmp[e] = combine(c, columns[c]->share[0][e], columns[c]->share[1][e]);
      uint32_t* w = wire::words(msg, c * n);
      permute(tmp.data(), w, pi1);
      k_next.fill(mask.data(), n);
      for (size_t e = 0; e < n; ++e) w[e] = combine(c, w[e], mask[e]);
    }
    comm_.send(2, std::move(msg));
    // Pass 3 (pair {2,0}, key k_0 = my own): receive party 1's hand-over, permute by pi_0.
    std::vector<uint32_t> pi0 = k_own.permutation(n);
    net::Bytes in = wire::recv_exact(comm_, 1, m * n);
    for (size_t c = 0; c < m; ++c) permute(wire::words(in, c * n), held[c].data(), pi0);
    // Back to replicated: y_1 = F(k_1), y_2 = F(k_2) (unknown here), y_0 = d + c - y_1 - y_2.
    net::Bytes fin(m * n * 4);
    for (size_t c = 0; c < m; ++c) {
      k_next.fill(columns[c]->share[1].data(), n);  // y_1, my local share 1
      uint32_t* w = wire::words(fin, c * n);
      for (size_t e = 0; e < n; ++e) w[e] = uncombine(c, held[c][e], columns[c]->share[1][e]);
    }
    net::Bytes fin_copy = fin;
    comm_.send(2, std::move(fin));
    net::Bytes other = wire::recv_exact(comm_, 2, m * n);
    for (size_t c = 0; c < m; ++c) {
      const uint32_t *mine = wire::words(fin_copy, c * n), *theirs = wire::words(other, c * n);
      for (size_t e = 0; e < n; ++e) columns[c]->share[0][e] = combine(c, mine[e], theirs[e]);
    }
  } else if (party_ == 1) {
    // Pass 1 (pair {0,1}, key k_1 = my own): b = x_2 (my local share 1), permuted, minus F(k_1).
    std::vector<uint32_t> pi1 = k_own.permutation(n);
    for (size_t c = 0; c < m; ++c) {
      permute(columns[c]->share[1].data(), held[c].data(), pi1);
      k_own.fill(mask.data(), n);
      for (size_t e = 0; e < n; ++e) held[c][e] = uncombine(c, held[c][e], mask[e]);
    }
    // Pass 2 (pair {1,2}, key k_2 = my next): permute by pi_2, mask with F(k_2), hand over to party 0.
    std::vector<uint32_t> pi2 = k_next.permutation(n);
    net::Bytes msg(m * n * 4);
    for (size_t c = 0; c < m; ++c) {
      uint32_t* w = wire::words(msg, c * n);
      permute(held[c].data(), w, pi2);
      k_next.fill(mask.data(), n);
      for (size_t e = 0; e < n; ++e) w[e] = combine(c, w[e], mask[e]);
    }
    comm_.send(0, std::move(msg));
    // New shares: y_1 = F(k_1), y_2 = F(k_2), no message.
    for (size_t c = 0; c < m; ++c) {
      k_own.fill(columns[c]->share[0].data(), n);
      k_next.fill(columns[c]->share[1].data(), n);
    }
  } else {
    // Pass 1: receive party 0's hand-over. Pass 2 (pair {1,2}, key k_2 = my own): permute by pi_2,
    // minus F(k_2).
    net::Bytes in = wire::recv_exact(comm_, 0, m * n);
    std::vector<uint32_t> pi2 = k_own.permutation(n);
    for (size_t c = 0; c < m; ++c) {
      permute(wire::words(in, c * n), held[c].data(), pi2);
      k_own.fill(mask.data(), n);
      for (size_t e = 0; e < n; ++e) held[c][e] = uncombine(c, held[c][e], mask[e]);
    }
    // Pass 3 (pair {2,0}, key k_0 = my next): permute by pi_0.
    std::vector<uint32_t> pi0 = k_next.permutation(n);
    for (size_t c = 0; c < m; ++c) {
      permute(held[c].data(), tmp.data(), pi0);
      held[c].swap(tmp);
    }
    // Back to replicated: y_2 = F(k_2) (my local share 0), y_0 = c + d - y_1 - y_2 (my local share 1).
    net::Bytes fin(m * n * 4);
    for (size_t c = 0; c < m; ++c) {
      k_own.fill(columns[c]->share[0].data(), n);
      uint32_t* w = wire::words(fin, c * n);
      for (size_t e = 0; e < n; ++e) w[e] = uncombine(c, held[c][e], columns[c]->share[0][e]);
    }
    net::Bytes fin_copy = fin;
    comm_.send(0, std::move(fin));
    net::Bytes other = wire::recv_exact(comm_, 0, m * n);
    for (size_t c = 0; c < m; ++c) {
      const uint32_t *mine = wire::words(fin_copy, c * n), *theirs = wire::words(other, c * n);
      for (size_t e = 0; e < n; ++e) columns[c]->share[1][e] = combine(c, mine[e], theirs[e]);
    }
  }
  rounds_ += 3;
}

}  // namespace qs
