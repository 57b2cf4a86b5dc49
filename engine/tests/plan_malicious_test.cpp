// plan/ under Fantastic Four with a cheating party: the credit-score plan (domain/sql/examples) runs on 4
// parties as threads; one party, chosen at random, deviates once (adds a constant to a share it sends, or
// sends a wrong hash) at a random multiplication of the run. Every trial: no honest party finishes the plan
// (so none would write a result), and at least one honest party stops with "malicious behaviour detected".
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "check.hpp"
#include "net/memory_communicator.hpp"
#include "plan/executor.hpp"
#include "plan/plan.hpp"
#include "protocols/fantastic_four.hpp"
#include "protocols/local_ops.hpp"

using namespace qs;

namespace {

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
std::string node_line(const std::string& kind, const Json& n) {
  std::string line = kind + " " + n["id"].str + " " + n["type"].str + " " + n["op"].str;
  const std::string& op = n["op"].str;
  if (op == "col") line += " " + n["column"].str;
  else if (op == "const") line += " " + std::to_string(n["value"].num);
  else if (op == "key" || op == "agg") line += " " + std::to_string(n["index"].num);
  else
    for (auto& a : n["args"].arr) line += " " + a.str;
  return line + "\n";
}

std::string render(const Json& p) {
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

std::string examples_dir() {
  std::string f = __FILE__;
  return f.substr(0, f.rfind("/engine/tests/")) + "/domain/sql/examples";
}

Json load(const std::string& name) {
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


struct Outcome {
  bool finished = false, malicious = false;
  std::string what;
};

std::vector<Outcome> trial(const plan::Plan& pl, const std::vector<std::string>& columns, const std::vector<std::vector<uint32_t>>& colv, size_t rows,
                           Cheat::Kind kind, int cheater, int victim, int skip, uint64_t seed) {
  std::vector<Outcome> out(4);
  std::mutex mu;
  (void)cheater;
  try {
    net::run_parties(4, [&](net::Communicator& comm) {
      const int me = comm.party();
      try {
        FantasticFour proto(comm);
        std::vector<AShared> as;
        std::vector<BShared> bs;
        for (size_t c = 0; c < columns.size(); ++c) {
          as.push_back(ops::share_a_for_test(colv[c], me, 4, seed + 2 * c));
          bs.push_back(ops::share_b_for_test(colv[c], me, 4, seed + 2 * c + 1));
        }
        auto input = plan::input_columns(pl, columns, rows, 3, [&](long c, int block, int j, size_t r) { return block == 0 ? as[c].share[j][r] : bs[c].share[j][r]; });
        for (int s = 0; s < skip; ++s) proto.mul(as[0], as[0]);  // `skip` harmless rounds first
        if (me == cheater && kind != Cheat::Kind::none) {
          Cheat cheat;
          cheat.kind = kind;
          cheat.victim = victim;
          cheat.delta = 1 + static_cast<uint32_t>(seed % 1000);
          proto.set_cheat(cheat);
        }
        plan::Executor ex(proto, pl);
        ex.run(input, rows);
        std::lock_guard<std::mutex> lock(mu);
        out[me].finished = true;
      } catch (const MaliciousError& e) {
        std::lock_guard<std::mutex> lock(mu);
        out[me].malicious = true;
        out[me].what = e.what();
        throw;
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mu);
        out[me].what = e.what();
        throw;
      }
    });
  } catch (const std::exception&) {
  }
  return out;
}

}  // namespace

int main() {
  Json ex = load("credit_score");
  std::istringstream text(render(ex["plan"]));
  plan::Plan pl = plan::parse_plan(text);
  std::vector<std::string> columns;
  for (auto& c : ex["input"]["columns"].arr) columns.push_back(c.str);
  const size_t rows = ex["input"]["rows"].arr.size();
  std::vector<std::vector<uint32_t>> colv(columns.size(), std::vector<uint32_t>(rows));
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < columns.size(); ++c) colv[c][r] = static_cast<uint32_t>(ex["input"]["rows"].arr[r].arr[c].num);
  // control: nobody cheats, every party finishes
  {
    auto out = trial(pl, columns, colv, rows, Cheat::Kind::none, 0, 1, 1, 99);
    for (int p = 0; p < 4; ++p) {
      if (!out[p].finished) std::fprintf(stderr, "control: party %d did not finish: %s\n", p, out[p].what.c_str());
      CHECK(out[p].finished);
    }
  }
  std::mt19937_64 rng(2026);
  int caught = 0, trials = 0;
  for (auto kind : {Cheat::Kind::add_to_share, Cheat::Kind::wrong_hash}) {
    for (int t = 0; t < 12; ++t) {
      const int cheater = static_cast<int>(rng() % 4);
      const auto receivers = FantasticFour::mul_receivers(cheater);
      if (receivers.empty()) continue;
      const int victim = receivers[rng() % receivers.size()];
      auto out = trial(pl, columns, colv, rows, kind, cheater, victim, static_cast<int>(rng() % 3), rng());
      bool honest_finished = false, honest_caught = false;
      for (int p = 0; p < 4; ++p)
        if (p != cheater) honest_finished = honest_finished || out[p].finished, honest_caught = honest_caught || out[p].malicious;
      ++trials;
      if (!honest_finished && honest_caught) ++caught;
      else {
        std::fprintf(stderr, "trial kind %d cheater %d victim %d: an honest party finished %d, caught %d\n", static_cast<int>(kind), cheater, victim, honest_finished,
                     honest_caught);
        for (int p = 0; p < 4; ++p) std::fprintf(stderr, "  party %d: finished %d, %s\n", p, out[p].finished, out[p].what.c_str());
      }
      CHECK(!honest_finished);
      CHECK(honest_caught);
    }
  }
  std::printf("credit score plan, Fantastic Four, one cheating party: caught in %d of %d trials before any honest party finished\n", caught, trials);
  return qs_test::finish();
}
