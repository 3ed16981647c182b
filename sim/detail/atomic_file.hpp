// Files are written under NAME.partial and renamed to NAME once complete, so a file under its
// final name is always whole: a crash, a kill or a full disk leaves only the .partial. NAME is
// first resolved through symlinks (sim/output_path.hpp), so that the rename replaces the file a
// link points to and never the link itself.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "sim/detail/hdf5.hpp"
#include "sim/output_path.hpp"

namespace softpower::detail {

/// Where the file that becomes `final_path` is written: next to the file a symlink
/// `final_path` points to, so the rename stays within one folder (and one filesystem).
inline std::filesystem::path partial_path_for(const std::filesystem::path& final_path) {
  std::filesystem::path partial = write_target(final_path);
  partial += ".partial";
  return partial;
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

/// Makes the closed file `partial` durable and renames it to `final_path` (to the file it points
/// to, if it is a symlink). Failures before the rename go through `check` and leave `partial` in
/// place; so does finding that `final_path` became a device, FIFO or folder meanwhile.
inline void commit_partial(const Checker& check, const std::filesystem::path& partial,
                           const std::filesystem::path& final_path) {
  if (!sync_to_disk(partial)) {
    check.fail(std::string("cannot sync the file to disk: ") + std::strerror(errno));
  }
  const std::filesystem::path target = write_target(final_path);
  ensure_replaceable(target, partial);
  std::error_code ec;
  std::filesystem::rename(partial, target, ec);
  if (ec) check.fail("cannot rename to " + target.string() + ": " + ec.message());
  // The rename is done and the file complete; syncing the directory only makes the new name
  // durable sooner, so its failure is not an error.
  const std::filesystem::path dir = target.parent_path();
  static_cast<void>(sync_to_disk(dir.empty() ? std::filesystem::path(".") : dir));
}

}  // namespace softpower::detail
