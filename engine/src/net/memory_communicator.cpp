#include "net/memory_communicator.hpp"

#include <exception>
#include <thread>

namespace qs::net {

MemoryNetwork::MemoryNetwork(int parties) : n_(parties), queues_(static_cast<size_t>(parties * parties)) {}

void MemoryNetwork::push(int from, int to, Bytes message) {
  std::lock_guard<std::mutex> lock(mutex_);
  queues_[static_cast<size_t>(from * n_ + to)].messages.push_back(std::move(message));
  ready_.notify_all();
}

Bytes MemoryNetwork::pop(int from, int to) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto& q = queues_[static_cast<size_t>(from * n_ + to)].messages;
  ready_.wait(lock, [&] { return closed_ || !q.empty(); });
  if (q.empty()) throw LinkError(to, from, "closed (another party failed)");
  Bytes m = std::move(q.front());
  q.pop_front();
  return m;
}

void MemoryNetwork::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  ready_.notify_all();
}

MemoryCommunicator::MemoryCommunicator(MemoryNetwork& network, int party)
    : network_(network), party_(party), stats_(static_cast<size_t>(network.parties())) {}

void MemoryCommunicator::send(int to, Bytes message) {
  stats_[to].bytes_sent += message.size();
  stats_[to].messages_sent += 1;
  network_.push(party_, to, std::move(message));
}

Bytes MemoryCommunicator::recv(int from) {
  Bytes m = network_.pop(from, party_);
  stats_[from].bytes_received += m.size();
  stats_[from].messages_received += 1;
  return m;
}

void run_parties(int parties, const std::function<void(Communicator&)>& body) {
  MemoryNetwork network(parties);
  std::vector<std::exception_ptr> errors(static_cast<size_t>(parties));
  std::vector<std::thread> threads;
  for (int p = 0; p < parties; ++p) {
    threads.emplace_back([&, p] {
      MemoryCommunicator comm(network, p);
      try {
        body(comm);
      } catch (...) {
        errors[p] = std::current_exception();
        network.close();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) if (e) std::rethrow_exception(e);
}

}  // namespace qs::net
