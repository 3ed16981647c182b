// The checkpoint of a sweep being written: completed runs, durable on disk as soon as they are
// appended, from which `softpower sweep --resume` rebuilds the result file after a kill.
// Each append is one segment file, written under a temporary name, fsync'd and renamed, so a
// kill at any moment leaves whole segments plus at most one temporary file that replay ignores.
// The on-disk format (manifest and segments) is described at the top of run_journal.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sim/run_result.hpp"

namespace softpower {

/// One writer: a RunJournal is not thread-safe and two RunJournals must not write the same
/// directory at once. The caller serializes every call (the sweep's single writer thread).
class RunJournal {
 public:
  /// Opens DIR as the journal of the sweep `fingerprint` (its `identity`, e.g. "shard 2/8 of
  /// sweep 0123abcd", goes into messages and the manifest). Creates DIR and its manifest if
  /// DIR does not exist (or is empty: a creation that was killed before its manifest).
  /// Throws InputError naming DIR if DIR holds the journal of a different fingerprint or
  /// identity, or is not a journal (no manifest, a foreign manifest, a regular file);
  /// RuntimeFailure if it cannot be created or read. Appends continue after the highest
  /// segment already in DIR.
  RunJournal(std::filesystem::path dir, std::string fingerprint, std::string identity);

  /// Appends the runs as one segment and returns once the segment is durable (fsync of the
  /// file and the directory). Throws RuntimeFailure naming the file on any I/O error (full
  /// disk), leaving no partial segment under a segment name. An empty `runs` writes nothing;
  /// the pointers must not be null.
  void append(const std::vector<const RunResult*>& runs);

  /// Calls `visit` for every run of every whole segment, in the order they were appended.
  /// Temporary files of an interrupted append are deleted. A segment that fails its checksum
  /// or does not parse (disk corruption, truncation) is skipped and named in the returned
  /// notes, so its runs are run again. A run recorded twice is visited once (the first time).
  /// Throws InputError if a segment belongs to another sweep (checked before any visit),
  /// RuntimeFailure if DIR cannot be listed; exceptions from `visit` propagate.
  std::vector<std::string> replay(const std::function<void(RunResult&&)>& visit) const;

  /// Deletes the journal (call after the result file is complete). DIR is first renamed to
  /// removal_dir_for(DIR) and then deleted, so a kill in the middle never leaves a DIR with some
  /// of its files (a manifest-less DIR is refused as "not a checkpoint"). Throws RuntimeFailure.
  void remove();

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  void create_manifest() const;
  void check_manifest() const;

  std::filesystem::path dir_;
  std::string fingerprint_;
  std::string identity_;
  std::uint64_t next_segment_ = 0;
};

/// Runs as one self-checking byte string, in the format of a journal segment, to send to
/// another process (MPI ranks). decode_runs reverses it.
std::vector<unsigned char> encode_runs(const std::vector<const RunResult*>& runs,
                                       const std::string& fingerprint);
/// Throws InputError if the bytes hold runs of another sweep, RuntimeFailure if they are
/// damaged; `origin` (e.g. "rank 3") goes into the message.
std::vector<RunResult> decode_runs(std::span<const unsigned char> bytes, const std::string& fingerprint,
                                   const std::string& origin);

/// The journal directory that belongs to a result file: FINAL_PATH + ".checkpoint".
std::filesystem::path journal_dir_for(const std::filesystem::path& final_path);

/// Where RunJournal::remove() moves DIR before deleting it: DIR + ".deleting".
std::filesystem::path removal_dir_for(const std::filesystem::path& dir);

/// Finishes a RunJournal::remove() of DIR that a kill interrupted: deletes removal_dir_for(DIR)
/// if it exists. Throws RuntimeFailure if it cannot.
void finish_interrupted_removal(const std::filesystem::path& dir);

}  // namespace softpower
