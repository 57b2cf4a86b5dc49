// The one interface every operator (operators/) is written against, so that every protocol gets every
// operator (ORQ's design). Local operations (add, XOR, constants) are the same for every replicated
// scheme and live in protocols/local_ops.hpp; a Protocol supplies what needs interaction.
//
// Implementations: protocols/replicated_3pc (Araki et al., CCS 2016, semi-honest) and
// protocols/fantastic_four (Dalskov, Escudero, Keller, USENIX Security 2021, malicious with abort).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "containers/shared.hpp"
#include "net/communicator.hpp"

namespace qs {

/** A check of Fantastic Four failed: some party deviated. Every honest party aborts; nothing is output. */
class MaliciousError : public std::runtime_error {
 public:
  explicit MaliciousError(const std::string& what) : std::runtime_error("malicious behaviour detected: " + what) {}
  /** `accused`: the parties the check implicates (one of them deviated), e.g. a sender and a hash-checker. */
  MaliciousError(const std::string& what, std::vector<int> accused)
      : std::runtime_error("malicious behaviour detected: " + what), accused_(std::move(accused)) {}
  const std::vector<int>& accused() const { return accused_; }

 private:
  std::vector<int> accused_;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual int party() const = 0;
  virtual int parties() const = 0;
  virtual net::Communicator& comm() = 0;

  /** Elementwise x * y mod 2^32, one round for the whole column. */
  virtual AShared mul(const AShared& x, const AShared& y) = 0;
  /** Elementwise bitwise x & y on 32-bit words, one round for the whole column. */
  virtual BShared and_(const BShared& x, const BShared& y) = 0;

  /** Reveals every element to every party (4PC: the received shares are checked before use). */
  virtual std::vector<uint32_t> open(const AShared& x) = 0;
  virtual std::vector<uint32_t> open(const BShared& x) = 0;

  /** Sharings of uniformly random values that no party knows, from the parties' shared PRG keys (no round). */
  virtual AShared random_a(size_t size) = 0;
  virtual BShared random_b(size_t size) = 0;

  /**
   * Permutes the rows of every column by one permutation that no single party (3PC, 4PC: no party
   * alone) knows, and reshares them, so that positions before and after are unlinkable.
   * Every column here is taken as ADDITIVE (AShared); for XOR-shared columns use shuffle_columns.
   */
  virtual void shuffle(std::vector<Shared*>& columns) = 0;
  /** The same, for additive columns `a` and XOR columns `b` moved together by one permutation. */
  virtual void shuffle_columns(const std::vector<AShared*>& a, const std::vector<BShared*>& b) = 0;

  /**
   * A sharing of a vector that exactly two parties, `a` and `b`, both know (e.g. x_0 + x_1 computed by the
   * two holders of shares 0 and 1). Parties a and b pass the values; the others pass any vector of the
   * same `size` (ignored). 3PC: no message (the value goes into the one share a and b both hold, the
   * others are 0). 4PC: Fantastic Four's joint input (Pi_INP): one JMP value of `size` elements, sent
   * to one party, checked at the next verify().
   */
  virtual AShared joint_input_a(int a, int b, const std::vector<uint32_t>& values, size_t size) = 0;
  virtual BShared joint_input_b(int a, int b, const std::vector<uint32_t>& values, size_t size) = 0;

  /** 4PC: compares every pending hash of the joint messages; throws MaliciousError. 3PC: nothing to do. */
  virtual void verify() = 0;

  /** Communication rounds so far (a round: every party sends, then receives; key agreement excluded). */
  virtual uint64_t rounds() const = 0;
};

/** The protocol for the number of parties: 3 → replicated 3PC, 4 → Fantastic Four. Agrees PRG keys over `comm` (one round). */
std::unique_ptr<Protocol> make_protocol(net::Communicator& comm);

}  // namespace qs
