#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "work_gate.h"

using namespace lexicon;

namespace {
void wait_until(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(done());
}
}  // namespace

TEST_CASE("work gate: never more holders than slots") {
  WorkGate gate(2);
  CHECK(gate.slots() == 2);
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 50; ++k) {
        WorkGate::Pass pass(gate);
        int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(most.load() == 2);  // both slots were used, never a third
  CHECK(gate.waiting() == 0);
}

TEST_CASE("work gate: waiting arrivals are admitted first come, first served") {
  WorkGate gate(1);
  std::mutex order_mutex;
  std::vector<std::string> order;
  std::vector<std::thread> threads;
  {
    WorkGate::Pass held(gate);  // the only slot: everyone else queues
    for (const char* name : {"a", "b", "c", "d"}) {
      std::size_t before = gate.waiting();
      threads.emplace_back([&, name] {
        WorkGate::Pass pass(gate);
        std::lock_guard lock(order_mutex);
        order.push_back(name);
      });
      wait_until([&] { return gate.waiting() == before + 1; });  // queued before the next one starts
    }
  }
  for (auto& t : threads) t.join();
  CHECK(order == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("work gate: 0 slots means one per core") {
  WorkGate gate(0);
  CHECK(gate.slots() == std::max(1u, std::thread::hardware_concurrency()));
}
