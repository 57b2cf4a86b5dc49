#include "protocols/protocol.hpp"

#include "protocols/fantastic_four.hpp"
#include "protocols/replicated_3pc.hpp"

namespace qs {

std::unique_ptr<Protocol> make_protocol(net::Communicator& comm) {
  switch (comm.parties()) {
    case 3:
      return std::make_unique<Replicated3PC>(comm);
    case 4:
      return std::make_unique<FantasticFour>(comm);
    default:
      throw std::invalid_argument("no protocol for " + std::to_string(comm.parties()) + " parties (3: replicated 3PC, 4: Fantastic Four)");
  }
}

}  // namespace qs
