#include "program.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "engine_error.hpp"

namespace qs {

bool is_plain_name(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(letter || (i > 0 && digit))) return false;
  }
  return true;
}

std::vector<Output> parse_program(std::istream& in) {
  std::vector<Output> outputs;
  std::set<std::string> names;
  std::string line;
  for (int no = 1; std::getline(in, line); ++no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.empty() || w[0][0] == '#') continue;
    const std::string where = "program line " + std::to_string(no) + " '" + line + "': ";
    Output o;
    if (w[0] == "sum" && w.size() == 3) o = {Op::Sum, w[1], w[2]};
    else if (w[0] == "count" && w.size() == 2) o = {Op::Count, w[1], ""};
    else throw EngineError(where + "expected 'sum <name> <column>' or 'count <name>'");
    if (!is_plain_name(o.name)) throw EngineError(where + "output name must be letters, digits and _");
    if (o.op == Op::Sum && !is_plain_name(o.column)) throw EngineError(where + "column must be letters, digits and _");
    if (!names.insert(o.name).second) throw EngineError(where + "output name " + o.name + " is used twice");
    outputs.push_back(o);
  }
  if (outputs.empty()) throw EngineError("the program has no outputs");
  return outputs;
}

std::vector<Output> read_program(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw EngineError("cannot read the program file " + path);
  return parse_program(in);
}

}  // namespace qs
