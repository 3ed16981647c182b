// AtomicBits: one bit per index, set at most once, from any number of threads (a run's "reached
// by any item" mark, an export's vertices found so far). For the run's mark: a bit instead of a byte per user makes the array a run
// clears 8x smaller (125 KB at 10^6 users), which is most of what a small cascade costs beyond
// the bare loop (docs/performance.md, eighth session).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace softpower {

class AtomicBits {
 public:
  /// `size` bits, all clear.
  explicit AtomicBits(std::size_t size)
      : words_(std::make_unique<std::atomic<std::uint64_t>[]>(size / 64 + 1)) {}

  /// Sets bit i; true if this call set it (it was clear before). A bit already set costs a load,
  /// not a read-modify-write of a word other threads may be writing.
  bool set(std::size_t i) {
    const std::uint64_t bit = std::uint64_t{1} << (i & 63);
    std::atomic<std::uint64_t>& word = words_[i >> 6];
    if (word.load(std::memory_order_relaxed) & bit) return false;
    return !(word.fetch_or(bit, std::memory_order_relaxed) & bit);
  }
  [[nodiscard]] bool test(std::size_t i) const {
    return (words_[i >> 6].load(std::memory_order_relaxed) >> (i & 63) & 1) != 0;
  }

 private:
  std::unique_ptr<std::atomic<std::uint64_t>[]> words_;
};

}  // namespace softpower
