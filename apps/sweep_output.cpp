#include "apps/sweep_output.hpp"

#include <fmt/format.h>
#include <tbb/task_arena.h>

#include <iostream>
#include <set>

#include "sim/engine.hpp"
#include "sim/error.hpp"
#include "sim/output_path.hpp"

namespace softpower::cli {

SweepOutput::SweepOutput(const std::filesystem::path& output, const std::filesystem::path& checkpoint,
                         const Provenance& prov, const std::string& identity, const Sweep& sweep,
                         const std::vector<SeriesSpec>& series, VertexId snapshot_users, EventsLayout events,
                         bool show_progress,
                         double log_interval, std::function<void()> on_error)
    : journal_(checkpoint, prov.sweep ? prov.sweep->fingerprint : std::string(), identity),
      writer_(output, prov, Engine::metric_specs(), series, snapshot_users, events),
      summary_(sweep, series, prov.step_hours),
      queue_(2 * static_cast<std::size_t>(tbb::this_task_arena::max_concurrency()) + 2),
      progress_(prov.run_ids.size(), 0, false, log_interval),
      on_error_(std::move(on_error)) {
  const std::set<RunId> mine(prov.run_ids.begin(), prov.run_ids.end());
  std::set<RunId> done;
  const auto notes = journal_.replay([&](RunResult&& r) {
    if (!mine.count(r.run)) {
      throw InputError(fmt::format("{}: holds run {}, which is not a run of {}", checkpoint.string(), r.run, identity));
    }
    writer_.write_run(r);
    summary_.add(r);
    done.insert(r.run);
  });
  for (const auto& note : notes) std::cerr << "softpower: warning: " << note << "\n";
  for (RunId r : prov.run_ids) {
    if (!done.count(r)) pending_.push_back(r);
  }
  recovered_ = written_ = done.size();
  progress_ = Progress(prov.run_ids.size(), recovered_, show_progress, log_interval);
  thread_ = std::thread([this] { write_loop(); });
}

SweepOutput::~SweepOutput() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

void SweepOutput::write_loop() {
  try {
    for (;;) {
      std::vector<RunResult> batch = queue_.pop_all(std::chrono::milliseconds(250));
      if (batch.empty()) {
        if (queue_.closed_and_empty()) break;
        progress_.update(written_);
        continue;
      }
      std::vector<const RunResult*> pointers;
      for (const auto& r : batch) pointers.push_back(&r);
      try {
        journal_.append(pointers);  // durable first: a resume rebuilds the HDF5 file from it
      } catch (const RuntimeFailure& e) {
        if (full_disk_note(writer_.final_path(), journal_.dir(), 0, e.what()).empty()) throw;
        // A full disk: the .partial goes too, to give its space back (docs/hpc.md), as when the
        // result file itself fills the disk; the checkpoint keeps what it had acknowledged.
        throw RuntimeFailure(fmt::format("{}; {}; the checkpoint keeps {} finished run(s) for --resume", e.what(),
                                         writer_.discard(), written_));
      }
      for (const auto& r : batch) {
        writer_.write_run(r);
        summary_.add(r);
      }
      written_ += batch.size();
      progress_.update(written_);
    }
  } catch (...) {
    error_ = std::current_exception();
    queue_.close();
    if (on_error_) on_error_();
  }
}

std::uint64_t SweepOutput::drain() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
  return written_;
}

void SweepOutput::commit() {
  writer_.finish();
  journal_.remove();
  progress_.finish();
}

}  // namespace softpower::cli
