#include "apps/mpi_sweep.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

#include "sim/error.hpp"

#ifdef SOFTPOWER_HAVE_MPI
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "apps/run_queue.hpp"
#include "output/run_journal.hpp"
#endif

namespace softpower::cli {
namespace {

/// The world size a launcher announced in the environment (OpenMPI's mpirun, Hydra's
/// mpiexec), -1 when a PMIx launcher (srun --mpi=pmix) started the process without saying,
/// 0 when no launcher did.
int launcher_world_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* value = std::getenv(name); value && *value) return std::atoi(value);
  }
  return std::getenv("PMIX_RANK") ? -1 : 0;
}

}  // namespace

#ifndef SOFTPOWER_HAVE_MPI

MpiSession::MpiSession() {
  if (launcher_world_size() > 1) {
    throw InputError(
        "started by an MPI launcher with several ranks, but this softpower was built without MPI "
        "(install libopenmpi-dev and rebuild; docs/hpc.md); every rank would run the whole sweep");
  }
}
MpiSession::~MpiSession() = default;
bool MpiSession::broadcast_go(bool go) const { return go; }
void MpiSession::abort(int code) const { std::exit(code); }
void coordinate_runs(const MpiSession&, std::span<const RunId>, int, const std::string&, const std::atomic<bool>&,
                     const ChunkRunner&, const std::function<bool(RunResult&&)>&) {
  throw std::logic_error("coordinate_runs without MPI");
}
void serve_runs(const MpiSession&, int, const std::string&, const std::atomic<bool>&, const std::function<void()>&,
                const ChunkRunner&) {
  throw std::logic_error("serve_runs without MPI");
}

#else

namespace {

// Messages between rank 0 and the others. Every call is made from the main thread of its
// rank (MPI_THREAD_FUNNELED); computing runs on other threads.
enum Tag : int {
  kRequest = 1,  // worker -> 0: int64 threads; "send me a chunk"
  kWork = 2,     // 0 -> worker: uint64 run ids; empty: no more work
  kResult = 3,   // worker -> 0: encode_runs() bytes
  kDone = 4,     // worker -> 0: nothing more will come from me
  kStop = 5,     // 0 -> worker: abandon the runs in flight
};

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw RuntimeFailure(fmt::format("MPI: {} failed (error {})", what, rc));
}

constexpr auto kIdle = std::chrono::microseconds(300);

/// The pending runs, handed out front to back: contiguous runs share a point, and so a context.
class Dispatcher {
 public:
  Dispatcher(std::span<const RunId> runs, int ranks) : runs_(runs), ranks_(ranks) {}
  /// Up to 2 x `threads` runs, fewer towards the end so that ranks finish together.
  std::vector<RunId> take(int threads) {
    std::lock_guard lock(mutex_);
    const std::size_t left = runs_.size() - next_;
    const std::size_t guided = left / (2 * static_cast<std::size_t>(ranks_));
    const std::size_t n = std::min(left, std::clamp<std::size_t>(guided, 1, 2 * static_cast<std::size_t>(threads)));
    std::vector<RunId> chunk(runs_.begin() + static_cast<std::ptrdiff_t>(next_),
                             runs_.begin() + static_cast<std::ptrdiff_t>(next_ + n));
    next_ += n;
    return chunk;
  }

 private:
  std::span<const RunId> runs_;
  int ranks_;
  std::mutex mutex_;
  std::size_t next_ = 0;
};

}  // namespace

MpiSession::MpiSession() {
  if (launcher_world_size() == 0) return;
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  initialized_ = true;
  if (provided < MPI_THREAD_FUNNELED) throw RuntimeFailure("MPI: the library does not support threads");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
}

MpiSession::~MpiSession() {
  if (initialized_) MPI_Finalize();
}

bool MpiSession::broadcast_go(bool go) const {
  if (size_ == 1) return go;
  int flag = go ? 1 : 0;
  check(MPI_Bcast(&flag, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return flag != 0;
}

void MpiSession::abort(int code) const {
  if (initialized_) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

void coordinate_runs(const MpiSession& mpi, std::span<const RunId> pending, int threads,
                     const std::string& fingerprint, const std::atomic<bool>& stop,
                     const ChunkRunner& run_chunk, const std::function<bool(RunResult&&)>& sink) {
  Dispatcher dispatcher(pending, mpi.size());
  std::atomic<bool> local_done{false};
  std::atomic<bool> local_failed{false};
  std::exception_ptr local_error;  // read after the join
  std::thread local([&] {
    try {
      for (;;) {
        if (stop.load()) break;
        const std::vector<RunId> chunk = dispatcher.take(threads);
        if (chunk.empty()) break;
        run_chunk(chunk, sink);
      }
    } catch (...) {
      local_error = std::current_exception();
      local_failed = true;
    }
    local_done = true;
  });

  int workers = mpi.size() - 1;
  std::vector<bool> finished(static_cast<std::size_t>(mpi.size()), false);
  bool stop_sent = false;
  std::vector<unsigned char> buffer;
  try {
    while (workers > 0 || !local_done.load()) {
      if ((stop.load() || local_failed.load()) && !stop_sent) {
        for (int r = 1; r < mpi.size(); ++r) {
          if (!finished[static_cast<std::size_t>(r)]) check(MPI_Send(nullptr, 0, MPI_BYTE, r, kStop, MPI_COMM_WORLD), "MPI_Send");
        }
        stop_sent = true;
      }
      int flag = 0;
      MPI_Status status;
      check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
      if (!flag) {
        std::this_thread::sleep_for(kIdle);
        continue;
      }
      const int from = status.MPI_SOURCE;
      if (status.MPI_TAG == kRequest) {
        std::int64_t worker_threads = 1;
        check(MPI_Recv(&worker_threads, 1, MPI_INT64_T, from, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
        const std::vector<RunId> chunk =
            stop_sent ? std::vector<RunId>{} : dispatcher.take(static_cast<int>(worker_threads));
        static_assert(sizeof(RunId) == sizeof(std::uint64_t));
        check(MPI_Send(chunk.data(), static_cast<int>(chunk.size()), MPI_UINT64_T, from, kWork, MPI_COMM_WORLD), "MPI_Send");
      } else if (status.MPI_TAG == kResult) {
        MPI_Count bytes = 0;
        check(MPI_Get_elements_x(&status, MPI_BYTE, &bytes), "MPI_Get_elements_x");
        if (bytes > std::numeric_limits<int>::max()) throw RuntimeFailure("MPI: a result message over 2 GiB");
        buffer.resize(static_cast<std::size_t>(bytes));
        check(MPI_Recv(buffer.data(), static_cast<int>(bytes), MPI_BYTE, from, kResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
        for (RunResult& run : decode_runs(buffer, fingerprint, fmt::format("rank {}", from))) {
          if (!sink(std::move(run))) break;
        }
      } else if (status.MPI_TAG == kDone) {
        check(MPI_Recv(nullptr, 0, MPI_BYTE, from, kDone, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
        finished[static_cast<std::size_t>(from)] = true;
        --workers;
      } else {
        throw RuntimeFailure(fmt::format("MPI: unexpected message (tag {}) from rank {}", status.MPI_TAG, from));
      }
    }
  } catch (...) {
    local.join();
    throw;
  }
  local.join();
  if (local_error) std::rethrow_exception(local_error);
}

void serve_runs(const MpiSession& /*mpi*/, int threads, const std::string& fingerprint,
                const std::atomic<bool>& stop, const std::function<void()>& request_stop,
                const ChunkRunner& run_chunk) {
  RunQueue finished(2 * static_cast<std::size_t>(threads) + 2);
  std::mutex mutex;
  std::condition_variable wake;
  std::optional<std::vector<RunId>> next;  // a chunk for the compute thread
  bool busy = false, quit = false;
  std::exception_ptr compute_error;
  std::thread compute([&] {
    for (;;) {
      std::vector<RunId> chunk;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return next.has_value() || quit; });
        if (!next) return;
        chunk = std::move(*next);
        next.reset();
      }
      try {
        run_chunk(chunk, [&](RunResult&& r) { return finished.push(std::move(r)); });
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!compute_error) compute_error = std::current_exception();
      }
      std::lock_guard lock(mutex);
      busy = false;
    }
  });
  const auto stop_compute = [&] {
    {
      std::lock_guard lock(mutex);
      quit = true;
    }
    wake.notify_all();
    finished.close();
    compute.join();
  };

  bool requested = false, no_more = false;
  try {
    for (;;) {
      bool idle = false;
      {
        std::lock_guard lock(mutex);
        idle = !busy && !next;
        if (compute_error) std::rethrow_exception(compute_error);
      }
      if (idle && !requested && !no_more && !stop.load()) {
        const std::int64_t mine = threads;
        check(MPI_Send(&mine, 1, MPI_INT64_T, 0, kRequest, MPI_COMM_WORLD), "MPI_Send");
        requested = true;
      }
      std::vector<RunResult> batch = finished.pop_all(std::chrono::milliseconds(1));
      if (!batch.empty()) {
        std::vector<const RunResult*> pointers;
        for (const auto& r : batch) pointers.push_back(&r);
        const std::vector<unsigned char> bytes = encode_runs(pointers, fingerprint);
        if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
          throw RuntimeFailure("MPI: a result message over 2 GiB");
        }
        check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kResult, MPI_COMM_WORLD), "MPI_Send");
      }
      int flag = 0;
      MPI_Status status;
      check(MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
      if (flag && status.MPI_TAG == kWork) {
        int count = 0;
        check(MPI_Get_count(&status, MPI_UINT64_T, &count), "MPI_Get_count");
        std::vector<RunId> chunk(static_cast<std::size_t>(count));
        check(MPI_Recv(chunk.data(), count, MPI_UINT64_T, 0, kWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
        requested = false;
        if (chunk.empty()) {
          no_more = true;
        } else {
          {
            std::lock_guard lock(mutex);
            next = std::move(chunk);
            busy = true;
          }
          wake.notify_all();
        }
      } else if (flag && status.MPI_TAG == kStop) {
        check(MPI_Recv(nullptr, 0, MPI_BYTE, 0, kStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
        request_stop();
      } else if (flag) {
        throw RuntimeFailure(fmt::format("MPI: unexpected message (tag {}) from rank 0", status.MPI_TAG));
      }
      bool compute_idle = false;
      {
        std::lock_guard lock(mutex);
        compute_idle = !busy && !next;
      }
      // Done when the compute thread is idle with nothing left to send, and no answer to a
      // request is still on its way (it must be received before MPI_Finalize).
      if ((no_more || stop.load()) && compute_idle && !requested) {
        std::vector<RunResult> last = finished.pop_all(std::chrono::milliseconds(0));
        if (last.empty()) break;
        std::vector<const RunResult*> pointers;
        for (const auto& r : last) pointers.push_back(&r);
        const std::vector<unsigned char> bytes = encode_runs(pointers, fingerprint);
        check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, kResult, MPI_COMM_WORLD), "MPI_Send");
      }
    }
    check(MPI_Send(nullptr, 0, MPI_BYTE, 0, kDone, MPI_COMM_WORLD), "MPI_Send");
  } catch (...) {
    stop_compute();
    throw;
  }
  stop_compute();
}

#endif

}  // namespace softpower::cli
