#include "work_gate.h"

#include <algorithm>
#include <thread>

namespace lexicon {

WorkGate::WorkGate(std::size_t slots) : slots_(slots) {
  if (slots_ == 0) slots_ = std::max(1u, std::thread::hardware_concurrency());
}

void WorkGate::enter() {
  std::unique_lock lock(mutex_);
  const std::uint64_t ticket = next_ticket_++;
  // First come, first served: a later arrival never overtakes one that is still waiting.
  changed_.wait(lock, [&] { return ticket == admitted_ && busy_ < slots_; });
  ++admitted_;
  ++busy_;
  lock.unlock();
  changed_.notify_all();  // the next ticket may fit in another free slot
}

void WorkGate::leave() {
  {
    std::lock_guard lock(mutex_);
    --busy_;
  }
  changed_.notify_all();
}

std::size_t WorkGate::waiting() {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(next_ticket_ - admitted_);
}

WorkGate::Pass::Pass(WorkGate& gate) : gate_(gate) { gate_.enter(); }
WorkGate::Pass::~Pass() { gate_.leave(); }

}  // namespace lexicon
