// Checksums of large arrays that cost a small fraction of reading them: XXH64 over fixed 1 MiB
// blocks, hashed in parallel and folded in block order, so the value depends on the bytes only,
// never on the thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace softpower {

/// XXH64 (seed 0) of `bytes`, as the reference implementation computes it.
std::uint64_t xxh64(std::span<const std::byte> bytes);

/// Folds arrays, one add() each, into one checksum. Each array is cut into 1 MiB blocks whose
/// XXH64 values are computed in parallel; the array's length and its blocks' values, in order,
/// are then hashed again, and so are the arrays' values in the order they were added.
class BlockChecksum {
 public:
  void add(std::span<const std::byte> bytes);
  template <class T>
  void add_array(std::span<const T> values) {
    add(std::as_bytes(values));
  }
  [[nodiscard]] std::uint64_t value() const;

 private:
  std::uint64_t state_ = 0;
  std::uint64_t arrays_ = 0;
};

}  // namespace softpower
