// The plan tests' common ground (plan_examples_test, plan_malicious_test): the golden examples of
// domain/sql/examples/*.json read with a minimal JSON reader, and an example's plan rendered to the engine's
// text format (the same lines as domain/sql/plan-text.ts renderPlanText); a party's shares of an input table.
#pragma once

#include <cctype>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "plan/executor.hpp"
#include "plan/plan.hpp"
#include "protocols/local_ops.hpp"

namespace qs_test {

// ---- a minimal JSON reader (test only: the examples) ---------------------------------------------------
struct Json {
  enum Kind { Null, Bool, Num, Str, Arr, Obj } kind = Null;
  bool b = false;
  long long num = 0;
  std::string str;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;
  const Json& operator[](const std::string& key) const {
    for (auto& [k, v] : obj)
      if (k == key) return v;
    static Json null;
    return null;
  }
};

struct Parser {
  const std::string& s;
  size_t i = 0;
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  Json value() {
    ws();
    Json j;
    if (s[i] == '{') {
      j.kind = Json::Obj;
      ++i;
      ws();
      if (s[i] == '}') return ++i, j;
      for (;;) {
        ws();
        std::string key = value().str;
        ws();
        ++i;  // ':'
        j.obj.emplace_back(key, value());
        ws();
        if (s[i++] == '}') return j;
      }
    }
    if (s[i] == '[') {
      j.kind = Json::Arr;
      ++i;
      ws();
      if (s[i] == ']') return ++i, j;
      for (;;) {
        j.arr.push_back(value());
        ws();
        if (s[i++] == ']') return j;
      }
    }
    if (s[i] == '"') {
      j.kind = Json::Str;
      ++i;
      while (s[i] != '"') {
        if (s[i] == '\\') ++i;
        j.str += s[i++];
      }
      ++i;
      return j;
    }
    if (s.compare(i, 4, "null") == 0) return i += 4, j;
    if (s.compare(i, 4, "true") == 0) return i += 4, j.kind = Json::Bool, j.b = true, j;
    if (s.compare(i, 5, "false") == 0) return i += 5, j.kind = Json::Bool, j;
    j.kind = Json::Num;
    size_t end = i;
    while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '-')) ++end;
    j.num = std::stoll(s.substr(i, end - i));
    i = end;
    return j;
  }
};

// ---- the plan's text, as domain/sql/plan-text.ts renders it --------------------------------------------
inline std::string node_line(const std::string& kind, const Json& n) {
  std::string line = kind + " " + n["id"].str + " " + n["type"].str + " " + n["op"].str;
  const std::string& op = n["op"].str;
  if (op == "col") line += " " + n["column"].str;
  else if (op == "const") line += " " + std::to_string(n["value"].num);
  else if (op == "key" || op == "agg") line += " " + std::to_string(n["index"].num);
  else
    for (auto& a : n["args"].arr) line += " " + a.str;
  return line + "\n";
}

inline std::string render(const Json& p) {
  std::string t = "queryshield-plan/1\ntable " + p["table"].str + "\ncolumns";
  for (auto& c : p["columns"].arr) t += " " + c.str;
  t += "\n";
  for (auto& n : p["rowNodes"].arr) t += node_line("row", n);
  t += "filter " + (p["filter"].kind == Json::Null ? std::string("-") : p["filter"].str) + "\n";
  const Json& ag = p["aggregate"];
  if (ag.kind == Json::Null) t += "aggregate -\n";
  else {
    t += "aggregate " + std::to_string(ag["keys"].arr.size()) + " " + std::to_string(ag["aggregates"].arr.size()) + "\n";
    for (auto& k : ag["keys"].arr) t += "key " + k.str + "\n";
    for (auto& a : ag["aggregates"].arr) t += "agg " + a["op"].str + " " + (a["arg"].kind == Json::Null ? std::string("-") : a["arg"].str) + "\n";
  }
  for (auto& n : p["groupNodes"].arr) t += node_line("group", n);
  t += "having " + (p["having"].kind == Json::Null ? std::string("-") : p["having"].str) + "\n";
  for (auto& o : p["outputs"].arr) t += "output " + o["name"].str + " " + o["value"].str + "\n";
  t += std::string("distinct ") + (p["distinct"].b ? "1" : "0") + "\n";
  for (auto& o : p["orderBy"].arr) t += "order " + o["value"].str + (o["desc"].b ? " desc" : " asc") + "\n";
  const std::string lim = p["limit"].kind == Json::Null ? "-" : std::to_string(p["limit"].num);
  t += "limit " + lim + "\nrows " + p["outputRows"]["base"].str + " " + lim + "\nend\n";
  return t;
}

inline std::string examples_dir() {
  std::string f = __FILE__;  // this header, in engine/tests
  return f.substr(0, f.rfind("/engine/tests/")) + "/domain/sql/examples";
}

inline Json load(const std::string& name) {
  std::ifstream in(examples_dir() + "/" + name + ".json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.empty()) {
    std::fprintf(stderr, "cannot read example %s\n", name.c_str());
    ++qs_test::failures();
  }
  Parser p{text};
  return p.value();
}

/** An example: its JSON, its plan as the engine reads it (rendered, then parsed), its input's column names. */
struct Example {
  Json json;
  qs::plan::Plan plan;
  std::vector<std::string> columns;
};

/** Loads an example (empty when its file cannot be read: load counts a failure). */
inline std::optional<Example> load_example(const std::string& name) {
  Example ex{load(name), {}, {}};
  if (ex.json.kind != Json::Obj) return std::nullopt;
  std::istringstream text(render(ex.json["plan"]));
  ex.plan = qs::plan::parse_plan(text);
  for (auto& c : ex.json["input"]["columns"].arr) ex.columns.push_back(c.str);
  return ex;
}

/** A party's shares of input columns: arithmetic (seed + 2c) and boolean (seed + 2c + 1), as a share file has both. */
struct SharedColumns {
  std::vector<qs::AShared> as;
  std::vector<qs::BShared> bs;
  SharedColumns(const std::vector<std::vector<uint32_t>>& colv, int me, int parties, uint64_t seed) {
    for (size_t c = 0; c < colv.size(); ++c) {
      as.push_back(qs::ops::share_a_for_test(colv[c], me, parties, seed + 2 * c));
      bs.push_back(qs::ops::share_b_for_test(colv[c], me, parties, seed + 2 * c + 1));
    }
  }
  /** The plan's input columns from these shares (block 0 arithmetic, block 1 boolean). */
  std::vector<qs::plan::InputColumn> input(const qs::plan::Plan& pl, const std::vector<std::string>& columns, size_t rows, int k) const {
    return qs::plan::input_columns(pl, columns, rows, k, [&](long c, int block, int j, size_t r) {
      return block == 0 ? as[c].share[j][r] : bs[c].share[j][r];
    });
  }
};

}  // namespace qs_test
