// Shared pieces of the libFuzzer harnesses (fuzz/README.md): a per-process temporary file for
// the readers that take a path, and the rule for which exceptions count as a correct answer.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace softpower::fuzz {

/// A file under $TMPDIR (or /tmp) named after the harness and the process id, rewritten with
/// each input, removed at exit. libFuzzer's -jobs/-workers run separate processes, so every
/// worker has its own file.
class InputFile {
 public:
  explicit InputFile(const std::string& harness, const std::string& suffix) {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
            ("softpower-fuzz-" + harness + "-" + std::to_string(::getpid()) + suffix);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() { std::remove(path_.c_str()); }

  /// Replaces the file's content with `size` bytes; aborts if it cannot (a harness fault, not
  /// a finding).
  const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (f == nullptr || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
      std::perror(path_.c_str());
      std::abort();
    }
    return path_;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace softpower::fuzz
