// qs-engine: the reference MPC engine. Each MPI rank is one party and reads only its own share file.
//
// Share layout (see activities/shares): n parties, k = n - 1; for each schema column c, local columns
// c_0..c_{k-1} are additive shares and [c]_0..[c]_{k-1} XOR shares, local column j holding global
// share (i + j) mod n. Sums of additive shares are shares of the sum, so SUM is computed locally on
// shares; COUNT(*) is public (every party knows its row count) and is written as a valid sharing.
// Before computing, the parties check over MPI that they agree on the row count and that replicated
// shares match (party i's copy of global share i+1 equals party i+1's), and fail loudly otherwise.
// Results carry only additive columns name_0..name_{k-1}: the reference engine does no A2B conversion.
#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Output {
  std::string op, name;
  int column = -1;
};

struct Args {
  int party = -1, parties = -1;
  std::string program, input, output;
};

[[noreturn]] void die(int rank, const std::string& msg) {
  std::cerr << "qs-engine party " << rank << ": " << msg << std::endl;
  MPI_Abort(MPI_COMM_WORLD, 2);
  std::exit(2);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

uint32_t parse_int32(const std::string& cell, int rank, size_t line) {
  char* end = nullptr;
  long long v = std::strtoll(cell.c_str(), &end, 10);
  if (cell.empty() || *end != '\0' || v < INT32_MIN || v > INT32_MAX) {
    die(rank, "line " + std::to_string(line) + ": '" + cell + "' is not a 32-bit integer");
  }
  return static_cast<uint32_t>(static_cast<int32_t>(v));
}

uint64_t fnv1a(uint64_t h, uint32_t v) {
  for (int b = 0; b < 4; ++b) {
    h ^= (v >> (8 * b)) & 0xffu;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--version") {
      std::cout << "qs-engine 1.0 (reference engine: SUM/COUNT on replicated shares)" << std::endl;
      return 0;
    }
  }
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--party") args.party = std::atoi(v.c_str());
    else if (k == "--parties") args.parties = std::atoi(v.c_str());
    else if (k == "--program") args.program = v;
    else if (k == "--input") args.input = v;
    else if (k == "--output") args.output = v;
    else die(rank, "unknown option " + k);
  }
  if (args.parties != 3 && args.parties != 4) die(rank, "--parties must be 3 or 4");
  if (size != args.parties) die(rank, "mpirun started " + std::to_string(size) + " ranks for " + std::to_string(args.parties) + " parties");
  if (args.party != rank) die(rank, "--party " + std::to_string(args.party) + " does not match MPI rank " + std::to_string(rank));
  const int n = args.parties, k = n - 1;

  // The program: one line per output.
  std::vector<Output> outputs;
  {
    std::ifstream in(args.program);
    if (!in) die(rank, "cannot read program " + args.program);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      std::istringstream ls(line);
      Output o;
      ls >> o.op >> o.name;
      if (o.op == "sum") ls >> o.column;
      if ((o.op != "sum" && o.op != "count") || o.name.empty() || (o.op == "sum" && o.column < 0)) die(rank, "bad program line: " + line);
      outputs.push_back(o);
    }
    if (outputs.empty()) die(rank, "empty program");
  }

  // This party's own share file.
  std::vector<std::vector<uint32_t>> rows;
  size_t width = 0;
  {
    std::ifstream in(args.input);
    if (!in) die(rank, "cannot read input " + args.input);
    std::string line;
    if (!std::getline(in, line)) die(rank, "input has no header");
    width = split(line, ',').size();
    if (width == 0 || width % (2 * k) != 0) die(rank, "header width " + std::to_string(width) + " is not a multiple of " + std::to_string(2 * k));
    size_t lineNo = 1;
    while (std::getline(in, line)) {
      ++lineNo;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      auto cells = split(line, ',');
      if (cells.size() != width) die(rank, "line " + std::to_string(lineNo) + " has " + std::to_string(cells.size()) + " values, header has " + std::to_string(width));
      std::vector<uint32_t> row(width);
      for (size_t c = 0; c < width; ++c) row[c] = parse_int32(cells[c], rank, lineNo);
      rows.push_back(std::move(row));
    }
  }
  const int columns = static_cast<int>(width / (2 * k));
  for (auto& o : outputs) {
    if (o.op == "sum" && o.column >= columns) die(rank, "program column " + std::to_string(o.column) + " is beyond the " + std::to_string(columns) + " shared columns");
  }

  // Consistency over MPI: same row count everywhere, and replicated shares agree with the neighbour.
  long long count = static_cast<long long>(rows.size()), lo = 0, hi = 0;
  MPI_Allreduce(&count, &lo, 1, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&count, &hi, 1, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
  if (lo != hi) die(rank, "parties disagree on the row count (" + std::to_string(lo) + " vs " + std::to_string(hi) + ")");
  uint64_t mine_next = 1469598103934665603ull, mine_own = 1469598103934665603ull;
  for (const auto& row : rows) {
    for (int c = 0; c < columns; ++c) {
      for (int x = 0; x < 2; ++x) {  // additive, then XOR block
        mine_own = fnv1a(mine_own, row[c * 2 * k + x * k + 0]);   // global share i
        mine_next = fnv1a(mine_next, row[c * 2 * k + x * k + 1]);  // global share i+1
      }
    }
  }
  uint64_t from_prev = 0;
  const int next = (rank + 1) % n, prev = (rank + n - 1) % n;
  MPI_Sendrecv(&mine_next, 1, MPI_UINT64_T, next, 7, &from_prev, 1, MPI_UINT64_T, prev, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  int bad = from_prev != mine_own ? 1 : 0, anyBad = 0;
  MPI_Allreduce(&bad, &anyBad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (anyBad) die(rank, "replicated shares are inconsistent between parties (a share file was tampered with or mixed up)");

  // Compute on this party's shares only.
  std::vector<std::vector<uint32_t>> result(outputs.size(), std::vector<uint32_t>(k, 0));
  for (size_t o = 0; o < outputs.size(); ++o) {
    for (int j = 0; j < k; ++j) {
      if (outputs[o].op == "count") {
        result[o][j] = ((rank + j) % n == 0) ? static_cast<uint32_t>(count) : 0u;
      } else {
        uint32_t acc = 0;
        for (const auto& row : rows) acc += row[outputs[o].column * 2 * k + j];  // wraps mod 2^32
        result[o][j] = acc;
      }
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);

  std::ofstream out(args.output);
  if (!out) die(rank, "cannot write " + args.output);
  for (size_t o = 0; o < outputs.size(); ++o) {
    for (int j = 0; j < k; ++j) out << (o || j ? "," : "") << outputs[o].name << "_" << j;
  }
  out << "\n";
  for (size_t o = 0; o < outputs.size(); ++o) {
    for (int j = 0; j < k; ++j) out << (o || j ? "," : "") << static_cast<int32_t>(result[o][j]);
  }
  out << "\n";
  out.close();
  if (!out) die(rank, "failed writing " + args.output);
  MPI_Finalize();
  return 0;
}
