// Files are written under NAME.partial and renamed to NAME once complete, so a file under its
// final name is always whole: a crash, a kill or a full disk leaves only the .partial.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "sim/detail/hdf5.hpp"

namespace softpower::detail {

inline std::filesystem::path partial_path_for(std::filesystem::path final_path) {
  final_path += ".partial";
  return final_path;
}

/// Creates the parent directories of `path`; failures are RuntimeFailures naming `path`.
inline void create_parent_directories(const std::filesystem::path& path) {
  const std::filesystem::path parent = path.parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    throw RuntimeFailure(path.string() + ": cannot create directory " + parent.string() + ": " +
                         ec.message());
  }
}

/// fsync(2) on a file or directory; errno is left set on failure.
inline bool sync_to_disk(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return rc == 0;
}

/// Makes the closed file `partial` durable and renames it to `final_path`. Failures before the
/// rename go through `check` and leave `partial` in place.
inline void commit_partial(const Checker& check, const std::filesystem::path& partial,
                           const std::filesystem::path& final_path) {
  if (!sync_to_disk(partial)) {
    check.fail(std::string("cannot sync the file to disk: ") + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(partial, final_path, ec);
  if (ec) check.fail("cannot rename to " + final_path.string() + ": " + ec.message());
  // The rename is done and the file complete; syncing the directory only makes the new name
  // durable sooner, so its failure is not an error.
  const std::filesystem::path dir = final_path.parent_path();
  static_cast<void>(sync_to_disk(dir.empty() ? std::filesystem::path(".") : dir));
}

}  // namespace softpower::detail
