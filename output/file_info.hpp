// `softpower info FILE`: what a result file or a graph cache holds, in a few human-readable lines.
#pragma once

#include <filesystem>
#include <string>

namespace softpower {

/// Summarises a softpower result file (also an incomplete NAME.partial one: which runs it holds)
/// or a graph cache: provenance, shape, a result file's float series (with their column counts),
/// attitude snapshots and events (if it has them), and every dataset with its type, shape and
/// storage.
/// Throws InputError naming the path if the file is missing, not HDF5, or not a softpower file.
std::string describe_file(const std::filesystem::path& path);

}  // namespace softpower
