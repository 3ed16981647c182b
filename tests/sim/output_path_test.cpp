// check_output_paths and the write-time guards (sim/output_path.hpp), on files made in a
// temporary folder: FIFOs, folders, symlinks, hard links, a partial name in the way.
#include "sim/output_path.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "sim/error.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

class OutputPath_ : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("softpower_output_path_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path file(const std::string& name, const std::string& text = "x") {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  /// The InputError message of checking `out` against `inputs`, or "" if it passes.
  static std::string refusal(const fs::path& out, const std::vector<InputPath>& inputs = {}, bool folder = false) {
    try {
      static_cast<void>(check_output_paths({{.path = out, .role = "-o", .folder = folder}}, inputs));
    } catch (const InputError& e) {
      return e.what();
    }
    return {};
  }

  fs::path dir_;
};

TEST_F(OutputPath_, RefusesAFifoAFolderAndAFolderName) {
  const fs::path fifo = dir_ / "pipe.h5";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(refusal(fifo).find("-o " + fifo.string() + ": is a FIFO"), std::string::npos) << refusal(fifo);
  EXPECT_NE(refusal(dir_).find("is a folder"), std::string::npos);
  EXPECT_NE(refusal(dir_ / "").find("names a folder"), std::string::npos);
  EXPECT_EQ(refusal(dir_ / "new.h5"), "");
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST_F(OutputPath_, RefusesAnInputUnderAnyNameAndItsPartial) {
  const fs::path in = file("scenario.yaml");
  fs::create_directory(dir_ / "sub");
  fs::create_hard_link(in, dir_ / "hard.yaml");
  fs::create_symlink(in, dir_ / "soft.h5");
  const std::vector<InputPath> inputs{{in, "the scenario"}};
  EXPECT_NE(refusal(in, inputs).find("is also the scenario"), std::string::npos);
  for (const fs::path& alias : {dir_ / "sub" / ".." / "scenario.yaml", dir_ / "hard.yaml", dir_ / "soft.h5"}) {
    EXPECT_NE(refusal(alias, inputs).find("(the same file by another name)"), std::string::npos) << alias;
  }
  const fs::path partial_input = file("r.h5.partial");
  EXPECT_NE(refusal(dir_ / "r.h5", {{partial_input, "the graph file"}}).find("its temporary file"), std::string::npos);
  EXPECT_EQ(refusal(dir_ / "other.h5", inputs), "");
}

TEST_F(OutputPath_, FolderOutputsMustBeFoldersAndHoldNoInput) {
  const fs::path checkpoint = dir_ / "r.h5.checkpoint";
  EXPECT_EQ(refusal(checkpoint, {}, true), "");
  fs::create_directory(checkpoint);
  const fs::path in = checkpoint / "scenario.yaml";
  std::ofstream(in) << "x";
  EXPECT_NE(refusal(checkpoint, {{in, "the scenario"}}, true).find("contains the scenario"), std::string::npos);
  const fs::path not_folder = file("x.checkpoint");
  EXPECT_NE(refusal(not_folder, {}, true).find("is a regular file"), std::string::npos);
}

TEST_F(OutputPath_, SymlinksAreWrittenThroughLoopsRefused) {
  const fs::path real = file("real.h5");
  fs::create_directory(dir_ / "links");
  fs::create_symlink("../real.h5", dir_ / "links" / "one.h5");  // relative to the link's folder
  fs::create_symlink(dir_ / "links" / "one.h5", dir_ / "two.h5");
  EXPECT_TRUE(fs::equivalent(write_target(dir_ / "two.h5"), real));
  EXPECT_EQ(write_target(real), real);
  EXPECT_EQ(refusal(dir_ / "two.h5"), "");
  fs::create_symlink(dir_ / "loop", dir_ / "loop");
  EXPECT_THROW(write_target(dir_ / "loop"), InputError);
  EXPECT_NE(refusal(dir_ / "loop").find("symbolic links"), std::string::npos);
}

TEST_F(OutputPath_, APartialThatIsNotARegularFileIsInTheWay) {
  ASSERT_EQ(::mkfifo((dir_ / "r.h5.partial").c_str(), 0600), 0);
  EXPECT_NE(refusal(dir_ / "r.h5").find("is in the way"), std::string::npos);
  fs::remove(dir_ / "r.h5.partial");
  fs::create_symlink(file("elsewhere"), dir_ / "r.h5.partial");
  EXPECT_NE(refusal(dir_ / "r.h5").find("a symlink"), std::string::npos);
}

TEST_F(OutputPath_, TwoOutputsWithOneName) {
  EXPECT_THROW(static_cast<void>(check_output_paths(
                   {{.path = dir_ / "a.h5", .role = "-o"}, {.path = dir_ / "." / "a.h5", .role = "--gexf"}}, {})),
               InputError);
}

TEST_F(OutputPath_, MissingFoldersAreCreatedWithANoteAFileInTheWayIsRefused) {
  const fs::path out = dir_ / "a" / "b" / "r.h5";
  const auto notes = check_output_paths({{.path = out, .role = "-o"}}, {});
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "created folder " + out.parent_path().string() + " for -o " + out.string());
  EXPECT_TRUE(fs::is_directory(out.parent_path()));
  EXPECT_TRUE(check_output_paths({{.path = out, .role = "-o"}}, {}).empty());
  file("plain");
  EXPECT_NE(refusal(dir_ / "plain" / "x" / "r.h5").find("is a regular file, not a folder"), std::string::npos);
  EXPECT_NE(refusal(dir_ / "plain" / "r.h5").find("is a regular file, not a folder"), std::string::npos);
}

TEST_F(OutputPath_, EnsureReplaceableGuardsTheRename) {
  const fs::path target = file("r.h5");
  EXPECT_NO_THROW(ensure_replaceable(target, dir_ / "r.h5.partial"));
  ASSERT_EQ(::mkfifo((dir_ / "f.h5").c_str(), 0600), 0);
  EXPECT_THROW(ensure_replaceable(dir_ / "f.h5", dir_ / "f.h5.partial"), RuntimeFailure);
  EXPECT_THROW(ensure_replaceable(dir_, target), RuntimeFailure);
}

TEST_F(OutputPath_, FullDiskNoteGivesALowerBoundOnTheBytesNeeded) {
  const fs::path partial = file("r.h5.partial", std::string(1000, 'x'));
  EXPECT_EQ(full_disk_note(dir_ / "r.h5", partial, EIO, "cannot write"), "");
  const std::string note = full_disk_note(dir_ / "r.h5", partial, ENOSPC, "");
  EXPECT_EQ(note.rfind("the disk is full: " + (dir_ / "r.h5").string() + " needs more than ", 0), 0u) << note;
  EXPECT_NE(note.find("(1000 bytes in " + partial.string()), std::string::npos) << note;
  EXPECT_NE(full_disk_note(dir_ / "r.h5", partial, 0, "errno = 28, error message = 'No space left on device'"), "");
}

}  // namespace
}  // namespace softpower
