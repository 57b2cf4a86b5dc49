#include "consistency.hpp"

#include <sodium.h>

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "engine_error.hpp"

namespace qs {
namespace {

using Digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

/** SHA-256 of one local share column (its uint32 values, little-endian, in row order). A plain
 *  checksum would let a malicious party craft a different column with the same sum; SHA-256 does not. */
Digest column_digest(const ShareTable& t, size_t pos) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> bytes;
  bytes.reserve(t.rows * 4);
  for (size_t r = 0; r < t.rows; ++r) {
    uint32_t v = t.at(r, pos);
    for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<unsigned char>(v >> (8 * b)));
  }
  crypto_hash_sha256_update(&state, bytes.data(), bytes.size());
  Digest d;
  crypto_hash_sha256_final(&state, d.data());
  return d;
}

const char* block_name(int b) { return b == 0 ? "additive" : "XOR"; }

void append(net::Bytes& out, const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  out.insert(out.end(), p, p + len);
}

Digest text_digest(const std::string& text) {
  Digest d;
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return d;
}

/** The first 8 bytes of a digest in hex: enough for a person to tell two plans apart in a log. */
std::string short_hex(const unsigned char* d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 8; ++i) s += {digits[d[i] >> 4], digits[d[i] & 15]};
  return s;
}

}  // namespace

std::string read_plan_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EngineError("cannot read the plan file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void check_consistency(const ShareTable& t, const std::string& plan_text, net::Communicator& comm) {
  if (sodium_init() < 0) throw EngineError("libsodium failed to initialise");
  const int rank = comm.party(), n = comm.parties();
  const size_t C = t.columns.size();

  // To every other party p: [plan digest][header digest][row count, u64 LE][digests of my copies of p's own share].
  // My local column d holds global share (rank + d), whose owner party (rank + d) holds it as its local
  // column 0; so party p = rank + d gets my column d's digests (d = 1 … k-1), and from party (rank - d)
  // I get its copy of my share: every copy of every share is compared once, by its owner.
  const Digest plan = text_digest(plan_text);
  const Digest header = text_digest(t.header);
  const size_t fixed = plan.size() + header.size() + 8;  // the part every message has
  const uint64_t rows = t.rows;
  for (int p = 0; p < n; ++p) {
    if (p == rank) continue;
    net::Bytes m;
    append(m, plan.data(), plan.size());
    append(m, header.data(), header.size());
    for (int b = 0; b < 8; ++b) m.push_back(static_cast<uint8_t>(rows >> (8 * b)));
    const int d = (p - rank + n) % n;
    if (d < t.k) {
      for (size_t c = 0; c < C; ++c) {
        for (int b = 0; b < 2; ++b) {
          const Digest digest = column_digest(t, t.position(c, static_cast<Block>(b), d));
          append(m, digest.data(), digest.size());
        }
      }
    }
    comm.send(p, std::move(m));
  }
  std::vector<net::Bytes> received(n);
  for (int p = 0; p < n; ++p) if (p != rank) received[p] = comm.recv(p);

  for (int p = 0; p < n; ++p) {
    if (p != rank && received[p].size() < fixed) {
      throw net::LinkError(rank, p, "the consistency message has " + std::to_string(received[p].size()) + " bytes");
    }
  }
  // The same plan everywhere, compared with party 0's: the protocols combine shares of the same operations
  // only, so a party running another query would turn every result into garbage without any check failing.
  auto plan_of = [&](int p) -> const unsigned char* { return p == rank ? plan.data() : received[p].data(); };
  for (int p = 1; p < n; ++p) {
    if (std::memcmp(plan_of(0), plan_of(p), plan.size()) != 0) {
      throw EngineError("party " + std::to_string(p) + " was given another plan than party 0 (plan SHA-256 " + short_hex(plan_of(p)) + "… vs " +
                        short_hex(plan_of(0)) + "…): every party must run the same query");
    }
  }

  // The same header everywhere (so the same columns, in the same order), compared with party 0's.
  auto header_of = [&](int p) -> const unsigned char* { return p == rank ? header.data() : received[p].data() + plan.size(); };
  for (int p = 1; p < n; ++p) {
    if (std::memcmp(header_of(0), header_of(p), header.size()) != 0) {
      throw EngineError("party " + std::to_string(p) + "'s share file has another header than party 0's (different schema or party count)");
    }
  }

  // The same row count everywhere.
  uint64_t lo = rows, hi = rows;
  for (int p = 0; p < n; ++p) {
    if (p == rank) continue;
    uint64_t r = 0;
    for (int b = 0; b < 8; ++b) r |= uint64_t(received[p][plan.size() + header.size() + b]) << (8 * b);
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  if (lo != hi) throw EngineError("the parties' share files have different row counts (" + std::to_string(lo) + " to " + std::to_string(hi) + "; this party has " + std::to_string(rows) + ")");

  // Replicated shares: the copies of my global share (my local column 0) held by party (rank - d).
  std::vector<std::string> problems;
  for (int d = 1; d < t.k; ++d) {
    const int from = (rank - d + n) % n;
    const net::Bytes& m = received[from];
    if (m.size() != fixed + C * 2 * sizeof(Digest)) {
      throw net::LinkError(rank, from, "the consistency message has " + std::to_string(m.size()) + " bytes");
    }
    for (size_t c = 0; c < C; ++c) {
      for (int b = 0; b < 2; ++b) {
        const Digest own = column_digest(t, t.position(c, static_cast<Block>(b), 0));
        if (std::memcmp(m.data() + fixed + (c * 2 + b) * sizeof(Digest), own.data(), own.size()) != 0) {
          problems.push_back("column " + t.columns[c] + " (" + block_name(b) + "): party " + std::to_string(from) + "'s copy of global share " +
                             std::to_string(rank) + " differs from this party's");
        }
      }
    }
  }
  if (!problems.empty()) {
    std::string message = "replicated shares are inconsistent between parties (a share file was tampered with or mixed up): ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    throw EngineError(message);
  }
}

}  // namespace qs
