// `softpower merge`: combines the shard files of one sweep into the file a single process
// would have written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace softpower {

struct MergeSummary {
  std::uint64_t runs = 0;    // runs in OUTPUT: every run of the sweep
  std::uint64_t shards = 0;  // input files
};

/// Checks that `inputs` are complete result files of the same sweep (same fingerprint, shard
/// count and layout, events included), that each shard appears once and that together they hold
/// every run of the sweep exactly once, then writes OUTPUT (atomically: OUTPUT.partial renamed when
/// complete), copying the runs in run-id order with one run in memory at a time. A single complete
/// unsharded sweep file (num_shards 1) is accepted and copied.
///
/// Datasets of OUTPUT equal those of an unsharded run of the sweep. Its provenance is shard 0's
/// except: `command_line`, the most `threads` of any input, the earliest `start_time`, shard
/// 0 of 1, and `merged_from` listing `inputs`. Throws InputError naming the offending file (and
/// the missing shards or runs); RuntimeFailure on I/O errors.
MergeSummary merge_results(const std::vector<std::filesystem::path>& inputs,
                           const std::filesystem::path& output, const std::string& command_line);

}  // namespace softpower
