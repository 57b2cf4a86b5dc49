// The command line, the contract the Ansible stages use:
//   qs-engine --version
//   qs-engine pubkey --key party.key
//   qs-engine run --party I --parties N --key party.key --peers peers.txt --plan plan.txt
//                 --input input.csv --output result.csv [--listen ADDR:PORT] [--link-timeout SECONDS]
//                 [--connect-timeout SECONDS] [--round-timeout SECONDS] [--sort quicksort|bitonic]
// --plan: a compiled SQL plan (domain/sql/plan-text.ts renderPlanText; engine/src/plan/README.md), run on the
// shares with the protocols.
// Hidden, for tests only: --debug-pause-ms MS (run sleeps that long before computing, so a test can
// kill a party mid-run; the links keep sending keep-alives meanwhile).
#pragma once

#include <string>

namespace qs {

enum class Command { Version, Help, PubKey, Run };

struct Args {
  Command command = Command::Help;
  int party = -1;
  int parties = -1;
  std::string key, peers, plan, input, output, listen;
  bool bitonic = false;  // --sort bitonic (default quicksort)
  double link_timeout_s = 30, connect_timeout_s = 60, round_timeout_s = 600;
  long debug_pause_ms = 0;
};

/** Parses and checks the options; throws EngineError naming what is wrong (with the usage). */
Args parse_args(int argc, char** argv);
/** Best effort, for error lines when parse_args failed: the value of --party, or -1. */
int party_hint(int argc, char** argv);
const char* usage();
const char* version();

}  // namespace qs
