// The PRG and the key agreement: AES-128 known answer, every way of drawing one call gives the same
// words (fill / add_into / xor_into / sub_into, any length, both ciphers), calls never repeat, keys end
// up with exactly the parties that should hold them, and permutations are uniform.
#include <cmath>
#include <cstring>
#include <mutex>

#include "check.hpp"
#include "net/memory_communicator.hpp"
#include "random/keys.hpp"

using namespace qs;
using namespace qs::random;

int main() {
  // AES-128 with the all-zero key on the all-zero block (call 0, block 0) is 66e94bd4ef8a2c3b884cfa59ca342b2e.
  if (local_cipher() == Cipher::aes128_ctr) {
    Prg zero(Key{}, Cipher::aes128_ctr);
    uint32_t w[4];
    zero.fill(w, 4);
    const uint8_t want[16] = {0x66, 0xe9, 0x4b, 0xd4, 0xef, 0x8a, 0x2c, 0x3b, 0x88, 0x4c, 0xfa, 0x59, 0xca, 0x34, 0x2b, 0x2e};
    CHECK(std::memcmp(w, want, 16) == 0);
  }
  for (Cipher c : {Cipher::chacha20, local_cipher()}) {
    const Key k = fresh_key();
    for (size_t n : {size_t(1), size_t(3), size_t(4), size_t(5), size_t(63), size_t(4096), size_t(4099), size_t(100003)}) {
      Prg a(k, c), b(k, c), d(k, c), e(k, c);
      std::vector<uint32_t> fa(n), fb(n, 0), fd(n, 0), fe(n, 0);
      a.fill(fa.data(), n);
      b.add_into(fb.data(), n);
      d.xor_into(fd.data(), n);
      e.sub_into(fe.data(), n);
      bool same = true;
      for (size_t i = 0; i < n; ++i) same &= fa[i] == fb[i] && fa[i] == fd[i] && fa[i] == 0u - fe[i];
      CHECK(same);
      // the next call is a different stream
      std::vector<uint32_t> next(n);
      a.fill(next.data(), n);
      CHECK(n < 4 || next != fa);
      // a prefix of a longer call equals the shorter call (one stream per call)
      Prg f(k, c);
      std::vector<uint32_t> longer(n + 17);
      f.fill(longer.data(), n + 17);
      CHECK(std::equal(fa.begin(), fa.end(), longer.begin()));
    }
    // bytes of a long stream are uniform (chi-square, 255 df, threshold 377.4: P < 1e-6)
    Prg p(k, c);
    std::vector<uint32_t> big(1 << 18);
    p.fill(big.data(), big.size());
    double hist[256] = {0};
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(big.data());
    for (size_t i = 0; i < big.size() * 4; ++i) hist[bytes[i]] += 1;
    double chi = 0, expect = big.size() * 4 / 256.0;
    for (double h : hist) chi += (h - expect) * (h - expect) / expect;
    CHECK(chi < 377.4);
  }
  // Permutations: valid, same for both holders, and the position of each element uniform.
  {
    const Key k = fresh_key();
    Prg a(k, local_cipher()), b(k, local_cipher());
    CHECK(a.permutation(1000) == b.permutation(1000));
    const int n = 8, trials = 80000;
    double count[n][n] = {};
    for (int t = 0; t < trials; ++t) {
      auto p = a.permutation(n);
      for (int i = 0; i < n; ++i) count[i][p[i]] += 1;
    }
    double chi = 0, expect = double(trials) / n;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) chi += (count[i][j] - expect) * (count[i][j] - expect) / expect;
    // 64 cells; rows and columns sum to fixed totals: (n-1)^2 = 49 df, P(chi2_49 > 110) < 1e-6
    CHECK(chi < 110);
  }
  // Key agreement, 3PC: party i's k_{i+1} is party i+1's own key; nobody else has it.
  {
    std::vector<Key> own(3), next(3);
    std::mutex mu;
    net::run_parties(3, [&](net::Communicator& comm) {
      Keys3 k = agree_keys_3pc(comm);
      std::lock_guard<std::mutex> lock(mu);
      own[comm.party()] = k.own.key();
      next[comm.party()] = k.next.key();
      CHECK(k.own.cipher() == local_cipher());
    });
    for (int i = 0; i < 3; ++i) {
      CHECK(next[i] == own[(i + 1) % 3]);
      CHECK(own[i] != own[(i + 1) % 3]);
    }
  }
  // 4PC: K_{-p} is the same at the three parties other than p, and the four keys differ.
  {
    std::vector<Keys4> keys(4);
    std::mutex mu;
    net::run_parties(4, [&](net::Communicator& comm) {
      Keys4 k = agree_keys_4pc(comm);
      std::lock_guard<std::mutex> lock(mu);
      keys[comm.party()] = k;
    });
    for (int p = 0; p < 4; ++p) {
      std::vector<Key> seen;
      for (int q = 0; q < 4; ++q) if (q != p) seen.push_back(keys[q].group[p].key());
      CHECK(seen[0] == seen[1] && seen[1] == seen[2]);
      CHECK(keys[p].group[p].key() == Key{});  // a party does not hold the key of the group without it
    }
    for (int q = 0; q < 4; ++q) {
      for (int p = 0; p < 4; ++p)
        for (int o = p + 1; o < 4; ++o)
          if (p != q && o != q) CHECK(keys[q].group[p].key() != keys[q].group[o].key());
    }
  }
  return qs_test::finish();
}
