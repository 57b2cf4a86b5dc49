// The command line: qs-engine --party <i> --parties <n> --program <file> --input <csv> --output <csv>.
#pragma once

#include <string>

namespace qs {

struct Args {
  int party = -1;
  int parties = -1;
  std::string program, input, output;
};

/** True when the command line only asks for --version or --help (answered without MPI). */
bool is_info_request(int argc, char** argv);
/** Prints the --version or --help text. */
void print_info(int argc, char** argv);
/** Parses and checks the options; throws EngineError naming what is wrong. */
Args parse_args(int argc, char** argv);

}  // namespace qs
