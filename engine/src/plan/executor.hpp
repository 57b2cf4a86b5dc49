// Runs a plan (plan/plan.hpp) on one party's shares, obliviously, over the Protocol interface and the
// operators (3PC replicated or Fantastic Four, whichever make_protocol gave). Every branch depends only on
// the plan and on public sizes (the input's row count), never on a shared value; the only values opened are
// quicksort's comparison outcomes on shuffled rows with distinct keys (operators/README.md) and B2A's masked
// differences (uniform). The semantics are domain/sql/README.md's ("Semantics the engine must reproduce"),
// evaluate.ts being the reference. Header-only, see plan.hpp.
//
// How each step runs (costs per element, 3PC):
// - Row phase: add/sub/neg/const local on additive shares; mul one round; comparisons on XOR shares (the
//   file's XOR block for columns and constants, A2B for computed values), eq 5 rounds, lt 6; and/or one AND;
//   not local; `if` = mux(B2A(c), t, e). Every node keeps whichever forms it has; conversions are memoised.
// - Aggregation with keys (GROUP BY), Secrecy's design (NSDI 2023 §4): quicksort by (valid, keys[, arg])
//   carrying the additive forms, group_starts, segmented prefix sums (one call for every aggregate: the
//   columns are concatenated, each block starting a segment at row 0); the last row of each group carries
//   the group's values and the valid bit valid ∧ end. SUM, COUNT, AVG from segmented sums; MIN / MAX /
//   COUNT(DISTINCT) of an argument a: the sort is by (valid, keys, a), so MAX is a at the group's last row,
//   MIN the segmented sum of start·a, COUNT(DISTINCT) the segmented sum of start ∨ (a ≠ previous a). A
//   second argument needs its own sort by (valid, keys, a'): its groups occupy the same positions.
//   AVG: signed restoring division of the segmented SUM by the COUNT on XOR shares (bit-sliced), exact,
//   truncated toward zero; only the quotient is converted back, SUM and COUNT are never opened.
// - No GROUP BY: SUM / COUNT only → Σ valid·x (one mul, local sums); with MIN/MAX/AVG/COUNT(DISTINCT) the
//   sorted path above with one segment, the last row (sorted by valid ascending) multiplied by its valid
//   bit (0 when no row passed: every aggregate is then 0, as evaluate.ts has it).
// - HAVING: a bit ANDed into valid. DISTINCT: sort by (valid, outputs), valid ∧= group start.
// - ORDER BY: quicksort by (¬valid, keys; DESC keys as bitwise NOT, which reverses signed order exactly),
//   keep the first rows (a public count). LIMIT without ORDER BY: sort by ¬valid, cut, shuffle. No ORDER
//   BY: shuffle (positions of valid rows reveal nothing). Every output × valid (one mul), verify(), done.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "containers/shared.hpp"
#include "engine_error.hpp"
#include "operators/bitslice.hpp"
#include "operators/circuits.hpp"
#include "operators/sort.hpp"
#include "plan/plan.hpp"
#include "protocols/local_ops.hpp"
#include "protocols/protocol.hpp"

namespace qs::plan {

/** One input column of the plan: both blocks of the share file (additive and XOR). */
struct InputColumn {
  std::string name;
  AShared a;
  BShared b;
};

/** This party's result: per output its k local shares per row, then _valid (additive, 0/1). */
struct PlanResult {
  std::vector<std::string> names;
  std::vector<AShared> columns;
  AShared valid;
  size_t rows = 0;
};

/** Which oblivious sort: quicksort after a shuffle (ORQ's default, faster here) or Batcher's bitonic network
 *  (reveals nothing at all; its messages are a function of n alone). */
enum class SortKind { Quicksort, Bitonic };

class Executor {
 public:
  Executor(Protocol& proto, const Plan& plan, SortKind sort = SortKind::Quicksort)
      : P(proto), plan_(plan), sort_(sort), me(proto.party()), n(proto.parties()), k(proto.parties() - 1) {}

  PlanResult run(const std::vector<InputColumn>& input, size_t rows) {
    PlanResult out;
    for (auto& o : plan_.outputs) out.names.push_back(o.name);
    const size_t result_rows = plan_.output_rows(rows);
    out.rows = result_rows;
    if (result_rows == 0) {  // public: nothing to compute (0 input rows, or LIMIT 0)
      for (size_t i = 0; i < plan_.outputs.size(); ++i) out.columns.emplace_back(k, 0);
      out.valid = AShared(k, 0);
      P.verify();
      return out;
    }

    // the table before DISTINCT / ORDER BY / LIMIT: m rows, the outputs' phase's values, validity
    std::vector<Val> vals;
    BShared valid;
    size_t m = 0;
    if (rows == 0) {  // aggregates without GROUP BY over no rows: one row of zeros (keys = [] is implied here)
      m = 1;
      std::vector<AShared> aggs(plan_.aggregates.size(), pub_a(std::vector<uint32_t>(1, 0)));
      vals = eval_nodes(plan_.group_nodes, 1, [&](const Node& node) { return leaf_a(aggs.at(node.index)); });
      valid = pub_b(std::vector<uint32_t>(1, 1));
      valid_ones_ = plan_.having < 0;
    } else {
      std::vector<Val> row = eval_nodes(plan_.row_nodes, rows, [&](const Node& node) {
        for (auto& c : input)
          if (c.name == node.column) {
            Val v;
            v.has_a = v.has_b = true;
            v.a = c.a;
            v.b = c.b;
            return v;
          }
        throw EngineError("the share file has no column " + node.column);
      });
      BShared row_valid = plan_.filter >= 0 ? B(row[plan_.filter]) : pub_b(std::vector<uint32_t>(rows, 1));
      if (!plan_.has_aggregate) {
        vals = std::move(row);
        valid = std::move(row_valid);
        valid_ones_ = plan_.filter < 0;
        m = rows;
      } else {
        aggregate(row, row_valid, rows, vals, valid, m);
      }
    }

    // outputs and ORDER BY values (additive), the valid bit (XOR, bit 0)
    std::vector<AShared> outs, ord;
    for (auto& o : plan_.outputs) outs.push_back(A(vals[o.value]));
    for (auto& o : plan_.order_by) ord.push_back(A(vals[o.value]));

    if (plan_.distinct) {
      std::vector<BShared> outb = a2b_many(outs);
      ops::SortColumns sc;
      if (!valid_ones_) sc.keys.push_back(&valid);
      else sc.bpayload.push_back(&valid);
      for (auto& b : outb) sc.keys.push_back(&b);
      for (auto& a : outs) sc.apayload.push_back(&a);
      for (auto& a : ord) sc.apayload.push_back(&a);
      sort(sc);
      std::vector<const BShared*> gk(sc.keys.begin(), sc.keys.end());
      BShared start = ops::group_starts(P, gk);
      valid = valid_ones_ ? start : P.and_(valid, start);
      valid_ones_ = false;
    }
    // (when every row is valid, public from the plan, valid is no sort key, and LIMIT alone needs no sort)
    if (!plan_.order_by.empty() || (plan_.limit >= 0 && !valid_ones_)) {
      std::vector<BShared> ordb = a2b_many(ord);
      for (size_t i = 0; i < ordb.size(); ++i)
        if (plan_.order_by[i].desc) ordb[i] = ops::not_(ordb[i], me, n);
      BShared invalid = flip1(valid);
      ops::SortColumns sc;
      if (!valid_ones_) sc.keys.push_back(&invalid);
      for (auto& b : ordb) sc.keys.push_back(&b);
      for (auto& a : outs) sc.apayload.push_back(&a);
      sort(sc);
      valid = flip1(invalid);
    }
    // cut to the public row count
    if (result_rows < m) {
      for (auto& a : outs) a = ops::slice<AShared>(a, 0, result_rows);
      valid = ops::slice<BShared>(valid, 0, result_rows);
    }
    if (plan_.order_by.empty() && result_rows > 1) {
      std::vector<AShared*> as;
      for (auto& a : outs) as.push_back(&a);
      std::vector<BShared*> bs{&valid};
      P.shuffle_columns(as, bs);
    }
    // every cell × valid: one multiplication for all outputs
    AShared valid_a = ops::b2a_bit(P, valid);
    std::vector<const Shared*> parts, vparts;
    for (auto& a : outs) parts.push_back(&a), vparts.push_back(&valid_a);
    AShared prod = P.mul(ops::concat<AShared>(parts), ops::concat<AShared>(vparts));
    for (size_t i = 0; i < outs.size(); ++i) out.columns.push_back(ops::slice<AShared>(prod, i * result_rows, result_rows));
    out.valid = std::move(valid_a);
    P.verify();  // Fantastic Four: every pending hash compared before anything is written
    return out;
  }

 private:
  /** A node's value in whichever forms it has so far: additive (ints; bits as 0/1) and XOR (ints; bits in bit 0). */
  struct Val {
    bool bit = false;
    bool has_a = false, has_b = false;
    AShared a;
    BShared b;
  };

  Protocol& P;
  const Plan& plan_;
  SortKind sort_;
  int me, n, k;
  /** Public, from the plan alone: every row of the current table is valid (no WHERE, no HAVING, …). */
  bool valid_ones_ = false;

  void sort(ops::SortColumns& sc) {
    if (sort_ == SortKind::Bitonic) ops::bitonic_sort(P, sc, ops::Order::ascending);
    else ops::quicksort(P, sc, ops::Order::ascending);
  }

  AShared pub_a(const std::vector<uint32_t>& v) const { return ops::add_const(AShared(k, v.size()), v, me, n); }
  BShared pub_b(const std::vector<uint32_t>& v) const { return ops::xor_const(BShared(k, v.size()), v, me, n); }
  BShared flip1(const BShared& x) const { return ops::xor_const(x, 1u, me, n); }
  static Val leaf_a(const AShared& a) {
    Val v;
    v.has_a = true;
    v.a = a;
    return v;
  }

  const AShared& A(Val& v) {
    if (!v.has_a) {
      v.a = v.bit ? ops::b2a_bit(P, v.b) : ops::b2a(P, v.b);
      v.has_a = true;
    }
    return v.a;
  }
  const BShared& B(Val& v) {
    if (!v.has_b) {
      v.b = ops::a2b(P, v.a);  // ints only: bits are born XOR-shared
      v.has_b = true;
    }
    return v.b;
  }

  /** A2B of several columns in one call (one set of rounds). */
  std::vector<BShared> a2b_many(const std::vector<AShared>& xs) {
    std::vector<BShared> out;
    if (xs.empty()) return out;
    std::vector<const Shared*> parts;
    for (auto& x : xs) parts.push_back(&x);
    BShared all = ops::a2b(P, ops::concat<AShared>(parts));
    size_t off = 0;
    for (auto& x : xs) out.push_back(ops::slice<BShared>(all, off, x.size())), off += x.size();
    return out;
  }

  template <class Leaf>
  std::vector<Val> eval_nodes(const std::vector<Node>& nodes, size_t size, Leaf leaf) {
    std::vector<Val> v(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node& node = nodes[i];
      Val r;
      r.bit = node.type == Type::Bit;
      auto arg = [&](int j) -> Val& { return v[node.args[j]]; };
      switch (node.op) {
        case Op::Col:
        case Op::Key:
        case Op::Agg:
          r = leaf(node);
          r.bit = false;
          break;
        case Op::Const: {
          std::vector<uint32_t> c(size, static_cast<uint32_t>(node.value));
          r.a = pub_a(c), r.b = pub_b(c), r.has_a = r.has_b = true;
          break;
        }
        case Op::Neg: r.a = ops::neg(A(arg(0))), r.has_a = true; break;
        case Op::Add: r.a = ops::add(A(arg(0)), A(arg(1))), r.has_a = true; break;
        case Op::Sub: r.a = ops::sub(A(arg(0)), A(arg(1))), r.has_a = true; break;
        case Op::Mul: r.a = P.mul(A(arg(0)), A(arg(1))), r.has_a = true; break;
        case Op::Eq: r.b = ops::eq(P, B(arg(0)), B(arg(1))), r.has_b = true; break;
        case Op::Ne: r.b = flip1(ops::eq(P, B(arg(0)), B(arg(1)))), r.has_b = true; break;
        case Op::Lt: r.b = ops::lt(P, B(arg(0)), B(arg(1))), r.has_b = true; break;
        case Op::Gt: r.b = ops::lt(P, B(arg(1)), B(arg(0))), r.has_b = true; break;
        case Op::Le: r.b = flip1(ops::lt(P, B(arg(1)), B(arg(0)))), r.has_b = true; break;
        case Op::Ge: r.b = flip1(ops::lt(P, B(arg(0)), B(arg(1)))), r.has_b = true; break;
        case Op::And: r.b = P.and_(B(arg(0)), B(arg(1))), r.has_b = true; break;
        case Op::Or: {
          const BShared& x = B(arg(0));
          const BShared& y = B(arg(1));
          r.b = ops::xor_(ops::xor_(x, y), P.and_(x, y)), r.has_b = true;
          break;
        }
        case Op::Not: r.b = flip1(B(arg(0))), r.has_b = true; break;
        case Op::If: {
          const AShared c = A(arg(0));
          r.a = ops::mux(P, c, A(arg(1)), A(arg(2))), r.has_a = true;
          break;
        }
      }
      v[i] = std::move(r);
    }
    return v;
  }

  /** The group phase's table: m rows, the group nodes' values, the group valid bit. */
  void aggregate(std::vector<Val>& row, const BShared& row_valid, size_t rows, std::vector<Val>& vals, BShared& valid, size_t& m) {
    const auto& aggs = plan_.aggregates;
    const bool no_keys = plan_.keys.empty();
    bool simple = no_keys;
    for (auto& g : aggs) simple = simple && (g.op == AggOp::Sum || g.op == AggOp::Count);
    std::vector<AShared> agg_a(aggs.size());
    std::vector<AShared> key_a;
    if (simple) {  // Σ valid·x: one multiplication for every SUM, local sums
      m = 1;
      AShared va = ops::b2a_bit(P, row_valid);
      std::vector<const Shared*> xs, vs;
      for (auto& g : aggs)
        if (g.op == AggOp::Sum) xs.push_back(&A(row[g.arg])), vs.push_back(&va);
      AShared prod = xs.empty() ? AShared(k, 0) : P.mul(ops::concat<AShared>(xs), ops::concat<AShared>(vs));
      size_t s = 0;
      for (size_t i = 0; i < aggs.size(); ++i) {
        const AShared* col = &va;
        AShared part;
        if (aggs[i].op == AggOp::Sum) part = ops::slice<AShared>(prod, (s++) * rows, rows), col = &part;
        agg_a[i] = AShared(k, 1);
        for (int j = 0; j < k; ++j) {
          uint32_t t = 0;
          for (uint32_t x : col->share[j]) t += x;
          agg_a[i].share[j][0] = t;
        }
      }
      valid = pub_b(std::vector<uint32_t>(1, 1));
      valid_ones_ = true;
    } else {
      grouped(row, row_valid, rows, agg_a, key_a, valid);
      m = no_keys ? 1 : rows;
    }
    vals = eval_nodes(plan_.group_nodes, m, [&](const Node& node) { return leaf_a(node.op == Op::Key ? key_a.at(node.index) : agg_a.at(node.index)); });
    if (plan_.having >= 0) valid = P.and_(valid, B(vals[plan_.having])), valid_ones_ = false;
  }

  /** Sort-based aggregation (see the top of the file). keys = []: one row, the last, × its valid bit. */
  void grouped(std::vector<Val>& row, const BShared& row_valid, size_t rows, std::vector<AShared>& agg_a, std::vector<AShared>& key_a, BShared& valid) {
    const auto& aggs = plan_.aggregates;
    const bool no_keys = plan_.keys.empty();
    const bool vpub = plan_.filter < 0;  // public: every row valid, so valid is no sort or group key
    // the arguments that must be part of a sort key (MIN, MAX, COUNT(DISTINCT)), each once
    std::vector<int> ordered;
    for (auto& g : aggs)
      if ((g.op == AggOp::Min || g.op == AggOp::Max || g.op == AggOp::CountDistinct) && std::find(ordered.begin(), ordered.end(), g.arg) == ordered.end())
        ordered.push_back(g.arg);
    // XOR forms of the keys and ordered arguments: one A2B for all that lack one
    {
      std::vector<int> need;
      for (int kidx : plan_.keys) if (!row[kidx].has_b) need.push_back(kidx);
      for (int a : ordered) if (!row[a].has_b && std::find(need.begin(), need.end(), a) == need.end()) need.push_back(a);
      std::vector<AShared> as;
      for (int i : need) as.push_back(A(row[i]));
      std::vector<BShared> bs = a2b_many(as);
      for (size_t i = 0; i < need.size(); ++i) row[need[i]].b = std::move(bs[i]), row[need[i]].has_b = true;
    }
    // the main sort: (valid, keys, ordered[0]); payload: keys, SUM/AVG arguments, ordered[0] (additive)
    BShared vsorted = row_valid;
    std::vector<BShared> keyb;
    for (int kidx : plan_.keys) keyb.push_back(row[kidx].b);
    key_a.clear();
    for (int kidx : plan_.keys) key_a.push_back(A(row[kidx]));
    std::vector<int> summed;  // row nodes summed per group (SUM, AVG)
    for (auto& g : aggs)
      if ((g.op == AggOp::Sum || g.op == AggOp::Avg) && std::find(summed.begin(), summed.end(), g.arg) == summed.end()) summed.push_back(g.arg);
    std::vector<AShared> summed_a;
    for (int s : summed) summed_a.push_back(A(row[s]));
    std::vector<BShared> ordb(ordered.size());
    std::vector<AShared> orda(ordered.size());
    for (size_t i = 0; i < ordered.size(); ++i) ordb[i] = row[ordered[i]].b, orda[i] = A(row[ordered[i]]);
    {
      ops::SortColumns sc;
      if (!vpub) sc.keys.push_back(&vsorted);
      for (auto& b : keyb) sc.keys.push_back(&b);
      if (!ordered.empty()) sc.keys.push_back(&ordb[0]), sc.apayload.push_back(&orda[0]);
      for (auto& a : key_a) sc.apayload.push_back(&a);
      for (auto& a : summed_a) sc.apayload.push_back(&a);
      sort(sc);
    }
    // the other ordered arguments: a sort of their own by (valid, keys, arg); the groups keep their positions
    for (size_t i = 1; i < ordered.size(); ++i) {
      BShared v2 = row_valid;
      std::vector<BShared> kb2;
      for (int kidx : plan_.keys) kb2.push_back(row[kidx].b);
      ops::SortColumns sc;
      if (!vpub) sc.keys.push_back(&v2);
      for (auto& b : kb2) sc.keys.push_back(&b);
      sc.keys.push_back(&ordb[i]);
      sc.apayload.push_back(&orda[i]);
      sort(sc);
    }
    // group starts and ends (row 0 starts, the last row ends)
    std::vector<const BShared*> gk;
    if (!vpub) gk.push_back(&vsorted);
    for (auto& b : keyb) gk.push_back(&b);
    std::vector<uint32_t> first(rows, 0);
    first[0] = 1;
    BShared start = gk.empty() ? pub_b(first) : ops::group_starts(P, gk);  // no keys at all: one segment
    BShared end(k, rows);
    for (int j = 0; j < k; ++j) {
      for (size_t i = 0; i + 1 < rows; ++i) end.share[j][i] = start.share[j][i + 1];
      end.share[j][rows - 1] = ops::holds_share0(me, j, n) ? 1u : 0u;
    }
    // per ordered argument: a ≠ previous a (COUNT(DISTINCT)), one EQ call for all
    std::vector<BShared> changed(ordered.size());
    std::vector<bool> need_changed(ordered.size(), false);
    for (auto& g : aggs)
      if (g.op == AggOp::CountDistinct) need_changed[std::find(ordered.begin(), ordered.end(), g.arg) - ordered.begin()] = true;
    {
      std::vector<const Shared*> cur, prev;
      std::vector<BShared> prevs;
      std::vector<size_t> which;
      for (size_t i = 0; i < ordered.size(); ++i)
        if (need_changed[i]) which.push_back(i);
      prevs.reserve(which.size());
      for (size_t i : which) {
        BShared p(k, rows);
        for (int j = 0; j < k; ++j)
          for (size_t r = 1; r < rows; ++r) p.share[j][r] = ordb[i].share[j][r - 1];
        prevs.push_back(std::move(p));
        cur.push_back(&ordb[i]);
      }
      for (auto& p : prevs) prev.push_back(&p);
      if (!which.empty()) {
        BShared e = ops::eq(P, ops::concat<BShared>(cur), ops::concat<BShared>(prev));
        // changed = start ∨ ¬eq = ¬(eq ∧ ¬start)
        std::vector<const Shared*> nst;
        BShared not_start = flip1(start);
        for (size_t t = 0; t < which.size(); ++t) nst.push_back(&not_start);
        BShared both = P.and_(e, ops::concat<BShared>(nst));
        for (size_t t = 0; t < which.size(); ++t) changed[which[t]] = flip1(ops::slice<BShared>(both, t * rows, rows));
      }
    }
    // bits to 0/1 additive: start, and the change bits (one B2A call)
    AShared start_a;
    std::vector<AShared> changed_a(ordered.size());
    {
      std::vector<const Shared*> bits{&start};
      std::vector<size_t> which;
      for (size_t i = 0; i < ordered.size(); ++i)
        if (need_changed[i]) bits.push_back(&changed[i]), which.push_back(i);
      AShared all = ops::b2a_bit(P, ops::concat<BShared>(bits));
      start_a = ops::slice<AShared>(all, 0, rows);
      for (size_t t = 0; t < which.size(); ++t) changed_a[which[t]] = ops::slice<AShared>(all, (t + 1) * rows, rows);
    }
    // MIN: start·a carried through the segment (one mul call for every MIN argument)
    std::vector<AShared> first_a(ordered.size());
    {
      std::vector<size_t> which;
      for (auto& g : aggs)
        if (g.op == AggOp::Min) {
          size_t i = std::find(ordered.begin(), ordered.end(), g.arg) - ordered.begin();
          if (std::find(which.begin(), which.end(), i) == which.end()) which.push_back(i);
        }
      if (!which.empty()) {
        std::vector<const Shared*> xs, ss;
        for (size_t i : which) xs.push_back(&orda[i]), ss.push_back(&start_a);
        AShared prod = P.mul(ops::concat<AShared>(xs), ops::concat<AShared>(ss));
        for (size_t t = 0; t < which.size(); ++t) first_a[which[t]] = ops::slice<AShared>(prod, t * rows, rows);
      }
    }
    // one segmented prefix sum over every column that needs one
    std::vector<const Shared*> cols;
    std::map<std::string, size_t> at;  // what → block index
    auto want = [&](const std::string& what, const AShared* col) {
      if (at.count(what)) return;
      at[what] = cols.size();
      cols.push_back(col);
    };
    AShared ones = pub_a(std::vector<uint32_t>(rows, 1));
    for (auto& g : aggs) {
      const size_t oi = std::find(ordered.begin(), ordered.end(), g.arg) - ordered.begin();
      const size_t si = std::find(summed.begin(), summed.end(), g.arg) - summed.begin();
      switch (g.op) {
        case AggOp::Count: want("count", &ones); break;
        case AggOp::Sum: want("sum" + std::to_string(si), &summed_a[si]); break;
        case AggOp::Avg: want("sum" + std::to_string(si), &summed_a[si]), want("count", &ones); break;
        case AggOp::Min: want("min" + std::to_string(oi), &first_a[oi]); break;
        case AggOp::CountDistinct: want("cd" + std::to_string(oi), &changed_a[oi]); break;
        case AggOp::Max: break;
      }
    }
    AShared sums;
    if (!cols.empty()) {
      std::vector<const Shared*> starts(cols.size(), &start_a);
      sums = ops::segmented_prefix_sum(P, ops::concat<AShared>(cols), ops::concat<AShared>(starts));
    }
    auto block = [&](const std::string& what) { return ops::slice<AShared>(sums, at.at(what) * rows, rows); };
    // AVG: one division for every AVG
    std::vector<size_t> avg_idx;
    for (size_t i = 0; i < aggs.size(); ++i)
      if (aggs[i].op == AggOp::Avg) avg_idx.push_back(i);
    std::vector<AShared> quotients;
    if (!avg_idx.empty()) {
      std::vector<AShared> num, den;
      AShared count = block("count");
      for (size_t i : avg_idx) {
        const size_t si = std::find(summed.begin(), summed.end(), aggs[i].arg) - summed.begin();
        num.push_back(block("sum" + std::to_string(si)));
        den.push_back(count);
      }
      std::vector<const Shared*> np, dp;
      for (auto& x : num) np.push_back(&x);
      for (auto& x : den) dp.push_back(&x);
      AShared q = divide(ops::concat<AShared>(np), ops::concat<AShared>(dp));
      for (size_t t = 0; t < avg_idx.size(); ++t) quotients.push_back(ops::slice<AShared>(q, t * rows, rows));
    }
    for (size_t i = 0, t = 0; i < aggs.size(); ++i) {
      const auto& g = aggs[i];
      const size_t oi = std::find(ordered.begin(), ordered.end(), g.arg) - ordered.begin();
      const size_t si = std::find(summed.begin(), summed.end(), g.arg) - summed.begin();
      switch (g.op) {
        case AggOp::Count: agg_a[i] = block("count"); break;
        case AggOp::Sum: agg_a[i] = block("sum" + std::to_string(si)); break;
        case AggOp::Avg: agg_a[i] = quotients[t++]; break;
        case AggOp::Min: agg_a[i] = block("min" + std::to_string(oi)); break;
        case AggOp::Max: agg_a[i] = orda[oi]; break;
        case AggOp::CountDistinct: agg_a[i] = block("cd" + std::to_string(oi)); break;
      }
    }
    if (no_keys) {
      // the last row; × its valid bit (0 when no row passed the filter: every aggregate is then 0)
      BShared last_valid = ops::slice<BShared>(vsorted, rows - 1, 1);
      AShared lv = ops::b2a_bit(P, last_valid);
      std::vector<const Shared*> xs, vs;
      std::vector<AShared> lasts;
      lasts.reserve(aggs.size());
      for (auto& a : agg_a) lasts.push_back(ops::slice<AShared>(a, rows - 1, 1));
      for (auto& a : lasts) xs.push_back(&a), vs.push_back(&lv);
      AShared prod = P.mul(ops::concat<AShared>(xs), ops::concat<AShared>(vs));
      for (size_t i = 0; i < aggs.size(); ++i) agg_a[i] = ops::slice<AShared>(prod, i, 1);
      valid = pub_b(std::vector<uint32_t>(1, 1));
    } else {
      valid = vpub ? end : P.and_(vsorted, end);
    }
  }

  /**
   * Signed integer division truncated toward zero, x / d for d > 0 (d below 2^31), on XOR shares, bit-sliced:
   * |x| by restoring division (32 steps of a Sklansky subtraction and a multiplexer), then the sign back.
   * Only the quotient leaves (B2A); x and d are never opened. Elements with d = 0 give garbage (masked later).
   */
  AShared divide(const AShared& x, const AShared& d) {
    const size_t len = x.size();
    BShared xb, nd;
    {
      AShared negd = ops::neg(d);
      std::vector<const Shared*> parts{&x, &negd};
      BShared both = ops::a2b(P, ops::concat<AShared>(parts));
      xb = ops::slice<BShared>(both, 0, len);
      nd = ops::slice<BShared>(both, len, len);
    }
    ops::Planes X = ops::to_planes(xb), ND = ops::to_planes(nd);
    const size_t w = X.words;
    // sign s = plane 31; |x| = (x ⊕ s…s) + s
    auto cond_negate = [&](ops::Planes& v, const ops::Planes& sign_src) {
      ops::Planes s(k, w);
      for (int j = 0; j < k; ++j) {
        const uint32_t* sp = sign_src.plane(j, 31);
        for (int b = 0; b < 32; ++b) {
          uint32_t* vp = v.plane(j, b);
          for (size_t t = 0; t < w; ++t) vp[t] ^= sp[t];
        }
        std::copy(sp, sp + w, s.plane(j, 0));
      }
      return ops::add_planes(P, v, s);
    };
    ops::Planes sign(k, w);  // keep the sign plane (plane 31 only used)
    for (int j = 0; j < k; ++j) std::copy(X.plane(j, 31), X.plane(j, 31) + w, sign.plane(j, 31));
    ops::Planes absx = cond_negate(X, sign);
    ops::Planes R(k, w), Q(k, w);
    for (int i = 31; i >= 0; --i) {
      ops::Planes Rs(k, w);
      for (int j = 0; j < k; ++j) {
        std::copy(absx.plane(j, i), absx.plane(j, i) + w, Rs.plane(j, 0));
        for (int b = 1; b < 32; ++b) std::copy(R.plane(j, b - 1), R.plane(j, b - 1) + w, Rs.plane(j, b));
      }
      ops::Planes T = ops::add_planes(P, Rs, ND);  // Rs − d; negative ⇔ Rs < d
      // R = t ? Rs : T = T ⊕ (t·(Rs ⊕ T)); q_i = ¬t
      BShared diff(k, 32 * w), mask(k, 32 * w);
      for (int j = 0; j < k; ++j) {
        const uint32_t* tp = T.plane(j, 31);
        for (int b = 0; b < 32; ++b) {
          const uint32_t* rp = Rs.plane(j, b);
          const uint32_t* ttp = T.plane(j, b);
          for (size_t t = 0; t < w; ++t) diff.share[j][b * w + t] = rp[t] ^ ttp[t], mask.share[j][b * w + t] = tp[t];
        }
        uint32_t* qp = Q.plane(j, i);
        for (size_t t = 0; t < w; ++t) qp[t] = tp[t] ^ (ops::holds_share0(me, j, n) ? 0xFFFFFFFFu : 0u);
      }
      BShared sel = P.and_(diff, mask);
      for (int j = 0; j < k; ++j)
        for (int b = 0; b < 32; ++b) {
          uint32_t* rp = R.plane(j, b);
          const uint32_t* ttp = T.plane(j, b);
          for (size_t t = 0; t < w; ++t) rp[t] = ttp[t] ^ sel.share[j][b * w + t];
        }
    }
    ops::Planes q = cond_negate(Q, sign);
    return ops::b2a(P, ops::from_planes<BShared>(q, len));
  }
};

/** The plan's columns from a party's share-file cells: `get(column index, block, j, row)`. */
template <class Get>
std::vector<InputColumn> input_columns(const Plan& plan, const std::vector<std::string>& file_columns, size_t rows, int k, Get get) {
  std::vector<InputColumn> cols;
  for (const auto& c : plan.columns) {
    long idx = -1;
    for (size_t i = 0; i < file_columns.size(); ++i)
      if (file_columns[i] == c) idx = static_cast<long>(i);
    if (idx < 0) throw EngineError("the plan reads column " + c + ", which the share file does not have");
    InputColumn col{c, AShared(k, rows), BShared(k, rows)};
    for (int j = 0; j < k; ++j)
      for (size_t r = 0; r < rows; ++r) col.a.share[j][r] = get(idx, 0, j, r), col.b.share[j][r] = get(idx, 1, j, r);
    cols.push_back(std::move(col));
  }
  return cols;
}

}  // namespace qs::plan
