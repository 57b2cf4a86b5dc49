// n parties as threads of one process, linked by queues: the protocols' tests run every party's code
// for real (same messages, same counters) without sockets. The real links are net/tcp_*.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "net/communicator.hpp"

namespace qs::net {

/** The queues between n parties; make one per run, then one MemoryCommunicator per party. */
class MemoryNetwork {
 public:
  explicit MemoryNetwork(int parties);
  int parties() const { return n_; }
  void push(int from, int to, Bytes message);
  Bytes pop(int from, int to);
  /** Wakes every waiting recv with a LinkError (a party failed; the others must not wait forever). */
  void close();

 private:
  struct Queue {
    std::deque<Bytes> messages;
  };
  int n_;
  bool closed_ = false;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Queue> queues_;  // [from * n + to]
};

class MemoryCommunicator : public Communicator {
 public:
  MemoryCommunicator(MemoryNetwork& network, int party);
  int party() const override { return party_; }
  int parties() const override { return network_.parties(); }
  void send(int to, Bytes message) override;
  Bytes recv(int from) override;
  LinkStats stats(int peer) const override { return stats_[peer]; }

 private:
  MemoryNetwork& network_;
  int party_;
  std::vector<LinkStats> stats_;
};

/**
 * Runs `body(comm)` for every party on its own thread and waits for all. If a party throws, the network
 * is closed so the others stop too; the first exception (by party index) is rethrown.
 */
void run_parties(int parties, const std::function<void(Communicator&)>& body);

}  // namespace qs::net
