// Sweeps across MPI ranks: `mpirun -n R softpower sweep ...`. Rank 0 owns the output and the
// checkpoint and hands out runs in chunks, on demand, to every rank (itself included); the
// other ranks run their chunks with all their threads and send the finished runs back. The
// file is the one a single process would write: runs do not depend on where they ran.
// Built only when CMake finds MPI (SOFTPOWER_MPI); otherwise every process is a world of one.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sim/run_result.hpp"

namespace softpower::cli {

/// MPI for the lifetime of one sweep command: initialized only when the process was started by
/// an MPI launcher (mpirun, mpiexec, srun --mpi=pmix), finalized by the destructor.
class MpiSession {
 public:
  /// Throws InputError if a launcher started several ranks but this build has no MPI.
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  /// Ranks sharing this node, to split its cores between them (1 without MPI).
  [[nodiscard]] int local_size() const { return local_size_; }
  /// Rank 0 tells the others whether to go on (after it has prepared the output).
  bool broadcast_go(bool go) const;
  /// Ends every rank with `code` (an error on one rank must not leave the others waiting).
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_size_ = 1;
  bool initialized_ = false;
};

/// Runs one chunk of runs on this process, handing each finished run to the sink.
using ChunkRunner = std::function<void(std::span<const RunId> chunk, const std::function<bool(RunResult&&)>& sink)>;

/// Rank 0: hands `pending` out in chunks to every rank, itself included (through `run_chunk`
/// on a thread of its own), and passes every finished run to `sink`, until all ranks are done.
/// After `stop` is raised no more chunks go out and the other ranks are told to stop.
void coordinate_runs(const MpiSession& mpi, std::span<const RunId> pending, int threads,
                     const std::string& fingerprint, const std::atomic<bool>& stop,
                     const ChunkRunner& run_chunk, const std::function<bool(RunResult&&)>& sink);

/// Every other rank: asks rank 0 for chunks and runs them, sending the finished runs back,
/// until rank 0 has no more or `stop` is raised (by a signal or by rank 0). `request_stop`
/// raises `stop` when rank 0 says so.
void serve_runs(const MpiSession& mpi, int threads, const std::string& fingerprint,
                const std::atomic<bool>& stop, const std::function<void()>& request_stop,
                const ChunkRunner& run_chunk);

}  // namespace softpower::cli
