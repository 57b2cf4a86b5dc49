#include "args.hpp"

#include <charconv>
#include <iostream>

#include "engine_error.hpp"

namespace qs {
namespace {

const char* const kUsage =
    "usage: qs-engine --party <i> --parties <3|4> --program <program.txt> --input <shares.csv> --output <result.csv>\n"
    "Run under mpirun with one rank per party (rank i = --party i); each rank reads only its own share file.\n";

int parse_count(const std::string& option, const std::string& text) {
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) throw EngineError(option + " needs a number, got '" + text + "'");
  return value;
}

}  // namespace

bool is_info_request(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--version" || a == "--help" || a == "-h") return true;
  }
  return false;
}

void print_info(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--version") {
      std::cout << "qs-engine 1.1 (QueryShield reference engine: SUM/COUNT on replicated secret shares)" << std::endl;
      return;
    }
  }
  std::cout << kUsage;
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; i += 2) {
    std::string option = argv[i];
    if (i + 1 >= argc) throw EngineError(option + " needs a value\n" + kUsage);
    std::string value = argv[i + 1];
    if (option == "--party") args.party = parse_count(option, value);
    else if (option == "--parties") args.parties = parse_count(option, value);
    else if (option == "--program") args.program = value;
    else if (option == "--input") args.input = value;
    else if (option == "--output") args.output = value;
    else throw EngineError("unknown option " + option + "\n" + kUsage);
  }
  if (args.party < 0 || args.parties < 0 || args.program.empty() || args.input.empty() || args.output.empty()) {
    throw EngineError(std::string("--party, --parties, --program, --input and --output are all required\n") + kUsage);
  }
  if (args.parties != 3 && args.parties != 4) throw EngineError("--parties must be 3 (semi-honest) or 4 (malicious), got " + std::to_string(args.parties));
  if (args.party >= args.parties) throw EngineError("--party " + std::to_string(args.party) + " is not below --parties " + std::to_string(args.parties));
  return args;
}

}  // namespace qs
