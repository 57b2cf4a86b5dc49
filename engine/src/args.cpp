#include "args.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "engine_error.hpp"

namespace qs {
namespace {

const char* const kUsage =
    "usage:\n"
    "  qs-engine --version\n"
    "  qs-engine pubkey --key party.key\n"
    "  qs-engine run --party I --parties N --key party.key --peers peers.txt --plan plan.txt\n"
    "                --input input.csv --output result.csv [--listen ADDR:PORT] [--link-timeout SECONDS]\n"
    "                [--connect-timeout SECONDS] [--round-timeout SECONDS] [--sort quicksort|bitonic]\n"
    "party.key: `openssl genpkey -algorithm X25519 -outform DER`; peers.txt: one line per party, in index order,\n"
    "`<index> <address> <port> <pubkey-hex>`. --listen defaults to 0.0.0.0:<own port>; --link-timeout 30,\n"
    "--connect-timeout 60, --round-timeout 600 (the longest wait for one message while the peer's link stays alive).\n";

int parse_count(const std::string& option, const std::string& text) {
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) throw EngineError(option + " needs a number, got '" + text + "'");
  return value;
}

double parse_seconds(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v <= 0 || v > 86400) throw EngineError(option + " needs a number of seconds (above 0), got '" + text + "'");
  return v;
}

}  // namespace

const char* usage() { return kUsage; }
const char* version() { return "qs-engine 3.0 (QueryShield reference engine: compiled SQL plans on replicated secret shares, 3PC and Fantastic Four; links: Noise_KK_25519_ChaChaPoly_SHA256 over TCP)"; }

int party_hint(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--party") {
      try {
        return parse_count("--party", argv[i + 1]);
      } catch (const EngineError&) {
        return -1;
      }
    }
  }
  return -1;
}

Args parse_args(int argc, char** argv) {
  Args args;
  if (argc < 2) throw EngineError(std::string("no command\n") + kUsage);
  const std::string command = argv[1];
  if (command == "--version") {
    args.command = Command::Version;
    return args;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    args.command = Command::Help;
    return args;
  }
  if (command == "pubkey") args.command = Command::PubKey;
  else if (command == "run") args.command = Command::Run;
  else throw EngineError("unknown command '" + command + "'\n" + kUsage);

  for (int i = 2; i < argc; i += 2) {
    std::string option = argv[i];
    if (i + 1 >= argc) throw EngineError(option + " needs a value\n" + kUsage);
    std::string value = argv[i + 1];
    if (option == "--key") args.key = value;
    else if (args.command == Command::PubKey) throw EngineError("unknown option " + option + " for pubkey\n" + kUsage);
    else if (option == "--party") args.party = parse_count(option, value);
    else if (option == "--parties") args.parties = parse_count(option, value);
    else if (option == "--peers") args.peers = value;
    else if (option == "--plan") args.plan = value;
    else if (option == "--sort" && (value == "quicksort" || value == "bitonic")) args.bitonic = value == "bitonic";
    else if (option == "--input") args.input = value;
    else if (option == "--output") args.output = value;
    else if (option == "--listen") args.listen = value;
    else if (option == "--link-timeout") args.link_timeout_s = parse_seconds(option, value);
    else if (option == "--connect-timeout") args.connect_timeout_s = parse_seconds(option, value);
    else if (option == "--round-timeout") args.round_timeout_s = parse_seconds(option, value);
    else if (option == "--debug-pause-ms") args.debug_pause_ms = parse_count(option, value);
    else throw EngineError("unknown option " + option + "\n" + kUsage);
  }
  if (args.command == Command::PubKey) {
    if (args.key.empty()) throw EngineError(std::string("pubkey needs --key\n") + kUsage);
    return args;
  }
  if (args.party < 0 || args.parties < 0 || args.key.empty() || args.peers.empty() || args.plan.empty() || args.input.empty() ||
      args.output.empty()) {
    throw EngineError(std::string("--party, --parties, --key, --peers, --plan, --input and --output are all required\n") + kUsage);
  }
  if (args.parties != 3 && args.parties != 4) throw EngineError("--parties must be 3 (semi-honest) or 4 (malicious), got " + std::to_string(args.parties));
  if (args.party >= args.parties) throw EngineError("--party " + std::to_string(args.party) + " is not below --parties " + std::to_string(args.parties));
  return args;
}

}  // namespace qs
