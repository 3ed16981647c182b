// A first read of a hostile HDF5 file in a child process.
//
// Debian 12's libhdf5 (1.10.8) trusts a file's global heap: a forged variable-length string can
// make H5HG_read read outside its heap or copy 100 GB over itself (fuzz/known-crashes). No
// public call reads a variable-length value without going through that code, so before a
// reader opens a file, a forked child reads every attribute and every small variable-length
// dataset of it; if the child dies, the file is refused instead of crashing the process.
#pragma once

#include <filesystem>

namespace softpower::detail {

/// Variable-length datasets with more elements than this are not read by the probe (they would
/// cost a second full read; no softpower reader reads such a dataset before a load's checks).
inline constexpr unsigned long long kProbeMaxVlenElements = 65536;

/// Reads the file at `path` in a forked child, with the child's output discarded (at most 64
/// groups deep, 100,000 objects and 256 MiB per value). Returns 0 if
/// the child finished (whether or not HDF5 could read the file), could not be started, or ran
/// longer than `timeout_seconds` (it is then killed); otherwise the signal that killed it, or
/// -1 if it exited abnormally without a signal (a sanitizer's report).
int hdf5_probe_crash(const std::filesystem::path& path, double timeout_seconds = 30.0);

}  // namespace softpower::detail
