#include "consistency.hpp"

#include <mpi.h>
#include <sodium.h>

#include <array>
#include <cstring>
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

}  // namespace

void check_consistency(const ShareTable& t, int rank, int n) {
  if (sodium_init() < 0) throw EngineError("libsodium failed to initialise");

  // The same header everywhere (so the same columns, in the same order, for the exchange below).
  Digest header;
  crypto_hash_sha256(header.data(), reinterpret_cast<const unsigned char*>(t.header.data()), t.header.size());
  std::vector<unsigned char> headers(header.size() * n);
  MPI_Allgather(header.data(), static_cast<int>(header.size()), MPI_UNSIGNED_CHAR, headers.data(), static_cast<int>(header.size()), MPI_UNSIGNED_CHAR, MPI_COMM_WORLD);
  for (int p = 1; p < n; ++p) {
    if (std::memcmp(headers.data(), headers.data() + p * header.size(), header.size()) != 0) {
      throw EngineError("party " + std::to_string(p) + "'s share file has another header than party 0's (different schema or party count)");
    }
  }

  // The same row count everywhere: each party knows only its own, so agree on min and max.
  long long rows = static_cast<long long>(t.rows), lo = 0, hi = 0;
  MPI_Allreduce(&rows, &lo, 1, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&rows, &hi, 1, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
  if (lo != hi) throw EngineError("the parties' share files have different row counts (" + std::to_string(lo) + " to " + std::to_string(hi) + "; this party has " + std::to_string(rows) + ")");

  // Replicated shares: my local column d holds global share (rank + d), whose owner party (rank + d)
  // holds it as its local column 0. Send my copies there, receive the copies of my global share from
  // party (rank - d), for every d = 1 … k-1, so every copy of every share is compared once.
  const size_t C = t.columns.size();
  std::vector<Digest> own(C * 2);
  for (size_t c = 0; c < C; ++c) {
    for (int b = 0; b < 2; ++b) own[c * 2 + b] = column_digest(t, t.position(c, static_cast<Block>(b), 0));
  }
  std::vector<std::string> problems;
  for (int d = 1; d < t.k; ++d) {
    std::vector<Digest> mine(C * 2), theirs(C * 2);
    for (size_t c = 0; c < C; ++c) {
      for (int b = 0; b < 2; ++b) mine[c * 2 + b] = column_digest(t, t.position(c, static_cast<Block>(b), d));
    }
    const int to = (rank + d) % n, from = (rank - d + n) % n;
    const int bytes = static_cast<int>(mine.size() * sizeof(Digest));
    MPI_Sendrecv(mine.data(), bytes, MPI_UNSIGNED_CHAR, to, 100 + d, theirs.data(), bytes, MPI_UNSIGNED_CHAR, from, 100 + d, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    for (size_t c = 0; c < C; ++c) {
      for (int b = 0; b < 2; ++b) {
        if (theirs[c * 2 + b] != own[c * 2 + b]) {
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
