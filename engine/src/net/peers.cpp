#include "net/peers.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "net/keys.hpp"

namespace qs::net {
namespace {

int parse_port(const std::string& text, const std::string& where) {
  int port = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) throw std::runtime_error(where + ": '" + text + "' is not a port (1-65535)");
  return port;
}

}  // namespace

std::vector<Peer> parse_peers(const std::string& text, int parties) {
  std::vector<Peer> peers;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const std::string where = "peers file line " + std::to_string(number);
    std::istringstream fields(line);
    std::string index, address, port, key, extra;
    if (!(fields >> index >> address >> port >> key) || (fields >> extra)) throw std::runtime_error(where + ": expected `<index> <address> <port> <pubkey-hex>`");
    Peer p;
    if (index != std::to_string(peers.size())) throw std::runtime_error(where + ": expected party " + std::to_string(peers.size()) + " (one line per party, in index order), got '" + index + "'");
    p.index = static_cast<int>(peers.size());
    p.address = address;
    p.port = parse_port(port, where);
    try {
      p.pub = key_from_hex(key);
    } catch (const std::exception& e) {
      throw std::runtime_error(where + ": " + e.what());
    }
    peers.push_back(p);
  }
  if (static_cast<int>(peers.size()) != parties) throw std::runtime_error("the peers file lists " + std::to_string(peers.size()) + " parties, expected " + std::to_string(parties));
  for (size_t i = 0; i < peers.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (peers[i].pub == peers[j].pub) throw std::runtime_error("the peers file gives parties " + std::to_string(j) + " and " + std::to_string(i) + " the same public key");
    }
  }
  return peers;
}

std::vector<Peer> read_peers(const std::string& path, int parties) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the peers file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_peers(text.str(), parties);
}

std::pair<std::string, int> parse_host_port(const std::string& text) {
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find("]:");
    if (close == std::string::npos) throw std::runtime_error("'" + text + "' is not ADDR:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) throw std::runtime_error("'" + text + "' is not ADDR:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  return {host, parse_port(port, "'" + text + "'")};
}

}  // namespace qs::net
