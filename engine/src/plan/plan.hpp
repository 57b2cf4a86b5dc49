// The query plan (`queryshield-plan/1`, domain/sql/README.md) as the engine reads it: the text rendering of
// domain/sql/plan-text.ts (renderPlanText), one fact per line (format in plan/README.md). The reader checks
// everything the executor relies on (ids in order, references to earlier nodes of the same phase, argument
// and result types, phases of outputs, keys and ORDER BY, the output-row rule), so a bad file is refused with
// its line number before any party computes. Header-only (CMake globs only the other folders into qs_core).
#pragma once

#include <cctype>
#include <charconv>
#include <climits>
#include <cstdint>
#include <fstream>
#include <istream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "engine_error.hpp"

namespace qs::plan {

enum class Type { Int, Bit };
enum class Op { Col, Const, Neg, Add, Sub, Mul, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Not, If, Key, Agg };
enum class AggOp { Sum, Count, CountDistinct, Min, Max, Avg };

struct Node {
  Type type = Type::Int;
  Op op = Op::Const;
  std::string column;       // Col
  int32_t value = 0;        // Const
  int index = -1;           // Key, Agg
  std::vector<int> args;    // indices of earlier nodes of the same phase
};

struct Aggregate {
  AggOp op = AggOp::Count;
  int arg = -1;  // a row node, -1 for count
};

struct OrderKey {
  int value = -1;
  bool desc = false;
};

struct Output {
  std::string name;
  int value = -1;
};

struct Plan {
  std::string table;
  std::vector<std::string> columns;
  std::vector<Node> row_nodes;
  int filter = -1;                 // row node, -1: none
  bool has_aggregate = false;
  std::vector<int> keys;           // row nodes
  std::vector<Aggregate> aggregates;
  std::vector<Node> group_nodes;
  int having = -1;                 // group node, -1: none
  std::vector<Output> outputs;     // nodes of the outputs' phase
  bool distinct = false;
  std::vector<OrderKey> order_by;  // nodes of the outputs' phase
  long long limit = -1;            // -1: none
  bool base_one = false;           // outputRows.base == "one"

  /** The output's row count for `n` input rows: min(base, limit), public. */
  size_t output_rows(size_t n) const {
    size_t base = base_one ? 1 : n;
    return limit >= 0 && static_cast<unsigned long long>(limit) < base ? static_cast<size_t>(limit) : base;
  }
};

namespace detail {

inline bool plain_name(const std::string& s) {
  if (s.empty() || s.size() > 63 || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

inline long long parse_int(const std::string& s, long long lo, long long hi, const std::string& where) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) throw EngineError(where + ": '" + s.substr(0, 40) + "' is not an integer in range");
  return v;
}

inline bool is_int_op(Op op) {
  switch (op) {
    case Op::Col: case Op::Const: case Op::Neg: case Op::Add: case Op::Sub: case Op::Mul: case Op::If: case Op::Key: case Op::Agg: return true;
    default: return false;
  }
}

}  // namespace detail

/** Parses a plan text; throws EngineError naming the line of anything wrong. */
inline Plan parse_plan(std::istream& in) {
  using detail::parse_int;
  Plan p;
  std::string line;
  int no = 0;
  std::vector<std::vector<std::string>> lines;
  std::vector<int> numbers;
  while (std::getline(in, line)) {
    ++no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> t;
    std::istringstream ls(line);
    for (std::string w; ls >> w;) t.push_back(w);
    if (t.empty()) continue;
    lines.push_back(t);
    numbers.push_back(no);
  }
  size_t at = 0;
  auto where = [&](size_t i) { return "plan line " + std::to_string(i < numbers.size() ? numbers[i] : no + 1); };
  auto need = [&](const std::string& word) -> std::vector<std::string>& {
    if (at >= lines.size() || lines[at][0] != word) throw EngineError(where(at) + ": expected '" + word + "'");
    return lines[at++];
  };
  auto peek = [&](const std::string& word) { return at < lines.size() && lines[at][0] == word; };
  if (lines.empty() || lines[0].size() != 1 || lines[0][0] != "queryshield-plan/1") throw EngineError("the plan does not start with queryshield-plan/1");
  ++at;
  {
    auto& t = need("table");
    if (t.size() != 2) throw EngineError(where(at - 1) + ": table takes one name");
    p.table = t[1];
  }
  {
    auto& t = need("columns");
    for (size_t i = 1; i < t.size(); ++i) {
      if (!detail::plain_name(t[i])) throw EngineError(where(at - 1) + ": column '" + t[i].substr(0, 40) + "' is not a name");
      p.columns.push_back(t[i]);
    }
  }
  // nodes of one phase
  auto read_nodes = [&](const std::string& word, char prefix, std::vector<Node>& nodes, bool group) {
    static const std::map<std::string, Op> ops = {{"col", Op::Col}, {"const", Op::Const}, {"neg", Op::Neg}, {"add", Op::Add}, {"sub", Op::Sub},
                                                  {"mul", Op::Mul}, {"eq", Op::Eq}, {"ne", Op::Ne}, {"lt", Op::Lt}, {"le", Op::Le},
                                                  {"gt", Op::Gt}, {"ge", Op::Ge}, {"and", Op::And}, {"or", Op::Or}, {"not", Op::Not},
                                                  {"if", Op::If}, {"key", Op::Key}, {"agg", Op::Agg}};
    while (peek(word)) {
      const size_t li = at;
      auto& t = lines[at++];
      const std::string w = where(li);
      if (t.size() < 4) throw EngineError(w + ": a node line is '" + word + " <id> <type> <op> ...'");
      if (t[1] != std::string(1, prefix) + std::to_string(nodes.size())) throw EngineError(w + ": expected id " + prefix + std::to_string(nodes.size()));
      auto o = ops.find(t[3]);
      if (o == ops.end()) throw EngineError(w + ": unknown op '" + t[3].substr(0, 20) + "'");
      Node n;
      n.op = o->second;
      n.type = detail::is_int_op(n.op) ? Type::Int : Type::Bit;
      if (t[2] != (n.type == Type::Int ? "int" : "bit")) throw EngineError(w + ": " + t[3] + " is of type " + (n.type == Type::Int ? "int" : "bit"));
      auto args = [&](size_t count) {
        if (t.size() != 4 + count) throw EngineError(w + ": " + t[3] + " takes " + std::to_string(count) + " arguments");
      };
      switch (n.op) {
        case Op::Col: {
          args(1);
          bool known = false;
          for (auto& c : p.columns) known = known || c == t[4];
          if (group || !known) throw EngineError(w + ": col must name one of the plan's columns, in the row phase");
          n.column = t[4];
          break;
        }
        case Op::Const:
          args(1);
          n.value = static_cast<int32_t>(parse_int(t[4], INT32_MIN, INT32_MAX, w));
          break;
        case Op::Key:
        case Op::Agg: {
          args(1);
          if (!group) throw EngineError(w + ": key and agg belong to the group phase");
          const size_t count = n.op == Op::Key ? p.keys.size() : p.aggregates.size();
          n.index = static_cast<int>(parse_int(t[4], 0, static_cast<long long>(count) - 1, w));
          break;
        }
        default: {
          const size_t arity = (n.op == Op::Neg || n.op == Op::Not) ? 1 : n.op == Op::If ? 3 : 2;
          args(arity);
          for (size_t j = 0; j < arity; ++j) {
            const std::string& a = t[4 + j];
            int idx = -1;
            long long v = -1;
            if (a.size() > 1 && a[0] == prefix) {
              auto [end, ec] = std::from_chars(a.data() + 1, a.data() + a.size(), v);
              if (ec != std::errc() || end != a.data() + a.size()) v = -1;
            }
            if (v < 0 || v >= static_cast<long long>(nodes.size())) throw EngineError(w + ": argument '" + a.substr(0, 20) + "' is not an earlier node of this phase");
            idx = static_cast<int>(v);
            const bool want_bit = n.op == Op::And || n.op == Op::Or || n.op == Op::Not || (n.op == Op::If && j == 0);
            if ((nodes[idx].type == Type::Bit) != want_bit) throw EngineError(w + ": argument " + std::to_string(j + 1) + " must be " + (want_bit ? "a bit" : "an int"));
            n.args.push_back(idx);
          }
        }
      }
      nodes.push_back(n);
    }
  };
  auto ref = [&](const std::string& s, char prefix, const std::vector<Node>& nodes, Type type, const std::string& w, bool allow_none) -> int {
    if (allow_none && s == "-") return -1;
    if (s.size() < 2 || s[0] != prefix) throw EngineError(w + ": '" + s.substr(0, 20) + "' is not a node of the expected phase");
    const int idx = static_cast<int>(parse_int(s.substr(1), 0, static_cast<long long>(nodes.size()) - 1, w));
    if (nodes[idx].type != type) throw EngineError(w + ": " + s + " must be " + (type == Type::Int ? "an int" : "a bit") + " node");
    return idx;
  };
  read_nodes("row", 'r', p.row_nodes, false);
  {
    auto& t = need("filter");
    if (t.size() != 2) throw EngineError(where(at - 1) + ": filter takes one node or -");
    p.filter = ref(t[1], 'r', p.row_nodes, Type::Bit, where(at - 1), true);
  }
  {
    const size_t li = at;
    auto& t = need("aggregate");
    if (t.size() == 2 && t[1] == "-") p.has_aggregate = false;
    else if (t.size() == 3) {
      p.has_aggregate = true;
      const long long nk = parse_int(t[1], 0, 1000, where(li)), na = parse_int(t[2], 0, 1000, where(li));
      for (long long i = 0; i < nk; ++i) {
        auto& k = need("key");
        if (k.size() != 2) throw EngineError(where(at - 1) + ": key takes one node");
        p.keys.push_back(ref(k[1], 'r', p.row_nodes, Type::Int, where(at - 1), false));
      }
      for (long long i = 0; i < na; ++i) {
        auto& a = need("agg");
        const std::string w = where(at - 1);
        if (a.size() != 3) throw EngineError(w + ": agg takes an op and a node (or -)");
        static const std::map<std::string, AggOp> aops = {{"sum", AggOp::Sum}, {"count", AggOp::Count}, {"count_distinct", AggOp::CountDistinct},
                                                          {"min", AggOp::Min}, {"max", AggOp::Max}, {"avg", AggOp::Avg}};
        auto o = aops.find(a[1]);
        if (o == aops.end()) throw EngineError(w + ": unknown aggregate '" + a[1].substr(0, 20) + "'");
        Aggregate g;
        g.op = o->second;
        g.arg = g.op == AggOp::Count ? (a[2] == "-" ? -1 : throw EngineError(w + ": count takes no argument (-)")) : ref(a[2], 'r', p.row_nodes, Type::Int, w, false);
        p.aggregates.push_back(g);
      }
    } else throw EngineError(where(li) + ": aggregate is '-' or '<keys> <aggregates>'");
  }
  read_nodes("group", 'g', p.group_nodes, true);
  if (!p.has_aggregate && !p.group_nodes.empty()) throw EngineError("group nodes need an aggregate");
  {
    auto& t = need("having");
    if (t.size() != 2) throw EngineError(where(at - 1) + ": having takes one node or -");
    p.having = ref(t[1], 'g', p.group_nodes, Type::Bit, where(at - 1), true);
    if (!p.has_aggregate && p.having >= 0) throw EngineError(where(at - 1) + ": having needs an aggregate");
  }
  const char out_prefix = p.has_aggregate ? 'g' : 'r';
  const std::vector<Node>& out_nodes = p.has_aggregate ? p.group_nodes : p.row_nodes;
  while (peek("output")) {
    auto& t = lines[at++];
    const std::string w = where(at - 1);
    if (t.size() != 3) throw EngineError(w + ": output takes a name and a node");
    std::string lower = t[1];
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!detail::plain_name(t[1]) || lower == "_valid") throw EngineError(w + ": output name '" + t[1].substr(0, 40) + "' is not allowed");
    for (auto& o : p.outputs)
      if (o.name == t[1]) throw EngineError(w + ": output " + t[1] + " twice");
    p.outputs.push_back({t[1], ref(t[2], out_prefix, out_nodes, Type::Int, w, false)});
  }
  if (p.outputs.empty()) throw EngineError("the plan has no output");
  {
    auto& t = need("distinct");
    if (t.size() != 2 || (t[1] != "0" && t[1] != "1")) throw EngineError(where(at - 1) + ": distinct is 0 or 1");
    p.distinct = t[1] == "1";
  }
  while (peek("order")) {
    auto& t = lines[at++];
    const std::string w = where(at - 1);
    if (t.size() != 3 || (t[2] != "asc" && t[2] != "desc")) throw EngineError(w + ": order takes a node and asc or desc");
    p.order_by.push_back({ref(t[1], out_prefix, out_nodes, Type::Int, w, false), t[2] == "desc"});
  }
  {
    auto& t = need("limit");
    if (t.size() != 2) throw EngineError(where(at - 1) + ": limit takes a number or -");
    p.limit = t[1] == "-" ? -1 : parse_int(t[1], 0, INT32_MAX, where(at - 1));
  }
  {
    auto& t = need("rows");
    const std::string w = where(at - 1);
    if (t.size() != 3 || (t[1] != "input_rows" && t[1] != "one")) throw EngineError(w + ": rows takes input_rows or one, and the limit or -");
    p.base_one = t[1] == "one";
    const long long lim = t[2] == "-" ? -1 : parse_int(t[2], 0, INT32_MAX, w);
    if (lim != p.limit) throw EngineError(w + ": the rows limit differs from limit");
    if (p.base_one != (p.has_aggregate && p.keys.empty())) throw EngineError(w + ": rows base must be one exactly when there are aggregates without keys");
  }
  need("end");
  if (at != lines.size()) throw EngineError(where(at) + ": nothing may follow end");
  return p;
}

inline Plan read_plan(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw EngineError("cannot read the plan file " + path);
  return parse_plan(in);
}

}  // namespace qs::plan
