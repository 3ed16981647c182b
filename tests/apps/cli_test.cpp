// End-to-end tests of the softpower executable: exit codes, messages, files written.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/phase_times.hpp"

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// `environment`: assignments put before the command ("NAME=value ...").
Outcome run(const std::string& args, const std::string& environment = "") {
  const fs::path log = fs::temp_directory_path() / ("softpower_cli_" + std::to_string(::getpid()) + ".log");
  const std::string command = environment + " " + std::string(SOFTPOWER_CLI) + " " + args + " > " + log.string() + " 2>&1";
  const int status = std::system(command.c_str());
  Outcome out;
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  out.output = text.str();
  fs::remove(log);
  return out;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("softpower_cli_" + std::to_string(::getpid()) + "_" + test_name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  fs::path dir_;

 private:
  // The test's name as one path component ("Runs/default" -> "Runs_default").
  static std::string test_name() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    return name;
  }
};

const std::string kSmall =
    "name: small\nseed: 3\nruns: 3\ntime: {horizon_days: 2}\n"
    "graph: {type: erdos_renyi, n: 5000, mean_degree: 20}\n"
    "institution: {placement: new, followers: 300}\n"
    "strategy: {account_type: subscription, first_push_hour: 1, push_every_hours: 12}\n"
    "diffusion: {open_probability: 0.1, share_probability: 0.5, activity: 0.8}\n";

// The full model: feeds and channels, attitudes with snapshots, every censorship mechanism.
const std::string kFeed =
    "name: feed\nseed: 5\nruns: 3\ntime: {horizon_days: 4}\n"
    "graph: {type: wechat_like, n: 5000, mean_degree: 40, community_size: 250}\n"
    "institution: {placement: new, followers: 800}\n"
    "strategy: {account_type: subscription, first_push_hour: 1, push_every_hours: 24, articles_per_push: 3,\n"
    "  topics: [{appeal: 0.8, sensitivity: 0.3, valence: 0.7}]}\n"
    "diffusion: {model: wechat_feed, open_probability: 0.1, share_probability: 0.2}\n"
    "attitude: {model: bounded_confidence, snapshot_every_hours: 24}\n"
    "censorship: {strength: 1, publication_block: {}, takedown: {}, share_filter: {}, down_ranking: {},\n"
    "  self_censorship: {}, suspension: {}}\n";

TEST_F(Cli, RunWritesTheResultAndASummary) {
  const fs::path scenario = write("small.yaml", kSmall);
  const fs::path out = dir_ / "out" / "small.h5";
  const Outcome o = run("run " + scenario.string() + " -o " + out.string());
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
  EXPECT_NE(o.output.find("wrote      " + out.string()), std::string::npos) << o.output;
  const Outcome info = run("info " + out.string());
  EXPECT_EQ(info.code, 0) << info.output;
  EXPECT_NE(info.output.find("small"), std::string::npos) << info.output;
}

TEST_F(Cli, ProfileNamesEveryPhaseAndTheirSharesAddUp) {
  const fs::path scenario = write("feed.yaml", kFeed);
  const Outcome o = run("run " + scenario.string() + " --quiet --profile -o " + (dir_ / "feed.h5").string());
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("profile    graph "), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("of which writing"), std::string::npos) << o.output;
  double shares = 0.0;
  for (std::string_view phase : softpower::kPhaseNames) {
    const auto at = o.output.find("  " + std::string(phase) + " ");
    ASSERT_NE(at, std::string::npos) << phase << "\n" << o.output;
    const auto percent = o.output.find('%', at);
    const auto start = o.output.rfind(' ', percent) + 1;
    shares += std::stod(o.output.substr(start, percent - start));
  }
  EXPECT_NEAR(shares, 100.0, 0.1 * softpower::kPhaseNames.size()) << o.output;  // each share is rounded to 0.1
  EXPECT_EQ(o.output.find("scenario   "), std::string::npos) << "--quiet keeps the summary out";
}

TEST_F(Cli, HugePagesAreOnUnlessTheUserSaysOtherwise) {
  const fs::path scenario = write("small.yaml", kSmall);
  const std::string args = "run " + scenario.string() + " --quiet --profile -o " + (dir_ / "small.h5").string();
  std::ifstream mode_file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::stringstream mode;
  mode << mode_file.rdbuf();
  const std::string by_default = mode.str().find("[never]") != std::string::npos
                                     ? "memory: 4 KiB pages (transparent huge pages are off in the kernel)"
                                     : "memory: huge pages (glibc.malloc.hugetlb=1)";
  for (const auto& [environment, expected] : std::vector<std::pair<std::string, std::string>>{
           {"env -u GLIBC_TUNABLES -u SOFTPOWER_HUGE_PAGES", by_default},
           {"SOFTPOWER_HUGE_PAGES=0", "memory: 4 KiB pages (SOFTPOWER_HUGE_PAGES=0)"},
           {"GLIBC_TUNABLES=glibc.malloc.hugetlb=0", "memory: as GLIBC_TUNABLES says (glibc.malloc.hugetlb=0)"}}) {
    fs::remove(dir_ / "small.h5");
    const Outcome o = run(args, environment);
    ASSERT_EQ(o.code, 0) << environment << "\n" << o.output;
    EXPECT_NE(o.output.find(expected), std::string::npos) << environment << "\n" << o.output;
  }
}

TEST_F(Cli, ScenariosThatCannotFitAreRefusedBeforeAnyWork) {
  const fs::path scenario = write("huge.yaml", "graph: {type: wechat_like, n: 4000000000, mean_degree: 1000}\n");
  const fs::path out = dir_ / "new" / "huge.h5";  // a refused run creates no folder either
  for (const std::string& command : {"run " + scenario.string() + " -o " + out.string(),
                                     "sweep " + scenario.string() + " -o " + out.string(),
                                     "graph generate " + scenario.string() + " -o " + out.string()}) {
    const auto started = std::chrono::steady_clock::now();
    const Outcome o = run(command);
    EXPECT_EQ(o.code, 2) << command << "\n" << o.output;
    EXPECT_NE(o.output.find("huge.yaml: needs about"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("graph.mean_degree"), std::string::npos) << o.output;
    EXPECT_NE(o.output.find("--no-memory-check"), std::string::npos) << o.output;
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 10.0)
        << "refused before building anything";
    EXPECT_FALSE(fs::exists(out.parent_path())) << command;
  }
}

TEST_F(Cli, DefaultOutputIsResultsScenarioName) {
  const fs::path scenario = write("small.yaml", kSmall);
  const std::string cd = "cd " + dir_.string() + " && ";
  const int status = std::system((cd + SOFTPOWER_CLI + " run -q small.yaml").c_str());
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(fs::exists(dir_ / "results" / "small.h5"));
}

TEST_F(Cli, SameSeedSameDatasetsWithOneTwoAndSixteenThreads) {
  const std::string compare = std::string(SOFTPOWER_PYTHON) + " " + SOFTPOWER_SOURCE_DIR +
                              "/tests/apps/compare_results.py ";
  for (const auto& [name, text] : {std::pair{"small", kSmall}, std::pair{"feed", kFeed}}) {
    SCOPED_TRACE(name);
    const fs::path scenario = write(std::string(name) + ".yaml", text);
    const auto out = [&](const std::string& tag) { return (dir_ / (std::string(name) + tag + ".h5")).string(); };
    for (int threads : {1, 2, 16}) {
      const Outcome o = run("run -q " + scenario.string() + " --threads " + std::to_string(threads) + " -o " +
                            out("_t" + std::to_string(threads)));
      ASSERT_EQ(o.code, 0) << o.output;
    }
    for (const char* other : {"_t2", "_t16"}) {
      const int status = std::system((compare + out("_t1") + " " + out(other)).c_str());
      EXPECT_EQ(WEXITSTATUS(status), 0) << other;
    }
    // A different seed must change the datasets (the comparison can fail).
    ASSERT_EQ(run("run -q " + scenario.string() + " --seed 4 -o " + out("_s4")).code, 0);
    const int status = std::system((compare + out("_t1") + " " + out("_s4") + " > /dev/null").c_str());
    EXPECT_NE(WEXITSTATUS(status), 0);
  }
}

TEST_F(Cli, ValidateAcceptsGoodAndRejectsBadScenarios) {
  const fs::path good = write("good.yaml", kSmall);
  const Outcome ok = run("validate " + good.string());
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ok"), std::string::npos);

  const fs::path bad = write("bad.yaml", "seed: 1\ndiffusion:\n  open_probability: 2\n");
  const Outcome err = run("validate " + bad.string());
  EXPECT_EQ(err.code, 2);
  EXPECT_NE(err.output.find(bad.string() + ":3:21: diffusion.open_probability: value 2 is out of range [0, 1]"),
            std::string::npos)
      << err.output;
  // Exactly one error line, no stack trace.
  EXPECT_EQ(std::count(err.output.begin(), err.output.end(), '\n'), 1) << err.output;

  const Outcome set_err = run("validate " + good.string() + " --set graph.n=x");
  EXPECT_EQ(set_err.code, 2);
  EXPECT_NE(set_err.output.find("--set graph.n=x: graph.n: expected an integer"), std::string::npos) << set_err.output;
}

TEST_F(Cli, BadInputExitsTwoAndWritesNothing) {
  const fs::path out = dir_ / "never.h5";
  EXPECT_EQ(run("run " + (dir_ / "missing.yaml").string() + " -o " + out.string()).code, 2);
  const fs::path broken = write("broken.yaml", "graph: {type: edge_list, path: no_such_file.txt}\n");
  const Outcome o = run("run " + broken.string() + " -o " + out.string());
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_NE(o.output.find("no_such_file.txt"), std::string::npos) << o.output;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
  EXPECT_EQ(run("run").code, 2);
  EXPECT_EQ(run("frobnicate").code, 2);
  EXPECT_EQ(run("info " + broken.string()).code, 2);
}

// A path through a regular file is a wrong path, refused before any work (issue 15;
// tests/apps/output_paths_test.py has the other cases).
TEST_F(Cli, OutputUnderARegularFileIsBadInput) {
  const fs::path scenario = write("small.yaml", kSmall);
  write("file", "x");
  const Outcome o = run("run " + scenario.string() + " -o " + (dir_ / "file" / "out.h5").string());
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_NE(o.output.find("out.h5"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("not a folder"), std::string::npos) << o.output;
}

TEST_F(Cli, GraphCacheRoundTripThroughRun) {
  const fs::path cache = dir_ / "g.h5";
  const Outcome gen = run("graph generate --set graph.type=barabasi_albert --set graph.n=3000 --set graph.m=4 -o " + cache.string());
  ASSERT_EQ(gen.code, 0) << gen.output;
  EXPECT_NE(gen.output.find("3000 vertices"), std::string::npos) << gen.output;
  const Outcome info = run("info " + cache.string());
  EXPECT_EQ(info.code, 0) << info.output;
  const fs::path scenario = write("cached.yaml",
      "graph: {type: cache, path: g.h5}\ninstitution: {placement: fixed, vertex: 0}\n"
      "strategy: {model: fixed_schedule, hours: [0]}\n"
      "diffusion: {open_probability: 1, share_probability: 1}\n");
  const Outcome o = run("run " + scenario.string() + " -o " + (dir_ / "r.h5").string());
  ASSERT_EQ(o.code, 0) << o.output;
  // Barabasi-Albert graphs are connected, so a certain cascade reaches every other user.
  EXPECT_NE(o.output.find("2999.0 users per run"), std::string::npos) << o.output;
}

TEST_F(Cli, ImportEdgeListToCache) {
  const fs::path edges = write("edges.csv", "# friends\nalice,bob\nbob,carol\n");
  const Outcome o = run("graph import " + edges.string() + " -o " + (dir_ / "g.h5").string());
  ASSERT_EQ(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("3 vertices, 4 arcs"), std::string::npos) << o.output;
  const fs::path timestamped = write("konect.tsv", "% sym\n1\t2\t1400000000\n2\t3\t1400000001\n");
  EXPECT_EQ(run("graph import " + timestamped.string() + " -o " + (dir_ / "k.h5").string()).code, 2);
  const Outcome extra = run("graph import --ignore-extra-columns " + timestamped.string() + " -o " + (dir_ / "k.h5").string());
  EXPECT_EQ(extra.code, 0) << extra.output;
  EXPECT_NE(extra.output.find("3 vertices, 4 arcs"), std::string::npos) << extra.output;
  const fs::path broken = write("broken.txt", "1 2\n3\n");
  const Outcome bad = run("graph import " + broken.string() + " -o " + (dir_ / "b.h5").string());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.output.find(broken.string() + ":2"), std::string::npos) << bad.output;
}

TEST_F(Cli, ImportedRegionsAndCommunitiesReachTheRun) {
  // Six classmates; the node table gives five of them a community (0-2) and a region; dave,
  // absent, forms community 3. The cache keeps both, and a run reports per-community attitudes.
  const fs::path fixtures = fs::path(SOFTPOWER_FIXTURES_DIR) / "import" / "edge_list" / "nodes";
  const fs::path cache = dir_ / "classmates.h5";
  const Outcome o = run("graph import " + (fixtures / "edges.txt").string() + " --nodes " +
                        (fixtures / "nodes.csv").string() + " -o " + cache.string());
  ASSERT_EQ(o.code, 0) << o.output;
  const fs::path scenario = write("classmates.yaml",
      "graph: {type: cache, path: classmates.h5}\ninstitution: {placement: new, followers: 6}\n"
      "strategy: {kol_budget: 1, kol_selection: community, kol_community: 2}\n"
      "diffusion: {model: wechat_feed}\nattitude: {model: bounded_confidence}\n");
  const fs::path result = dir_ / "classmates_run.h5";
  const Outcome r = run("run -q " + scenario.string() + " -o " + result.string());
  ASSERT_EQ(r.code, 0) << r.output;
  const Outcome info = run("info " + result.string());
  EXPECT_NE(info.output.find("attitude_mean_by_community (4 columns)"), std::string::npos) << info.output;
  const fs::path bad = write("bad_nodes.csv", "id,region\nalice,abroad\n");
  const Outcome rejected = run("graph import " + (fixtures / "edges.txt").string() + " --nodes " + bad.string() +
                               " -o " + (dir_ / "bad.h5").string());
  EXPECT_EQ(rejected.code, 2);
  EXPECT_NE(rejected.output.find(bad.string() + ":2"), std::string::npos) << rejected.output;
}

// The shipped scenario files, relative to scenarios/, sorted.
std::vector<std::string> shipped_scenarios() {
  const fs::path dir = fs::path(SOFTPOWER_SOURCE_DIR) / "scenarios";
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml") names.push_back(fs::relative(entry.path(), dir).string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(CliScenarios, AtLeastSevenAreShipped) { EXPECT_GE(shipped_scenarios().size(), 7u); }

// Every shipped scenario runs as shipped, in well under a minute; one test per file, so each
// has the whole test time limit to itself. Under the sanitizers (several times slower) each runs
// one replicate and the minute does not apply.
class ShippedScenario : public Cli, public ::testing::WithParamInterface<std::string> {};

TEST_P(ShippedScenario, Runs) {
#ifdef SOFTPOWER_SANITIZED
  const std::string options = " --set runs=1";
  const bool timed = false;
#else
  const std::string options;
  const bool timed = true;
#endif
  const fs::path path = fs::path(SOFTPOWER_SOURCE_DIR) / "scenarios" / GetParam();
  // A sweep runs one replicate of a week at 4 of its points (shard 0 of 5): the full sweep is
  // a benchmark, not a test, and the sanitizer build must stay within the test timeout.
  std::ifstream file(path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const bool is_sweep = text.rfind("sweep:", 0) == 0 || text.find("\nsweep:") != std::string::npos;
  const std::string command = is_sweep ? "sweep " + path.string() +
                                             " --set sweep.replicates=1 --set time.horizon_days=7 --shard 0/5 -q"
                                       : "run " + path.string() + options;
  const auto start = std::chrono::steady_clock::now();
  const Outcome o = run(command + " -o " + (dir_ / "out.h5").string());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(o.code, 0) << path << "\n" << o.output;
  if (timed) {
    EXPECT_LT(seconds, 60.0) << path;
  }
}

INSTANTIATE_TEST_SUITE_P(Cli, ShippedScenario, ::testing::ValuesIn(shipped_scenarios()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).replace_extension().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST_F(Cli, HelpOnEveryCommand) {
  for (const char* cmd : {"", "run ", "sweep ", "merge ", "export ", "validate ", "info ", "report ", "graph ",
                          "graph generate ", "graph import ", "rerun "}) {
    const Outcome o = run(std::string(cmd) + "--help");
    EXPECT_EQ(o.code, 0) << cmd;
    EXPECT_NE(o.output.find("Usage"), std::string::npos) << cmd << o.output;
  }
}

}  // namespace
