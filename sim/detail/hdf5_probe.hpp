// A first read of a hostile HDF5 file in a child process.
//
// Debian 12's libhdf5 (1.10.8) trusts a file's global heap: a forged variable-length string can
// make H5HG_read read outside its heap or copy 100 GB over itself (fuzz/known-crashes). No
// public call reads a variable-length value without going through that code, so before a
// reader opens a file, a forked child reads every attribute and every small variable-length
// dataset of it; if the child dies, or loops (libhdf5 can walk a forged heap forever), the file is
// refused instead of crashing or hanging the process.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace softpower::detail {

/// Variable-length datasets with more elements than this are not read by the probe (they would
/// cost a second full read; no softpower reader reads such a dataset before a load's checks).
inline constexpr unsigned long long kProbeMaxVlenElements = 65536;

/// The environment variable that sets the probe's time limit in seconds.
inline constexpr const char* kProbeSecondsVariable = "SOFTPOWER_HDF5_PROBE_SECONDS";
inline constexpr double kProbeDefaultSeconds = 30.0;

/// The probe's time limit: kProbeSecondsVariable if set (InputError if it is not a number of
/// seconds in (0, 1e6]), else kProbeDefaultSeconds.
double hdf5_probe_seconds();

/// Reads the file at `path` in a forked child, with the child's output discarded (at most 64
/// groups deep, 100,000 objects and 256 MiB per value). Returns why the file must be refused
/// (the child was killed by a signal, exited abnormally, or ran longer than `timeout_seconds`,
/// in which case it is killed), or nothing if the child finished, whether or not HDF5 could read
/// the file (the reader then reports HDF5's own error), or could not be started.
std::optional<std::string> hdf5_probe_refusal(const std::filesystem::path& path, double timeout_seconds);

/// Runs `read` first in a forked child, with its output discarded and any exception it throws
/// ignored, and returns why the caller must not run it (as hdf5_probe_refusal). The child starts
/// from the caller's memory as it is, so a crash that depends on what libhdf5 finds in
/// uninitialised memory (fuzz/known-crashes) happens there first; the attribute walk alone
/// takes other paths through the library and can miss it.
std::optional<std::string> hdf5_rehearsal_refusal(const std::function<void()>& read, double timeout_seconds);

}  // namespace softpower::detail
