// qs-engine: the QueryShield reference MPC engine. Each party runs its own process on its own host
// (`qs-engine run`), reads only its own share file, connects to the other parties over the engine's own
// authenticated and encrypted links (net/tcp_communicator: Noise KK over TCP), checks with them that they
// run the same plan and that their files fit together, then computes its result shares locally and writes them.
//
// Every step after connecting ends with an agreement over the links: each party tells every other one
// whether the step succeeded. When it failed anywhere, every party stops after that step (the failing
// one says why, the others say who failed) and exits non-zero. When a link fails (tampering, a wrong
// key, a peer gone), the party that sees it says which link and closes all its links with that reason,
// so the others stop at once too, each naming the link on which it learned it.
#include <signal.h>

#include <chrono>
#include <climits>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "args.hpp"
#include "consistency.hpp"
#include "engine_error.hpp"
#include "net/keys.hpp"
#include "net/peers.hpp"
#include "net/tcp_communicator.hpp"
#include "plan/executor.hpp"
#include "plan/plan.hpp"
#include "plan/result_file.hpp"
#include "protocols/protocol.hpp"
#include "share_file.hpp"

namespace {

/** One write per line: another process's lines (or a test reading both streams) never cut into ours. */
void say(std::ostream& out, const std::string& line) { out << (line + "\n") << std::flush; }

std::string prefix(int party) { return party >= 0 ? "qs-engine party " + std::to_string(party) + ": " : "qs-engine: "; }

/** A link failed in a step: the run cannot agree on anything any more; `reason` goes to the peers. */
struct Abort {
  std::string reason;
};

class Steps {
 public:
  explicit Steps(qs::net::Communicator& comm) : comm_(comm) {}

  /** Runs one step on this party and agrees with the others on whether it succeeded everywhere. */
  bool run(const std::string& what, const std::function<void()>& body) {
    ++number_;
    const int me = comm_.party();
    std::string error;
    try {
      body();
    } catch (const qs::net::LinkError& e) {
      fail_link(what, e.what());
    } catch (const std::exception& e) {
      error = e.what();
    }
    const std::string ok = "step " + std::to_string(number_) + " ok", failed = "step " + std::to_string(number_) + " failed";
    const std::string& mine = error.empty() ? ok : failed;
    int first = error.empty() ? INT_MAX : me;
    try {
      for (int p = 0; p < comm_.parties(); ++p) if (p != me) comm_.send(p, qs::net::Bytes(mine.begin(), mine.end()));
      for (int p = 0; p < comm_.parties(); ++p) {
        if (p == me) continue;
        const qs::net::Bytes m = comm_.recv(p);
        const std::string status(m.begin(), m.end());
        if (status == failed) first = std::min(first, p);
        else if (status != ok) throw qs::net::LinkError(me, p, "the parties are out of step (expected the outcome of step " + std::to_string(number_) + ")");
      }
    } catch (const qs::net::LinkError& e) {
      if (!error.empty()) {
        say(std::cerr, prefix(me) + what + " failed: " + error);
        throw Abort{what + " failed: " + error};
      }
      fail_link(what, e.what());
    }
    if (!error.empty()) say(std::cerr, prefix(me) + what + " failed: " + error);
    else if (first != INT_MAX) say(std::cerr, prefix(me) + "stopping: party " + std::to_string(first) + " failed " + what);
    return first == INT_MAX;
  }

 private:
  [[noreturn]] void fail_link(const std::string& what, const std::string& why) {
    say(std::cerr, prefix(comm_.party()) + what + " failed: " + why);
    throw Abort{what + " failed: " + why};
  }
  qs::net::Communicator& comm_;
  int number_ = 0;
};

int run(const qs::Args& args) {
  const int me = args.party;
  qs::net::noise::KeyPair key;
  std::vector<qs::net::Peer> peers;
  std::string listen_host = "0.0.0.0";
  int listen_port = 0;
  try {
    key = qs::net::read_key_file(args.key);
    peers = qs::net::read_peers(args.peers, args.parties);
    if (peers[me].pub != key.pub) {
      throw qs::EngineError("the key file " + args.key + " has the public key " + qs::net::to_hex(key.pub) + ", but the peers file gives party " +
                            std::to_string(me) + " " + qs::net::to_hex(peers[me].pub) + " (a mixed-up key or peers file)");
    }
    listen_port = peers[me].port;
    if (!args.listen.empty()) std::tie(listen_host, listen_port) = qs::net::parse_host_port(args.listen);
  } catch (const std::exception& e) {
    say(std::cerr, prefix(me) + "reading the keys failed: " + e.what());
    return 2;
  }

  qs::net::TcpOptions options;
  options.link_timeout_s = args.link_timeout_s;
  options.connect_timeout_s = args.connect_timeout_s;
  options.round_timeout_s = args.round_timeout_s;
  std::unique_ptr<qs::net::TcpCommunicator> comm;
  try {
    comm = std::make_unique<qs::net::TcpCommunicator>(me, peers, key, listen_host, listen_port, options);
  } catch (const std::exception& e) {
    say(std::cerr, prefix(me) + "connecting to the other parties failed: " + e.what());
    return 2;
  }

  std::string plan_text;
  qs::ShareTable table;
  qs::plan::Plan plan;
  qs::plan::PlanResult plan_result;
  Steps steps(*comm);
  bool ok = false;
  try {
    // "reading the program": the step's name from before plans, kept so that its failure lines read as before.
    ok = steps.run("reading the program", [&] {
      // Parsed from the text the parties compare in the consistency check, so what runs is what was compared.
      plan_text = qs::read_plan_text(args.plan);
      std::istringstream in(plan_text);
      plan = qs::plan::parse_plan(in);
    });
    ok = ok && steps.run("reading the share file", [&] {
      table = qs::read_share_file(args.input, args.parties);
      for (const auto& c : plan.columns)
        if (table.index_of(c) < 0) throw qs::EngineError("the plan reads column " + c + ", which the share file does not have");
    });
    ok = ok && steps.run("checking the parties' shares agree", [&] { qs::check_consistency(table, plan_text, *comm); });
    ok = ok && steps.run("computing", [&] {
      if (args.debug_pause_ms > 0) {  // tests only: a window to kill or stop this party mid-run
        say(std::cerr, prefix(me) + "pausing " + std::to_string(args.debug_pause_ms) + " ms before computing (--debug-pause-ms)");
        std::this_thread::sleep_for(std::chrono::milliseconds(args.debug_pause_ms));
      }
      // Interactive: a failure here (a check of Fantastic Four, a link) leaves the peers mid-protocol, so it
      // closes the links with the reason rather than agreeing on the step (the peers' recv then fail).
      try {
        auto proto = qs::make_protocol(*comm);
        auto input = qs::plan::input_columns(plan, table.columns, table.rows, table.k, [&](long c, int block, int j, size_t r) {
          return table.at(r, table.position(static_cast<size_t>(c), block ? qs::Block::Xor : qs::Block::Additive, j));
        });
        qs::plan::Executor executor(*proto, plan, args.bitonic ? qs::plan::SortKind::Bitonic : qs::plan::SortKind::Quicksort);
        plan_result = executor.run(input, table.rows);  // ends with verify(): nothing is written before it
      } catch (const qs::net::LinkError&) {
        throw;
      } catch (const std::exception& e) {
        say(std::cerr, prefix(me) + "computing failed: " + e.what());
        throw Abort{std::string("computing failed: ") + e.what()};
      }
    });
    ok = ok && steps.run("writing the result", [&] { qs::plan::write_plan_result(args.output, plan_result); });
  } catch (const Abort& abort) {
    comm->close(abort.reason);
    return 2;
  }
  for (int p = 0; p < args.parties; ++p) {
    if (p == me) continue;
    const auto s = comm->stats(p);
    const auto w = comm->wire_stats(p);
    say(std::cout, prefix(me) + "link party" + std::to_string(me) + " <-> party" + std::to_string(p) + ": payload sent " + std::to_string(s.bytes_sent) +
                       " B in " + std::to_string(s.messages_sent) + " messages, received " + std::to_string(s.bytes_received) + " B in " +
                       std::to_string(s.messages_received) + " messages; on the wire sent " + std::to_string(w.bytes_sent) + " B, received " +
                       std::to_string(w.bytes_received) + " B");
  }
  comm->close(ok ? "finished" : "stopped after a failed step");
  if (ok) {
    say(std::cout, prefix(me) + std::to_string(table.rows) + " rows, " + std::to_string(plan_result.names.size()) + " outputs, " + std::to_string(plan_result.rows) +
                       " result rows -> " + args.output);
  }
  return ok ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // a peer that vanished is a LinkError, never a silent death
  qs::Args args;
  try {
    args = qs::parse_args(argc, argv);
  } catch (const std::exception& e) {
    const int party = qs::party_hint(argc, argv);
    say(std::cerr, prefix(party) + (party >= 0 ? "reading the arguments failed: " : "") + e.what());
    return 2;
  }
  switch (args.command) {
    case qs::Command::Version:
      say(std::cout, qs::version());
      return 0;
    case qs::Command::Help:
      std::cout << qs::usage() << std::flush;
      return 0;
    case qs::Command::PubKey:
      try {
        say(std::cout, qs::net::to_hex(qs::net::read_key_file(args.key).pub));
        return 0;
      } catch (const std::exception& e) {
        say(std::cerr, prefix(-1) + e.what());
        return 2;
      }
    case qs::Command::Run:
      return run(args);
  }
  return 2;
}
