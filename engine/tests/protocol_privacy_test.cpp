// What one party sees: for 3PC and 4PC, every party's received bytes over a run of mul, and_, shuffle
// and open are uniform (chi-square on byte frequencies) and the same in distribution for two different
// inputs (chi-square two-sample test on the byte histograms); and no party's own shares decode the values.
//
// Thresholds: the chi-square statistic with 255 degrees of freedom exceeds 377.4 with probability
// < 1e-6 (Wilson-Hilferty, z = 4.753), so an honest run fails a check with probability < 1e-6 each.
// Inputs are low-entropy on purpose (all zeros vs. all ones / a counter) so that any leak of an input
// into a received message would skew the byte histogram.
//
// Only the protocols' value-carrying messages are counted (the large ones); in 4PC the one trailer byte of
// each message (a sequence number) and the digest/verdict messages of verify() are left out.
#include <array>
#include <cmath>
#include <mutex>
#include <random>

#include "check.hpp"
#include "net/memory_communicator.hpp"
#include "protocols/fantastic_four.hpp"
#include "protocols/local_ops.hpp"
#include "protocols/replicated_3pc.hpp"

using namespace qs;

namespace {

using Histogram = std::array<double, 256>;

/** Records what its party receives: a byte histogram of the value-carrying messages. */
class Recorder : public net::Communicator {
 public:
  Recorder(net::Communicator& inner, bool trailer, size_t min_size) : inner_(inner), trailer_(trailer), min_size_(min_size) { hist.fill(0); }
  int party() const override { return inner_.party(); }
  int parties() const override { return inner_.parties(); }
  void send(int to, net::Bytes m) override { inner_.send(to, std::move(m)); }
  net::Bytes recv(int from) override {
    net::Bytes m = inner_.recv(from);
    if (m.size() >= min_size_) {
      size_t end = m.size() - (trailer_ ? 1 : 0);
      for (size_t i = 0; i < end; ++i) hist[m[i]] += 1;
    }
    return m;
  }
  net::LinkStats stats(int peer) const override { return inner_.stats(peer); }
  Histogram hist;

 private:
  net::Communicator& inner_;
  bool trailer_;
  size_t min_size_;
};

const double kThreshold = 377.4;  // chi-square, 255 df, P(X > t) < 1e-6

double chi_uniform(const Histogram& h) {
  double total = 0, chi = 0;
  for (double c : h) total += c;
  const double expect = total / 256;
  for (double c : h) chi += (c - expect) * (c - expect) / expect;
  return chi;
}

double chi_two_sample(const Histogram& a, const Histogram& b) {
  double na = 0, nb = 0, chi = 0;
  for (int i = 0; i < 256; ++i) na += a[i], nb += b[i];
  for (int i = 0; i < 256; ++i) {
    const double col = a[i] + b[i];
    const double ea = col * na / (na + nb), eb = col * nb / (na + nb);
    if (col > 0) chi += (a[i] - ea) * (a[i] - ea) / ea + (b[i] - eb) * (b[i] - eb) / eb;
  }
  return chi;
}

/** One run on inputs x, y; returns each party's histogram; checks that no party's shares decode x. */
std::vector<Histogram> run(int n, const std::vector<uint32_t>& x, const std::vector<uint32_t>& y, uint64_t seed) {
  std::vector<Histogram> out(static_cast<size_t>(n));
  std::mutex mu;
  net::run_parties(n, [&](net::Communicator& comm) {
    Recorder rec(comm, n == 4, 1024);
    std::unique_ptr<Protocol> proto;
    if (n == 3) proto = std::make_unique<Replicated3PC>(rec);
    else proto = std::make_unique<FantasticFour>(rec);
    const int p = proto->party();
    // Random sharings of the inputs (as the data owners make them), then the protocols.
    AShared ax = ops::share_a_for_test(x, p, n, seed), ay = ops::share_a_for_test(y, p, n, seed + 1);
    BShared bx = ops::share_b_for_test(x, p, n, seed + 2), by = ops::share_b_for_test(y, p, n, seed + 3);
    AShared z = proto->mul(ax, ay);
    BShared w = proto->and_(bx, by);
    proto->shuffle_columns({&z}, {&w});
    // No single party's view decodes a value: neither any of its shares nor their sum (XOR) equals the
    // input or the product, beyond chance (2^-32 per element).
    size_t hits = 0;
    for (size_t e = 0; e < x.size(); ++e) {
      uint32_t sum = 0, xr = 0;
      for (int j = 0; j < n - 1; ++j) {
        hits += ax.share[j][e] == x[e];
        hits += bx.share[j][e] == x[e];
        sum += ax.share[j][e];
        xr ^= bx.share[j][e];
      }
      hits += sum == x[e];
      hits += xr == x[e];
    }
    CHECK(hits <= 2);
    // Opening reveals the product by design; the share each party receives for it is still uniform.
    proto->open(z);
    proto->verify();
    std::lock_guard<std::mutex> lock(mu);
    out[p] = rec.hist;
  });
  return out;
}

}  // namespace

int main() {
  const size_t size = size_t{1} << 15;
  std::vector<uint32_t> zeros(size, 0), ones(size, 0xFFFFFFFFu), counter(size);
  for (size_t e = 0; e < size; ++e) counter[e] = uint32_t(e);
  for (int n : {3, 4}) {
    auto a = run(n, zeros, zeros, 100);
    auto b = run(n, ones, counter, 200);
    for (int p = 0; p < n; ++p) {
      double total = 0;
      for (double c : a[p]) total += c;
      const double ua = chi_uniform(a[p]), ub = chi_uniform(b[p]), two = chi_two_sample(a[p], b[p]);
      std::printf("%dpc party %d: %.0f bytes received; chi2 uniform %.1f / %.1f, two-sample %.1f (threshold %.1f)\n", n, p, total, ua,
                  ub, two, kThreshold);
      CHECK(total > 100000);
      CHECK(ua < kThreshold);
      CHECK(ub < kThreshold);
      CHECK(two < kThreshold);
    }
  }
  // The test can fail: a view that leaks (here, a "protocol" that sends its share in the clear plus the
  // input) is caught by the same statistics.
  {
    Histogram leak;
    leak.fill(0);
    for (size_t e = 0; e < size; ++e) {
      uint32_t v = uint32_t(e % 1000);  // a low-entropy input sent as is
      for (int k = 0; k < 4; ++k) leak[(v >> (8 * k)) & 0xFF] += 1;
    }
    CHECK(chi_uniform(leak) > kThreshold);
  }
  return qs_test::finish();
}
