#include "sim/detail/hdf5_probe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sim/error.hpp"

// Set by a sanitizer runtime (and by libFuzzer through it); absent from a normal build.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace softpower::detail {
namespace {

// Bounds of the walk: softpower's own files nest 3 deep and hold a few hundred objects; a forged
// file must not turn the probe itself into the crash (stack depth) or a long wait.
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxObjects = 100000;
constexpr double kMaxBufferBytes = 256.0 * 1024 * 1024;

struct Walk {
  std::set<haddr_t> seen;
  int depth = 0;
};

// Reads a value of `type` over `space` with `read`, variable-length parts included.
template <class Read>
void read_whole(hid_t type, hid_t space, const Read& read) {
  const hid_t memory = H5Tget_native_type(type, H5T_DIR_ASCEND);
  if (memory < 0) return;
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  const std::size_t size = H5Tget_size(memory);
  if (points > 0 && size > 0 && static_cast<double>(points) * static_cast<double>(size) <= kMaxBufferBytes) {
    std::vector<unsigned char> buffer(static_cast<std::size_t>(points) * size);
    if (read(memory, buffer.data()) >= 0) H5Dvlen_reclaim(memory, space, H5P_DEFAULT, buffer.data());
  }
  H5Tclose(memory);
}

// Values that go through the global heap: variable-length sequences and strings, alone or
// inside compounds and arrays (a fixed string is read too: cheap, and the simplest test).
bool may_hold_variable_length(hid_t type) {
  return H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tdetect_class(type, H5T_STRING) > 0;
}

bool small(hid_t space) {
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  return points >= 0 && points <= static_cast<hssize_t>(kProbeMaxVlenElements);
}

herr_t read_attribute(hid_t object, const char* name, const H5A_info_t*, void*) {
  const hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
  if (attribute < 0) return 0;
  const hid_t type = H5Aget_type(attribute);
  const hid_t space = H5Aget_space(attribute);
  if (type >= 0 && space >= 0 && small(space)) {  // every attribute: a forged type is no excuse
    read_whole(type, space, [&](hid_t memory, void* buffer) { return H5Aread(attribute, memory, buffer); });
  }
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  H5Aclose(attribute);
  return 0;
}

void read_object(hid_t object) {
  hsize_t next = 0;
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, &next, read_attribute, nullptr);
  if (H5Iget_type(object) != H5I_DATASET) return;
  const hid_t type = H5Dget_type(object);
  const hid_t space = H5Dget_space(object);
  if (type >= 0 && space >= 0 && may_hold_variable_length(type) && small(space)) {
    read_whole(type, space, [&](hid_t memory, void* buffer) {
      return H5Dread(object, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
    });
  }
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
}

void visit(hid_t object, Walk& walk);

herr_t ignore_link(hid_t, const char*, const H5L_info_t*, void*) { return 0; }

herr_t visit_link(hid_t group, const char* name, const H5L_info_t* info, void* walk) {
  if (info->type != H5L_TYPE_HARD) return 0;  // soft and external links lead nowhere to read
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  if (object < 0) return 0;
  visit(object, *static_cast<Walk*>(walk));
  H5Oclose(object);
  return 0;
}

// Depth first, each object once (hard links can form cycles). A group whose links cannot be
// listed, or an object that cannot be read, ends only its own part of the walk: H5Lvisit would
// stop at the first damaged group and leave the rest of the file unread.
void visit(hid_t object, Walk& walk) {
  H5O_info_t info;
  if (walk.seen.size() >= kMaxObjects || walk.depth >= kMaxDepth) return;
  if (H5Oget_info2(object, &info, H5O_INFO_BASIC) < 0 || !walk.seen.insert(info.addr).second) return;
  read_object(object);
  if (info.type != H5O_TYPE_GROUP) return;
  hsize_t next = 0;
  ++walk.depth;
  // The result reader lists a group in creation order first: libhdf5 then builds and frees a
  // table of the links, another path through a damaged group (fuzz/known-crashes), and one
  // that a failed listing by name before it would not take the same way.
  H5Literate(object, H5_INDEX_CRT_ORDER, H5_ITER_INC, &next, ignore_link, nullptr);
  next = 0;
  H5Literate(object, H5_INDEX_NAME, H5_ITER_NATIVE, &next, visit_link, &walk);
  --walk.depth;
}

// A crash in the child must end it by that signal, as it would end softpower: a sanitizer's or
// libFuzzer's handlers would instead report it as their own finding and exit.
void restore_default_crash_handling() {
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(nullptr);
  for (const int signal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::signal(signal, SIG_DFL);
}

void walk_file(const char* path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return;
  const hid_t root = H5Oopen(file, "/", H5P_DEFAULT);
  if (root >= 0) {
    Walk walk;
    visit(root, walk);
    H5Oclose(root);
  }
}

[[noreturn]] void rehearse_in_child(const std::function<void()>& read, pid_t parent) {
  // A child outlives a parent killed by a signal, or by its own parent's time limit when the
  // read rehearsed holds a probe of its own, and a looping one would spin forever.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(0);  // the parent ended before the line above
  restore_default_crash_handling();
  const int null = ::open("/dev/null", O_WRONLY);
  if (null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
  }
  try {
    read();
  } catch (...) {  // an error is the parent's to report, from its own read
  }
  ::_exit(0);  // no destructors, no atexit handlers: they belong to the parent
}

// Waits for `child` to end, at most `timeout_seconds`; false if it is still running. A pidfd
// wakes the wait the moment the child ends (the probe runs once or twice per file opened, and in
// the fuzzers once per input); without one (kernels before 5.3), polls.
bool wait_for_child(pid_t child, double timeout_seconds, int& status) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_seconds));
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
  auto pause = std::chrono::microseconds(50);
  bool ended = false;
  for (;;) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child || done < 0) {
      ended = true;
      break;
    }
    const Clock::duration left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) break;
    if (pidfd >= 0) {
      pollfd ready{pidfd, POLLIN, 0};
      const auto milliseconds = std::chrono::ceil<std::chrono::milliseconds>(left).count();
      ::poll(&ready, 1, static_cast<int>(std::min<long long>(milliseconds, 60000)));
    } else {
      std::this_thread::sleep_for(std::min<Clock::duration>(pause, left));
      pause = std::min(pause * 2, std::chrono::microseconds(20000));
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  return ended;
}

}  // namespace

double hdf5_probe_seconds() {
  const char* text = std::getenv(kProbeSecondsVariable);
  if (text == nullptr || *text == '\0') return kProbeDefaultSeconds;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (*end != '\0' || !(seconds > 0) || seconds > 1e6) {
    throw InputError(std::string(kProbeSecondsVariable) + "=" + text +
                     ": expected a number of seconds above 0 and at most 1e6");
  }
  return seconds;
}

std::optional<std::string> hdf5_rehearsal_refusal(const std::function<void()>& read, double timeout_seconds) {
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) return std::nullopt;  // no process to spare: read as before the probe existed
  if (child == 0) rehearse_in_child(read, parent);
  int status = 0;
  if (!wait_for_child(child, timeout_seconds, status)) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", timeout_seconds);
    return std::string("reading it does not finish (a test read in a child process was stopped after ") + seconds +
           " s; " + kProbeSecondsVariable + " sets that limit)";
  }
  if (WIFSIGNALED(status)) {
    const char* signal_name = sigabbrev_np(WTERMSIG(status));
    return std::string("reading it crashes the HDF5 library (a test read in a child process ended by ") +
           (signal_name ? std::string("signal SIG") + signal_name : "signal " + std::to_string(WTERMSIG(status))) + ")";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  return std::string("reading it crashes the HDF5 library (a test read in a child process ended with exit status ") +
         std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
}

std::optional<std::string> hdf5_probe_refusal(const std::filesystem::path& path, double timeout_seconds) {
  const std::string name = path.string();
  return hdf5_rehearsal_refusal([&name] { walk_file(name.c_str()); }, timeout_seconds);
}

}  // namespace softpower::detail
