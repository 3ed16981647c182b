#include "report/png_export.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <system_error>

#include "sim/error.hpp"

extern char** environ;

namespace softpower::report {

std::optional<std::filesystem::path> find_rsvg_convert() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  const std::string dirs = path;
  for (std::size_t begin = 0; begin <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', begin), dirs.size());
    const std::filesystem::path candidate =
        std::filesystem::path(
            dirs.substr(begin, end - begin).empty() ? "." : dirs.substr(begin, end - begin)) /
        "rsvg-convert";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    begin = end + 1;
  }
  return std::nullopt;
}

std::vector<std::filesystem::path> write_pngs(const std::filesystem::path& rsvg_convert,
                                              const std::vector<Figure>& figures,
                                              const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw RuntimeFailure(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  std::vector<std::filesystem::path> written;
  for (const Figure& f : figures) {
    const std::filesystem::path svg = dir / (f.id + ".svg.tmp");
    const std::filesystem::path png = dir / (f.id + ".png");
    {
      std::ofstream out(svg, std::ios::binary);
      out << f.svg;
      if (!out.flush()) throw RuntimeFailure(fmt::format("cannot write {}", svg.string()));
    }
    // posix_spawn with an argument vector: no shell, so no quoting of file names.
    std::vector<std::string> args{rsvg_convert.string(), "--background-color", "white", "-o",
                                  png.string(),          svg.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int status = 0;
    const int spawned = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
    const bool ok = spawned == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
                    WEXITSTATUS(status) == 0;
    std::filesystem::remove(svg, ec);
    if (!ok) {
      throw RuntimeFailure(
          fmt::format("rsvg-convert failed to convert figure {} to {}", f.id, png.string()));
    }
    written.push_back(png);
  }
  return written;
}

}  // namespace softpower::report
