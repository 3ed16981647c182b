// The writing side of a sweep (rank 0 under MPI): the checkpoint journal, the result file, and
// the one writer thread that stores finished runs in both, fed by a bounded queue.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "apps/point_summary.hpp"
#include "apps/progress.hpp"
#include "apps/run_queue.hpp"
#include "output/result_writer.hpp"
#include "output/run_journal.hpp"

namespace softpower::cli {

class SweepOutput {
 public:
  /// Opens (or creates) the checkpoint, creates OUTPUT.partial, replays the checkpoint into it
  /// and starts the writer thread. `on_error` runs on the writer thread if it fails (the sweep
  /// then stops). The runs of the file are prov.run_ids.
  SweepOutput(const std::filesystem::path& output, const std::filesystem::path& checkpoint,
              const Provenance& prov, const std::string& identity, const Sweep& sweep,
              const std::vector<SeriesSpec>& series, VertexId snapshot_users, EventsLayout events, bool show_progress,
              double log_interval, std::function<void()> on_error);
  SweepOutput(const SweepOutput&) = delete;
  SweepOutput& operator=(const SweepOutput&) = delete;
  /// Stops the writer thread if still running; leaves OUTPUT.partial and the checkpoint.
  ~SweepOutput();

  /// The file's runs that the checkpoint did not hold, increasing.
  [[nodiscard]] const std::vector<RunId>& pending() const { return pending_; }
  [[nodiscard]] std::uint64_t recovered() const { return recovered_; }

  /// Hands a finished run to the writer thread (blocks while the queue is full). False once
  /// the writer has stopped.
  bool submit(RunResult&& run) { return queue_.push(std::move(run)); }

  /// No more runs: waits for the writer thread to store the queued ones, and rethrows its
  /// error. Returns the runs in the file (recovered ones included).
  std::uint64_t drain();
  /// After drain() with every run stored: renames OUTPUT.partial to OUTPUT, deletes the
  /// checkpoint and prints the last progress line.
  void commit();
  /// After drain() of an interrupted sweep: ends the progress display.
  void close_interrupted() { progress_.finish(); }

  [[nodiscard]] const PointSummary& summary() const { return summary_; }

 private:
  void write_loop();

  RunJournal journal_;
  ResultWriter writer_;
  PointSummary summary_;
  std::vector<RunId> pending_;
  std::uint64_t recovered_ = 0;
  std::uint64_t written_ = 0;  // the writer thread's until it is joined
  RunQueue queue_;
  Progress progress_;
  std::function<void()> on_error_;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace softpower::cli
