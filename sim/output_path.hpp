// Output paths, checked before any work starts and guarded again where a file is renamed into
// place. Every file softpower writes is built as NAME.partial and renamed to NAME, and a rename
// replaces whatever NAME is: a device, a FIFO, a symlink, an input of the same command. The
// check turns each of those into an exit-2 error that names the path, in the first second of a
// job instead of after its hours of work (docs/output-format.md, "Output paths").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace softpower {

/// A file (or folder) a command writes. `role` names it in messages: "-o", "--gexf",
/// "export.graphml", "the checkpoint folder".
struct OutputPath {
  std::filesystem::path path;
  std::string role;
  bool folder = false;  // a folder the command fills and deletes (a sweep's checkpoint)
};

/// A file a command reads, which no output may be. `role`: "the scenario", "the graph file".
struct InputPath {
  std::filesystem::path path;
  std::string role;
};

/// Checks every output of a command before it does any work, without opening anything (a FIFO
/// would block an open). Throws InputError (exit 2) naming the output and the reason when:
/// - it exists and is not a regular file (for a folder output: not a folder), followed through
///   symlinks: a character or block device, a FIFO, a socket, a folder;
/// - it is one of `inputs` (std::filesystem::equivalent: other spellings, hard links and
///   symlinks are caught), or its NAME.partial is, or a folder output contains an input;
/// - two outputs are the same file;
/// - NAME.partial exists and is not a regular file;
/// - its folder cannot be written, or a component of the folder's path is not a folder;
/// - it is a symlink loop.
/// A symlink output is written through: the result replaces the file the link points to and
/// the link stays (write_target). A missing folder is created; the returned notes say which
/// ("created folder X for -o X/r.h5"), for the caller to print. Creating a folder fails with
/// RuntimeFailure (exit 1) on a full disk or an I/O error, InputError otherwise.
std::vector<std::string> check_output_paths(const std::vector<OutputPath>& outputs,
                                            const std::vector<InputPath>& inputs);

/// Before opening an input: throws InputError "NAME: cannot read WHAT: it is a FIFO (named
/// pipe), not a regular file" when `path` exists and, followed through symlinks, is a FIFO, a
/// device or a socket. A FIFO would block the open forever and a device never ends. A missing
/// file or a folder is left to the opener, whose message says so.
void require_regular_input(const std::filesystem::path& path, const std::string& what);

/// Where a write to `path` lands: `path` itself, or for a symlink the file it finally points to
/// (relative targets resolved against the link's folder), so that NAME.partial is created next
/// to the target and renamed over it, never over the link. Throws InputError on a loop.
std::filesystem::path write_target(const std::filesystem::path& path);

/// The last guard before `partial` is created or renamed to `target` (both as from
/// write_target): throws RuntimeFailure unless `target` is absent or a regular file and
/// `partial` is absent or a regular file. The check before the work makes this fire only when
/// something replaced the output while the command ran.
void ensure_replaceable(const std::filesystem::path& target, const std::filesystem::path& partial);

/// For a write that failed because its filesystem is full (`error_number` ENOSPC or EDQUOT, or
/// `message` saying so): what the disk lacks, as "the disk is full: NAME needs more than B bytes
/// (W bytes in PARTIAL, F free on its filesystem)". An empty string for any other failure.
/// `partial` is the file being written, `final_name` the name the user gave.
std::string full_disk_note(const std::filesystem::path& final_name, const std::filesystem::path& partial,
                           int error_number, const std::string& message);

}  // namespace softpower
