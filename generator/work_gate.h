#pragma once
// Admission for CPU-bound work: at most `slots` holders at once, admitted in arrival order.
// The server runs searches through one gate sized to the cores, so concurrent searches queue
// briefly instead of time-slicing each other (and every other thread) on the same cores, which
// stretches every one of them and makes the tail long.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace lexicon {

class WorkGate {
 public:
  explicit WorkGate(std::size_t slots);  // 0: one slot per core
  WorkGate(const WorkGate&) = delete;
  WorkGate& operator=(const WorkGate&) = delete;

  // Holds a slot from construction until destruction.
  class Pass {
   public:
    explicit Pass(WorkGate& gate);
    ~Pass();
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    WorkGate& gate_;
  };

  std::size_t slots() const { return slots_; }
  std::size_t waiting();  // arrivals not yet admitted

 private:
  void enter();
  void leave();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t slots_;
  std::size_t busy_ = 0;
  std::uint64_t next_ticket_ = 0;  // handed to the next arrival
  std::uint64_t admitted_ = 0;     // tickets below this have been admitted
};

}  // namespace lexicon
