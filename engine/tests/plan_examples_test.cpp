// plan/: the golden examples of domain/sql/examples/*.json run on shares, 3PC and 4PC, parties as threads
// (run_parties): each example's plan is rendered to the engine's text format (the same lines as
// domain/sql/plan-text.ts renderPlanText), parsed by plan/plan.hpp, executed by plan/executor.hpp on shares of
// its input (both blocks, as the share files have them), and the reconstructed result is compared with the
// example's padded output: row count exactly, valid rows in order when `ordered`, else as a multiset, invalid
// rows all 0. Also: the result file's header, the plan reader's refusals, and that the messages exchanged
// (count and bytes per link) are the same for two different inputs of the same size.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "check.hpp"
#include "net/memory_communicator.hpp"
#include "plan/executor.hpp"
#include "plan/plan.hpp"
#include "plan_fixture.hpp"
#include "plan/result_file.hpp"
#include "protocols/local_ops.hpp"

using namespace qs;

namespace {

using qs_test::Json;

using Table = std::vector<std::vector<int32_t>>;

struct RunOut {
  Table rows;                              // reconstructed, _valid last
  std::string header;                      // party 0's result header
  std::vector<std::vector<uint64_t>> msgs, bytes;  // [party][peer] sent
};

/** Shares `input` (columns × rows) for `parties` parties and runs the example's plan; reconstructs the result. */
RunOut run_plan(const qs_test::Example& ex, const Table& input, int parties, uint64_t seed, plan::SortKind sort = plan::SortKind::Quicksort) {
  const plan::Plan& pl = ex.plan;
  const std::vector<std::string>& columns = ex.columns;
  const size_t rows = input.size();
  std::vector<std::vector<uint32_t>> colv(columns.size(), std::vector<uint32_t>(rows));
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < columns.size(); ++c) colv[c][r] = static_cast<uint32_t>(input[r][c]);
  std::vector<plan::PlanResult> results(parties);
  RunOut out;
  out.msgs.assign(parties, std::vector<uint64_t>(parties));
  out.bytes = out.msgs;
  std::mutex mu;
  net::run_parties(parties, [&](net::Communicator& comm) {
    auto proto = make_protocol(comm);
    const int me = comm.party();
    const int k = parties - 1;
    auto input_cols = qs_test::SharedColumns(colv, me, parties, seed).input(pl, columns, rows, k);
    plan::Executor ex(*proto, pl, sort);
    plan::PlanResult res = ex.run(input_cols, rows);
    std::lock_guard<std::mutex> lock(mu);
    for (int p = 0; p < parties; ++p)
      if (p != me) out.msgs[me][p] = comm.stats(p).messages_sent, out.bytes[me][p] = comm.stats(p).bytes_sent;
    results[me] = std::move(res);
  });
  const auto& r0 = results[0];
  const std::string csv = plan::result_csv(r0);
  out.header = csv.substr(0, csv.find('\n'));
  for (size_t row = 0; row < r0.rows; ++row) {
    std::vector<int32_t> line;
    for (size_t c = 0; c <= r0.columns.size(); ++c) {
      uint32_t sum = 0;
      for (int p = 0; p < parties; ++p) sum += c < r0.columns.size() ? results[p].columns[c].share[0][row] : results[p].valid.share[0][row];
      line.push_back(static_cast<int32_t>(sum));
    }
    out.rows.push_back(line);
  }
  return out;
}

std::string show(const Table& t) {
  std::string s;
  for (auto& r : t) {
    s += "  [";
    for (size_t i = 0; i < r.size(); ++i) s += (i ? "," : "") + std::to_string(r[i]);
    s += "]\n";
  }
  return s;
}

/** Compares as the README says: row count; valid rows in order (ordered) or as a multiset; invalid rows all 0. */
bool same_result(const Table& got, const Table& want, bool ordered) {
  if (got.size() != want.size()) return false;
  Table gv, wv;
  for (auto& r : got) {
    if (r.back() == 1) gv.push_back(r);
    else if (std::any_of(r.begin(), r.end(), [](int32_t x) { return x != 0; })) return false;
  }
  for (auto& r : want)
    if (r.back() == 1) wv.push_back(r);
  if (!ordered) std::sort(gv.begin(), gv.end()), std::sort(wv.begin(), wv.end());
  return gv == wv;
}

void example(const std::string& name, int parties, plan::SortKind sort) {
  const auto ex = qs_test::load_example(name);
  if (!ex) return;
  Table input, want;
  for (auto& r : ex->json["input"]["rows"].arr) {
    input.emplace_back();
    for (auto& v : r.arr) input.back().push_back(static_cast<int32_t>(v.num));
  }
  for (auto& r : ex->json["output"]["rows"].arr) {
    want.emplace_back();
    for (auto& v : r.arr) want.back().push_back(static_cast<int32_t>(v.num));
  }
  RunOut got = run_plan(*ex, input, parties, 1000 + parties, sort);
  const bool ok = same_result(got.rows, want, ex->json["ordered"].b);
  if (!ok) std::fprintf(stderr, "example %s (%d parties): got\n%swant\n%s", name.c_str(), parties, show(got.rows).c_str(), show(want).c_str());
  CHECK(ok);
  // the header: o_0 … o_{k-1} per output, then _valid_0 … _valid_{k-1}
  std::string header;
  for (auto& c : ex->json["output"]["columns"].arr)
    for (int j = 0; j < parties - 1; ++j) header += (header.empty() ? "" : ",") + c.str + "_" + std::to_string(j);
  if (got.header != header) std::fprintf(stderr, "example %s: header %s, want %s\n", name.c_str(), got.header.c_str(), header.c_str());
  CHECK(got.header == header);
  std::printf("%s %dPC %s: %s\n", name.c_str(), parties, sort == plan::SortKind::Bitonic ? "bitonic" : "quicksort", ok ? "ok" : "FAILED");
}

void refusals() {
  auto refused = [](const std::string& text, const std::string& part) {
    std::istringstream in(text);
    try {
      plan::parse_plan(in);
    } catch (const EngineError& e) {
      if (std::string(e.what()).find(part) == std::string::npos) std::fprintf(stderr, "refusal '%s' lacks '%s'\n", e.what(), part.c_str());
      CHECK(std::string(e.what()).find(part) != std::string::npos);
      return;
    }
    std::fprintf(stderr, "accepted a bad plan:\n%s", text.c_str());
    CHECK(false);
  };
  const std::string head = "queryshield-plan/1\ntable t\ncolumns a b\n";
  const std::string tail = "filter -\naggregate -\nhaving -\noutput x r0\ndistinct 0\nlimit -\nrows input_rows -\nend\n";
  refused("nope\n", "queryshield-plan/1");
  refused(head + "row r1 int col a\n" + tail, "expected id r0");
  refused(head + "row r0 int col c\n" + tail, "col must name");
  refused(head + "row r0 bit col a\n" + tail, "of type int");
  refused(head + "row r0 int const 2147483648\n" + tail, "not an integer in range");
  refused(head + "row r0 int col a\nrow r1 int add r0 r2\n" + tail, "earlier node");
  refused(head + "row r0 int col a\nrow r1 bit and r0 r0\n" + tail, "must be a bit");
  refused(head + "row r0 int col a\nrow r1 int frob r0\n" + tail, "unknown op");
  refused(head + "row r0 int col a\nfilter r0\naggregate -\nhaving -\noutput x r0\ndistinct 0\nlimit -\nrows input_rows -\nend\n", "must be a bit");
  refused(head + "row r0 int col a\nfilter -\naggregate -\nhaving -\noutput _VALID r0\ndistinct 0\nlimit -\nrows input_rows -\nend\n", "not allowed");
  refused(head + "row r0 int col a\nfilter -\naggregate 0 1\nagg sum r0\ngroup g0 int agg 0\nhaving -\noutput x g0\ndistinct 0\nlimit -\nrows input_rows -\nend\n", "rows base");
  refused(head + "row r0 int col a\nfilter -\naggregate -\nhaving -\noutput x r0\ndistinct 0\nlimit 3\nrows input_rows -\nend\n", "differs");
  refused(head + "row r0 int col a\n" + tail + "extra\n", "nothing may follow");
  refused(head + "row r0 int col a\nfilter -\naggregate -\nhaving -\noutput x r0\ndistinct 0\nlimit -\nrows input_rows -\n", "expected 'end'");
}

/** Two inputs of the example's size: its own, and one of values 0..2 (many ties, other groups, other
 *  filter outcomes). */
std::pair<Table, Table> two_inputs(const qs_test::Example& ex) {
  std::mt19937 rng(7);
  Table a, b;
  for (auto& r : ex.json["input"]["rows"].arr) {
    a.emplace_back(), b.emplace_back();
    for (size_t c = 0; c < ex.columns.size(); ++c) a.back().push_back(static_cast<int32_t>(r.arr[c].num)), b.back().push_back(static_cast<int32_t>(rng() % 3));
  }
  return {a, b};
}

/** The engine's view, exactly: with bitonic sorting (and for plans that sort nothing), every link carries the
 *  same number of messages and bytes for two different inputs of the same size. */
void same_traffic(const std::string& name, int parties, plan::SortKind sort) {
  const auto ex = qs_test::load_example(name);
  if (!ex) return;
  auto [a, b] = two_inputs(*ex);
  RunOut x = run_plan(*ex, a, parties, 11, sort), y = run_plan(*ex, b, parties, 12, sort);
  const bool same = x.msgs == y.msgs && x.bytes == y.bytes;
  if (!same)
    for (int p = 0; p < parties; ++p)
      for (int q = 0; q < parties; ++q)
        if (p != q)
          std::fprintf(stderr, "%s %dPC link %d->%d: %llu msgs %llu B vs %llu msgs %llu B\n", name.c_str(), parties, p, q, (unsigned long long)x.msgs[p][q],
                       (unsigned long long)x.bytes[p][q], (unsigned long long)y.msgs[p][q], (unsigned long long)y.bytes[p][q]);
  CHECK(same);
  std::printf("%s %dPC %s: same messages and bytes on every link for two inputs: %s\n", name.c_str(), parties,
              sort == plan::SortKind::Bitonic ? "bitonic" : "quicksort", same ? "yes" : "NO");
}

/** With quicksort the messages vary from run to run (the levels and comparisons of quicksort on a random
 *  permutation: the shuffle's), but their distribution must not depend on the data: R runs on each of two
 *  inputs, the mean bytes sent by party 0 agree within 4 standard errors. */
void same_traffic_distribution(const std::string& name, int parties, int runs) {
  const auto ex = qs_test::load_example(name);
  if (!ex) return;
  auto [a, b] = two_inputs(*ex);
  auto stats = [&](const Table& t, uint64_t seed) {
    double s = 0, s2 = 0;
    for (int r = 0; r < runs; ++r) {
      RunOut o = run_plan(*ex, t, parties, seed + r);
      double v = 0;
      for (int q = 1; q < parties; ++q) v += static_cast<double>(o.bytes[0][q]);
      s += v, s2 += v * v;
    }
    const double mean = s / runs;
    return std::pair<double, double>(mean, (s2 / runs - mean * mean) / runs);
  };
  auto [ma, va] = stats(a, 100);
  auto [mb, vb] = stats(b, 5000);
  const double se = std::sqrt(va + vb);
  const bool ok = std::fabs(ma - mb) <= 4 * se + 1e-9;
  std::printf("%s %dPC quicksort: party 0 sends %.0f B (input A) vs %.0f B (input B) on average over %d runs each, standard error %.0f: %s\n",
              name.c_str(), parties, ma, mb, runs, se, ok ? "same distribution" : "DIFFERENT");
  CHECK(ok);
}

}  // namespace

int main() {
  refusals();
  const char* names[] = {"traffic_select_star", "sum_count", "empty_aggregates", "filter_order_desc_limit", "distinct_in", "credit_score",
                         "wage_gap_academia", "wage_gap_degree", "wage_gap_experience", "wage_gap_region", "count_distinct_order_aggregate", "int32_wrap"};
  for (auto sort : {plan::SortKind::Quicksort, plan::SortKind::Bitonic})
    for (int parties : {3, 4})
      for (auto* name : names) example(name, parties, sort);
  for (int parties : {3, 4}) {
    for (auto* name : names) same_traffic(name, parties, plan::SortKind::Bitonic);
    for (auto* name : {"traffic_select_star", "sum_count"}) same_traffic(name, parties, plan::SortKind::Quicksort);
    same_traffic_distribution("credit_score", parties, 40);
  }
  return qs_test::finish();
}
