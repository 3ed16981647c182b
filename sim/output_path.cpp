#include "sim/output_path.hpp"

#include <fmt/format.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "sim/error.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

// Linux's own limit (MAXSYMLINKS): a longer chain is a loop for every other program too.
constexpr int kMaxSymlinkHops = 40;

std::string kind_of(fs::file_type type) {
  switch (type) {
    case fs::file_type::regular: return "a regular file";
    case fs::file_type::directory: return "a folder";
    case fs::file_type::symlink: return "a symlink";
    case fs::file_type::block: return "a block device";
    case fs::file_type::character: return "a character device";
    case fs::file_type::fifo: return "a FIFO (named pipe)";
    case fs::file_type::socket: return "a socket";
    default: return "not a regular file";
  }
}

/// "-o out.h5" or "-o out.h5 (a symlink to /scratch/out.h5)".
std::string describe(const OutputPath& out, const fs::path& target) {
  std::string text = out.role.empty() ? out.path.string() : out.role + " " + out.path.string();
  if (target != out.path) text += " (a symlink to " + target.string() + ")";
  return text;
}

/// Full disk and I/O errors are the machine's state, not a wrong path.
[[noreturn]] void fail_folder(const std::string& what, const std::error_code& ec) {
  const std::string message = what + ": " + ec.message();
  if (ec.value() == ENOSPC || ec.value() == EDQUOT || ec.value() == EIO) throw RuntimeFailure(message);
  throw InputError(message);
}

/// The folder `target` goes into: checked writable, or created (returned in `created`).
void prepare_folder(const std::string& name, const fs::path& target, std::vector<std::string>& notes) {
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  const fs::file_status status = fs::status(folder, ec);
  if (status.type() == fs::file_type::not_found) {
    // The nearest existing ancestor must be a folder; a regular file in the way is a typo.
    for (fs::path up = folder.parent_path(); !up.empty(); up = up.parent_path()) {
      const fs::file_status s = fs::status(up, ec);
      if (s.type() == fs::file_type::not_found) {
        if (up == up.parent_path()) break;
        continue;
      }
      if (s.type() != fs::file_type::directory) {
        throw InputError(fmt::format("{}: cannot create its folder: {} is {}, not a folder", name, up.string(),
                                     kind_of(s.type())));
      }
      break;
    }
    fs::create_directories(folder, ec);
    if (ec) fail_folder(fmt::format("{}: cannot create its folder {}", name, folder.string()), ec);
    notes.push_back(fmt::format("created folder {} for {}", folder.string(), name));
    return;
  }
  if (ec) fail_folder(fmt::format("{}: cannot inspect its folder {}", name, folder.string()), ec);
  if (status.type() != fs::file_type::directory) {
    throw InputError(fmt::format("{}: {} is {}, not a folder", name, folder.string(), kind_of(status.type())));
  }
  // Write and search permission, checked now rather than when the first file is created.
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    throw InputError(fmt::format("{}: cannot write in folder {}: {}", name, folder.string(), std::strerror(errno)));
  }
}

/// Symlinks followed everywhere and dots removed, for comparing outputs with each other.
fs::path comparable(const fs::path& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  return ec ? fs::absolute(path, ec).lexically_normal() : p;
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec) && !ec;
}

/// True if `inner` is `outer` or inside it, symlinks followed.
bool inside(const fs::path& inner, const fs::path& outer) {
  const fs::path in = comparable(inner);
  const fs::path out = comparable(outer);
  auto i = in.begin();
  for (auto o = out.begin(); o != out.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == in.end() || *i != *o) return false;
  }
  return true;
}

fs::path partial_of(fs::path target) {
  target += ".partial";
  return target;
}

}  // namespace

fs::path write_target(const fs::path& path) {
  fs::path p = path;
  for (int hops = 0;; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec))) return p;
    if (hops == kMaxSymlinkHops) {
      throw InputError(fmt::format("{}: too many levels of symbolic links (a loop?)", path.string()));
    }
    const fs::path link = fs::read_symlink(p, ec);
    if (ec) throw InputError(fmt::format("{}: cannot read the symlink {}: {}", path.string(), p.string(), ec.message()));
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
}

std::vector<std::string> check_output_paths(const std::vector<OutputPath>& outputs,
                                            const std::vector<InputPath>& inputs) {
  std::vector<std::string> notes;
  std::vector<fs::path> seen;  // comparable targets of the outputs checked so far
  for (const OutputPath& out : outputs) {
    const fs::path target = write_target(out.path);
    const std::string name = describe(out, target);
    const fs::path filename = target.filename();
    if (!out.folder && (filename.empty() || filename == "." || filename == "..")) {
      throw InputError(fmt::format("{}: names a folder; give a file name", name));
    }
    std::error_code ec;
    const fs::file_status status = fs::status(target, ec);
    if (ec && status.type() != fs::file_type::not_found) {
      fail_folder(fmt::format("{}: cannot inspect", name), ec);
    }
    const fs::file_type wanted = out.folder ? fs::file_type::directory : fs::file_type::regular;
    if (fs::exists(status) && status.type() != wanted) {
      throw InputError(fmt::format(
          "{}: is {}; softpower writes {} there{}; choose another name", name, kind_of(status.type()),
          out.folder ? "a folder" : "a regular file",
          out.folder ? "" : " (under NAME.partial, renamed over NAME once complete, which would replace it)"));
    }
    for (const InputPath& in : inputs) {
      const auto conflict = [&](const std::string& what, bool alias) {
        throw InputError(fmt::format("{}: {} {} {}{}; writing there would destroy it; choose another name", name, what,
                                     in.role, in.path.string(), alias ? " (the same file by another name)" : ""));
      };
      if (out.folder) {
        if (fs::exists(status) && inside(in.path, target)) conflict("contains", false);
        continue;
      }
      if (same_file(target, in.path)) conflict("is also", out.path != in.path);
      const fs::path partial = partial_of(target);
      if (same_file(partial, in.path)) conflict("its temporary file " + partial.string() + " is", false);
    }
    if (!out.folder) {
      const fs::path partial = partial_of(target);
      const fs::file_status partial_status = fs::symlink_status(partial, ec);
      if (fs::exists(partial_status) && partial_status.type() != fs::file_type::regular) {
        throw InputError(fmt::format("{}: {} is in the way: it is {}, where softpower writes its temporary file; "
                                     "remove it or choose another name",
                                     name, partial.string(), kind_of(partial_status.type())));
      }
    }
    const fs::path key = comparable(target);
    for (std::size_t k = 0; k < seen.size(); ++k) {
      if (seen[k] == key) {
        throw InputError(fmt::format("{}: is also {} {}; give each output its own name", name, outputs[k].role,
                                     outputs[k].path.string()));
      }
    }
    seen.push_back(key);
    prepare_folder(name, target, notes);
  }
  return notes;
}

void ensure_replaceable(const fs::path& target, const fs::path& partial) {
  for (const fs::path& p : {target, partial}) {
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(p, ec);
    if (fs::exists(status) && status.type() != fs::file_type::regular) {
      throw RuntimeFailure(fmt::format("{}: is {} (it changed while softpower ran); not replaced", p.string(),
                                       kind_of(status.type())));
    }
  }
}

std::string full_disk_note(const fs::path& final_name, const fs::path& partial, int error_number,
                           const std::string& message) {
  const bool full = error_number == ENOSPC || error_number == EDQUOT ||
                    message.find(std::strerror(ENOSPC)) != std::string::npos ||
                    message.find(std::strerror(EDQUOT)) != std::string::npos;
  if (!full) return {};
  std::error_code ec;
  const std::uintmax_t written = fs::file_size(partial, ec);
  const std::uintmax_t have = ec ? 0 : written;
  // f_bavail: what an unprivileged writer may still use; root's reserve is not for results.
  struct statvfs vfs {};
  const fs::path folder = partial.parent_path().empty() ? fs::path(".") : partial.parent_path();
  const bool known = ::statvfs(folder.c_str(), &vfs) == 0;
  const std::uintmax_t free_bytes = known ? static_cast<std::uintmax_t>(vfs.f_bavail) * vfs.f_frsize : 0;
  // The write that failed needed more than the file had reached plus what was left.
  return fmt::format("the disk is full: {} needs more than {} bytes ({} bytes in {}{})", final_name.string(),
                     have + free_bytes, have, partial.string(),
                     known ? fmt::format(", {} free on its filesystem", free_bytes) : std::string());
}

void require_regular_input(const fs::path& path, const std::string& what) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);  // follows symlinks; never opens
  // A folder is left to the opener too: its read fails at once ("Is a directory").
  if (ec || status.type() == fs::file_type::not_found || status.type() == fs::file_type::regular ||
      status.type() == fs::file_type::directory) {
    return;
  }
  throw InputError(fmt::format("{}: cannot read {}: it is {}, not a regular file", path.string(), what,
                               kind_of(status.type())));
}

}  // namespace softpower
