// qs-engine: the QueryShield reference MPC engine. mpirun starts one rank per party (rank i = party i,
// each in its own folder); each rank reads only its own share file, the parties check over MPI that
// their files fit together, then each computes its result shares locally and writes them.
//
// Every step ends with an agreement over MPI: when a step fails on any party, every party stops after
// that step (the failing one says why, the others say who failed), and all exit non-zero. So no party
// is left waiting in a collective call, and mpirun fails as a whole.
#include <mpi.h>

#include <climits>
#include <exception>
#include <functional>
#include <iostream>
#include <string>

#include "aggregate.hpp"
#include "args.hpp"
#include "consistency.hpp"
#include "engine_error.hpp"
#include "program.hpp"
#include "share_file.hpp"

namespace {

/** Runs one step on this party and agrees with the others on whether it succeeded everywhere. */
bool step(int rank, const std::string& what, const std::function<void()>& body) {
  std::string error;
  try {
    body();
  } catch (const std::exception& e) {
    error = e.what();
  }
  int failed = error.empty() ? INT_MAX : rank, first = INT_MAX;
  MPI_Allreduce(&failed, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  // One write per line: std::cerr is unbuffered, so every << would be a write of its own, and mpirun
  // interleaves the ranks' writes (a test saw "qs-engine party 0qs-engine party : ...").
  std::string line;
  if (!error.empty()) {
    line = "qs-engine party " + std::to_string(rank) + ": " + what + " failed: " + error + "\n";
  } else if (first != INT_MAX) {
    line = "qs-engine party " + std::to_string(rank) + ": stopping: party " + std::to_string(first) + " failed " + what + "\n";
  }
  if (!line.empty()) std::cerr << line << std::flush;
  return first == INT_MAX;
}

}  // namespace

int main(int argc, char** argv) {
  if (qs::is_info_request(argc, argv)) {  // deploy_engine.yml runs --version outside mpirun
    qs::print_info(argc, argv);
    return 0;
  }
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  qs::Args args;
  std::vector<qs::Output> program;
  qs::ShareTable table;
  std::vector<qs::ResultColumn> result;
  bool ok = step(rank, "reading the arguments", [&] {
    args = qs::parse_args(argc, argv);
    if (size != args.parties) throw qs::EngineError("mpirun started " + std::to_string(size) + " ranks for " + std::to_string(args.parties) + " parties");
    if (args.party != rank) throw qs::EngineError("--party " + std::to_string(args.party) + " does not match MPI rank " + std::to_string(rank));
  });
  ok = ok && step(rank, "reading the program", [&] { program = qs::read_program(args.program); });
  ok = ok && step(rank, "reading the share file", [&] {
    table = qs::read_share_file(args.input, args.parties);
    qs::check_program_columns(program, table);
  });
  ok = ok && step(rank, "checking the parties' shares agree", [&] { qs::check_consistency(table, rank, args.parties); });
  if (ok) MPI_Barrier(MPI_COMM_WORLD);
  ok = ok && step(rank, "computing", [&] { result = qs::aggregate(program, table, rank, args.parties); });
  ok = ok && step(rank, "writing the result", [&] { qs::write_result_file(args.output, result); });
  if (ok) std::cout << "qs-engine party " << rank << ": " << table.rows << " rows, " << result.size() << " outputs -> " << args.output << std::endl;

  MPI_Finalize();
  return ok ? 0 : 2;
}
