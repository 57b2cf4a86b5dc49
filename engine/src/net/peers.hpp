// peers.txt, written by the controller for every party: one line per party, all N in index order,
// `<index> <address> <port> <pubkey-hex>`. The address is what the others dial (a cloud party's public
// address, a namespace address locally). Blank lines and `#` comments are ignored.
#pragma once

#include <string>
#include <vector>

#include "net/noise.hpp"

namespace qs::net {

struct Peer {
  int index = -1;
  std::string address;
  int port = 0;
  noise::Key pub{};
};

/** Parses and checks a peers file for `parties` parties; throws std::runtime_error naming the line. */
std::vector<Peer> parse_peers(const std::string& text, int parties);
std::vector<Peer> read_peers(const std::string& path, int parties);

/** `ADDR:PORT` or `[v6]:PORT`; throws std::runtime_error otherwise. */
std::pair<std::string, int> parse_host_port(const std::string& text);

}  // namespace qs::net
