#include "sim/huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace softpower {
namespace {

constexpr const char* kOptOut = "SOFTPOWER_HUGE_PAGES";
constexpr const char* kTunables = "GLIBC_TUNABLES";
constexpr const char* kTunable = "glibc.malloc.hugetlb=1";
// Set across the re-execution: "unset", or "set:" and the caller's GLIBC_TUNABLES.
constexpr const char* kCallerTunables = "SOFTPOWER_CALLER_GLIBC_TUNABLES";

enum class Status { kNotAsked, kOn, kOptedOut, kUserTunable, kKernelNever, kExecFailed };
Status status = Status::kNotAsked;

bool kernel_never() {
  std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
  std::stringstream text;
  text << mode.rdbuf();
  return text.str().find("[never]") != std::string::npos;
}

void restore(const char* caller) {
  if (std::strncmp(caller, "set:", 4) == 0) {
    setenv(kTunables, caller + 4, 1);
  } else {
    unsetenv(kTunables);
  }
  unsetenv(kCallerTunables);
}

}  // namespace

void use_huge_pages(char** argv) {
  if (const char* caller = std::getenv(kCallerTunables)) {  // the re-executed program
    restore(caller);
    status = Status::kOn;
    return;
  }
  if (const char* opt = std::getenv(kOptOut); opt && std::strcmp(opt, "0") == 0) {
    status = Status::kOptedOut;
    return;
  }
  const char* tunables = std::getenv(kTunables);
  if (tunables && std::strstr(tunables, "glibc.malloc.hugetlb") != nullptr) {
    status = Status::kUserTunable;
    return;
  }
  if (kernel_never()) {
    status = Status::kKernelNever;
    return;
  }
  const std::string caller = tunables ? std::string("set:") + tunables : std::string("unset");
  const std::string wanted = tunables ? std::string(tunables) + ":" + kTunable : std::string(kTunable);
  setenv(kCallerTunables, caller.c_str(), 1);
  setenv(kTunables, wanted.c_str(), 1);
  execv("/proc/self/exe", argv);
  restore(caller.c_str());  // exec failed (no /proc, binary replaced): ordinary pages
  status = Status::kExecFailed;
}

std::string huge_pages_status() {
  switch (status) {
    case Status::kOn: return "huge pages (glibc.malloc.hugetlb=1)";
    case Status::kOptedOut: return "4 KiB pages (SOFTPOWER_HUGE_PAGES=0)";
    case Status::kUserTunable: return std::string("as GLIBC_TUNABLES says (") + (std::getenv(kTunables) ? std::getenv(kTunables) : "") + ")";
    case Status::kKernelNever: return "4 KiB pages (transparent huge pages are off in the kernel)";
    case Status::kExecFailed: return "4 KiB pages (could not re-execute /proc/self/exe)";
    case Status::kNotAsked: break;
  }
  return "4 KiB pages";
}

}  // namespace softpower
