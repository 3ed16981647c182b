// The test read in a child process that stands between a hostile HDF5 file and the process
// (sim/hdf5_probe.cpp): what it reports for each way a child can end, and that the caller's
// own read runs once, in the caller, with the caller's result.
#include "sim/detail/hdf5_probe.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#include <signal.h>
#include <unistd.h>

#include "sim/detail/hdf5.hpp"
#include "sim/error.hpp"

namespace softpower::detail {
namespace {

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

TEST(Hdf5Rehearsal, AReadThatFinishesOrThrowsIsNoReasonToRefuse) {
  EXPECT_FALSE(hdf5_rehearsal_refusal([] {}, 10.0));
  EXPECT_FALSE(hdf5_rehearsal_refusal([] { throw std::runtime_error("the parent reports this"); }, 10.0));
}

TEST(Hdf5Rehearsal, ACrashNamesTheSignalEvenUnderASanitizer) {
  const auto segv = hdf5_rehearsal_refusal([] { std::raise(SIGSEGV); }, 10.0);
  ASSERT_TRUE(segv);
  EXPECT_TRUE(Contains(*segv, "crashes the HDF5 library (a test read in a child process ended by signal SIGSEGV)"));
  const auto abort = hdf5_rehearsal_refusal([] { std::abort(); }, 10.0);
  ASSERT_TRUE(abort);
  EXPECT_TRUE(Contains(*abort, "signal SIGABRT"));
}

TEST(Hdf5Rehearsal, AnAbnormalExitIsRefused) {
  const auto refusal = hdf5_rehearsal_refusal([] { std::_Exit(3); }, 10.0);
  ASSERT_TRUE(refusal);
  EXPECT_TRUE(Contains(*refusal, "ended with exit status 3"));
}

TEST(Hdf5Rehearsal, AReadThatDoesNotFinishIsStoppedAtTheLimit) {
  const auto started = std::chrono::steady_clock::now();
  const auto refusal = hdf5_rehearsal_refusal([] { std::this_thread::sleep_for(std::chrono::seconds(60)); }, 0.25);
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(refusal);
  EXPECT_TRUE(Contains(*refusal, "does not finish (a test read in a child process was stopped after 0.25 s; "
                                  "SOFTPOWER_HDF5_PROBE_SECONDS sets that limit)"));
  EXPECT_GE(waited, 0.25);
  EXPECT_LT(waited, 10.0);
}

// A rehearsed reader opens its file, which starts a probe of its own: when the outer time limit
// kills the rehearsal, that inner child must not go on looping without a parent.
TEST(Hdf5Rehearsal, AChildDoesNotOutliveItsParent) {
  const std::string pid_file = ::testing::TempDir() + "softpower_probe_grandchild.pid";
  std::remove(pid_file.c_str());
  const auto refusal = hdf5_rehearsal_refusal(
      [&pid_file] {
        hdf5_rehearsal_refusal(
            [&pid_file] {
              if (std::FILE* out = std::fopen(pid_file.c_str(), "w")) {
                std::fprintf(out, "%d\n", static_cast<int>(::getpid()));
                std::fclose(out);
              }
              for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
            },
            1000.0);
      },
      1.0);
  ASSERT_TRUE(refusal);
  int grandchild = 0;
  if (std::FILE* in = std::fopen(pid_file.c_str(), "r")) {
    if (std::fscanf(in, "%d", &grandchild) != 1) grandchild = 0;
    std::fclose(in);
  }
  std::remove(pid_file.c_str());
  ASSERT_GT(grandchild, 0) << "the inner child did not start within the outer limit";
  // Gone, or a zombie left to whichever process reaps orphans here: either way not running.
  const auto running = [grandchild] {
    std::FILE* stat = std::fopen(("/proc/" + std::to_string(grandchild) + "/stat").c_str(), "r");
    if (stat == nullptr) return false;
    char state = '?';
    const int fields = std::fscanf(stat, "%*d (%*[^)]) %c", &state);
    std::fclose(stat);
    return fields == 1 && state != 'Z' && state != 'X';
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(running()) << "process " << grandchild << " still runs without its parent";
  if (running()) ::kill(grandchild, SIGKILL);
}

TEST(Hdf5Rehearsal, TheCallersReadRunsOnceInTheCaller) {
  int runs_here = 0;
  const Checker check("some.h5", Failure::kInput);
  const int value = rehearsed(check, [&runs_here] { return ++runs_here * 10; });
  EXPECT_EQ(runs_here, 1);  // the child's increment stayed in the child
  EXPECT_EQ(value, 10);
}

TEST(Hdf5Rehearsal, ARefusalNamesTheFile) {
  const Checker check("damaged.h5", Failure::kInput);
  try {
    rehearsed(check, [] {
      std::raise(SIGSEGV);
      return 0;
    });
    FAIL() << "a crashing read was not refused";
  } catch (const InputError& error) {
    EXPECT_TRUE(Contains(error.what(), "damaged.h5: damaged HDF5 file: reading it crashes the HDF5 library"));
  }
}

class ProbeSeconds : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv(kProbeSecondsVariable); }
};

TEST_F(ProbeSeconds, DefaultsTo30AndReadsTheVariable) {
  ::unsetenv(kProbeSecondsVariable);
  EXPECT_EQ(hdf5_probe_seconds(), 30.0);
  ::setenv(kProbeSecondsVariable, "2.5", 1);
  EXPECT_EQ(hdf5_probe_seconds(), 2.5);
}

TEST_F(ProbeSeconds, RefusesWhatIsNotAPositiveNumberOfSeconds) {
  for (const char* bad : {"0", "-1", "soon", "5s", "nan", "inf", "1e7"}) {
    ::setenv(kProbeSecondsVariable, bad, 1);
    try {
      (void)hdf5_probe_seconds();
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& error) {
      EXPECT_TRUE(Contains(error.what(), std::string("SOFTPOWER_HDF5_PROBE_SECONDS=") + bad));
    }
  }
}

}  // namespace
}  // namespace softpower::detail
