#include "sim/sweep.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/censorship/pipeline.hpp"
#include "models/registry.hpp"
#include "sim/error.hpp"
#include "softpower/version.hpp"

namespace softpower {
namespace {

Scenario parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return parse_scenario(text, "s.yaml", overrides, "some/dir");
}

Sweep expand(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return expand_sweep(parse(text, overrides));
}

// The InputError message of loading a scenario text, or "" if it loads.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    (void)parse(text, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The InputError message of building point `point`, or "" if it builds.
std::string point_error(const std::string& text, std::uint64_t point) {
  const Scenario s = parse(text);
  const Sweep sweep = expand_sweep(s);
  try {
    (void)scenario_at_point(s, sweep, point);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The values of one axis, as text.
std::vector<std::string> levels(const Sweep& sweep, std::size_t axis) {
  std::vector<std::string> out;
  for (const auto& v : sweep.axes.at(axis).levels) out.push_back(sweep_value_text(v));
  return out;
}

std::vector<std::string> levels_of(const std::string& axis_yaml) {
  return levels(expand("sweep:\n  axes:\n    x: " + axis_yaml + "\n"), 0);
}

// Every point as "v1,v2,...".
std::vector<std::string> points(const Sweep& sweep) {
  std::vector<std::string> out;
  for (const auto& point : sweep.points) {
    std::string row;
    for (const auto& v : point) row.append(row.empty() ? "" : ",").append(sweep_value_text(v));
    out.push_back(row);
  }
  return out;
}

double number(const YAML::Node& v) { return std::stod(v.Scalar()); }

using Strings = std::vector<std::string>;

TEST(Sweep, NoSweepBlockIsOnePointOfRunsReplicates) {
  const Scenario s = parse("runs: 5\n");
  EXPECT_FALSE(s.sweep_node) << "no sweep block: an undefined node";
  const Sweep sweep = expand_sweep(s);
  EXPECT_TRUE(sweep.axes.empty());
  EXPECT_EQ(sweep.num_points(), 1u);
  EXPECT_TRUE(sweep.points[0].empty());
  EXPECT_EQ(sweep.replicates, 5u);
  EXPECT_EQ(sweep.num_runs(), 5u);
  EXPECT_EQ(sweep.seeds, SweepSeeds::kIndependent);
  EXPECT_FALSE(sweep_changes_graph(sweep));
  const Scenario p = scenario_at_point(s, sweep, 0);
  EXPECT_EQ(p.runs, 5u);
  EXPECT_EQ(p.name, "s");
}

TEST(Sweep, FactorialFirstAxisVariesSlowest) {
  const Sweep sweep = expand(
      "sweep:\n"
      "  axes:\n"
      "    strategy.articles_per_push: [1, 2, 4]\n"
      "    diffusion.model: [independent_cascade, wechat_feed]\n");
  EXPECT_FALSE(sweep.zip);
  ASSERT_EQ(sweep.axes.size(), 2u);
  EXPECT_EQ(sweep.axes[0].path, "strategy.articles_per_push");
  EXPECT_EQ(sweep.axes[1].path, "diffusion.model");
  EXPECT_EQ(sweep.axes[0].where, "s.yaml:3:5");
  EXPECT_EQ(sweep.axes[1].where, "s.yaml:4:5");
  EXPECT_FALSE(sweep.axes[0].sampled);
  EXPECT_EQ(points(sweep),
            (Strings{"1,independent_cascade", "1,wechat_feed", "2,independent_cascade",
                     "2,wechat_feed", "4,independent_cascade", "4,wechat_feed"}));
}

TEST(Sweep, ThreeAxesFactorialCount) {
  const Sweep sweep = expand("sweep: {axes: {a.x: [1, 2], a.y: [1, 2, 3], b.z: [1, 2, 3, 4]}}\n");
  ASSERT_EQ(sweep.num_points(), 24u);
  EXPECT_EQ(points(sweep)[0], "1,1,1");
  EXPECT_EQ(points(sweep)[1], "1,1,2");
  EXPECT_EQ(points(sweep)[4], "1,2,1");
  EXPECT_EQ(points(sweep)[12], "2,1,1");
  EXPECT_EQ(points(sweep)[23], "2,3,4");
}

TEST(Sweep, ZipTakesTheIthValueOfEveryAxis) {
  const Sweep sweep = expand(
      "sweep:\n"
      "  combine: zip\n"
      "  axes:\n"
      "    graph.n: [100, 200, 300]\n"
      "    time.step_hours: {from: 1, to: 3, step: 1}\n");
  EXPECT_TRUE(sweep.zip);
  EXPECT_EQ(points(sweep), (Strings{"100,1", "200,2", "300,3"}));
}

TEST(Sweep, ListValuesAreAnyYaml) {
  const Sweep sweep = expand(
      "sweep:\n"
      "  axes:\n"
      "    strategy:\n"
      "      - {model: posting, articles_per_push: 1}\n"
      "      - model: fixed_schedule\n"
      "        hours: [1, 2]\n"
      "    graph.block_sizes: [[10, 20], [30]]\n");
  EXPECT_EQ(levels(sweep, 0), (Strings{"{model: posting, articles_per_push: 1}",
                                       "{model: fixed_schedule, hours: [1, 2]}"}));
  EXPECT_EQ(levels(sweep, 1), (Strings{"[10, 20]", "[30]"}));
}

TEST(Sweep, RangeByCount) {
  EXPECT_EQ(levels_of("{from: 0, to: 1, count: 5}"), (Strings{"0", "0.25", "0.5", "0.75", "1"}));
  EXPECT_EQ(levels_of("{from: 0, to: 10, count: 6}"), (Strings{"0", "2", "4", "6", "8", "10"}));
  EXPECT_EQ(levels_of("{from: 1, to: 2, count: 3}"), (Strings{"1", "1.5", "2"}));
  EXPECT_EQ(levels_of("{from: 0.1, to: 0.5, count: 5}"),
            (Strings{"0.1", "0.2", "0.3", "0.4", "0.5"}));
  EXPECT_EQ(levels_of("{from: 0, to: 1, count: 4}"),
            (Strings{"0", "0.3333333333333333", "0.6666666666666666", "1"}));
  EXPECT_EQ(levels_of("{from: 5, to: 1, count: 3}"), (Strings{"5", "3", "1"})) << "descending";
  EXPECT_EQ(levels_of("{from: 7, to: 9, count: 1}"), (Strings{"7"})) << "count 1 gives from";
  EXPECT_EQ(levels_of("{from: 2.5, to: 9, count: 1}"), (Strings{"2.5"}));
  EXPECT_EQ(levels_of("{from: 1e3, to: 3e3, count: 3}"), (Strings{"1000", "2000", "3000"}));
  // Bounds too long for exact decimals: plain doubles, and still exactly `to` at the end.
  const Strings long_bounds = levels_of("{from: 0, to: 0.10000000000000000000001, count: 3}");
  EXPECT_EQ(long_bounds, (Strings{"0", "0.05", "0.1"}));
}

TEST(Sweep, RangeByStep) {
  EXPECT_EQ(levels_of("{from: 1, to: 4, step: 1}"), (Strings{"1", "2", "3", "4"}));
  EXPECT_EQ(levels_of("{from: 1000, to: 3000, step: 1000}"), (Strings{"1000", "2000", "3000"}));
  EXPECT_EQ(levels_of("{from: 0, to: 1, step: 0.1}"),
            (Strings{"0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"}))
      << "exact decimals, not 0.30000000000000004";
  EXPECT_EQ(levels_of("{from: 1, to: 4.5, step: 1}"), (Strings{"1", "2", "3", "4"}))
      << "to not reached";
  EXPECT_EQ(levels_of("{from: 4, to: 1, step: -1.5}"), (Strings{"4", "2.5", "1"}))
      << "negative step counts down";
  EXPECT_EQ(levels_of("{from: -0.3, to: 0.3, step: 0.1}"),
            (Strings{"-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3"}));
  EXPECT_EQ(levels_of("{from: 2, to: 2, step: 1}"), (Strings{"2"}));
  // Plain doubles: the end counts when reached within 1e-9 steps.
  EXPECT_EQ(levels_of("{from: 0, to: 1.000000000000000000001, step: 0.25}"),
            (Strings{"0", "0.25", "0.5", "0.75", "1"}));
}

TEST(Sweep, LogRange) {
  EXPECT_EQ(levels_of("{from: 0.001, to: 0.1, count: 3, scale: log}"),
            (Strings{"0.001", "0.01", "0.1"}));
  EXPECT_EQ(levels_of("{from: 1, to: 1000, count: 4, scale: log}"),
            (Strings{"1", "10", "100", "1000"}));
  const Strings values = levels_of("{from: 1, to: 2, count: 3, scale: log}");
  ASSERT_EQ(values.size(), 3u);
  EXPECT_NEAR(std::stod(values[1]), std::sqrt(2.0), 1e-14);
  EXPECT_EQ(levels_of("{from: 1, to: 100, count: 3, scale: linear}"),
            (Strings{"1", "50.5", "100"}));
}

TEST(Sweep, ReplicatesDefaultToRuns) {
  EXPECT_EQ(expand("runs: 7\nsweep: {axes: {graph.n: [10, 20]}}\n").replicates, 7u);
  EXPECT_EQ(expand("sweep: {axes: {graph.n: [10, 20]}}\n").replicates, 1u);
  const Sweep sweep = expand("runs: 7\nsweep: {replicates: 3, axes: {graph.n: [10, 20]}}\n");
  EXPECT_EQ(sweep.replicates, 3u);
  EXPECT_EQ(sweep.num_runs(), 6u);
  EXPECT_EQ(expand("sweep: {axes: {graph.n: [10]}}\n", {"runs=4"}).replicates, 4u);
  EXPECT_EQ(expand("sweep: {axes: {graph.n: [10]}}\n", {"sweep.replicates=9"}).replicates, 9u);
}

TEST(Sweep, RunIdsArePointMajor) {
  const Sweep independent = expand("sweep: {replicates: 3, axes: {graph.n: [10, 20, 30, 40]}}\n");
  EXPECT_EQ(independent.seeds, SweepSeeds::kIndependent);
  EXPECT_EQ(independent.num_runs(), 12u);
  EXPECT_EQ(independent.run_id(0, 0), 0u);
  EXPECT_EQ(independent.run_id(2, 1), 7u);
  EXPECT_EQ(independent.point_of(7), 2u);
  EXPECT_EQ(independent.replicate_of(7), 1u);
  EXPECT_EQ(independent.stream_of(7), 7u);
  for (RunId run = 0; run < independent.num_runs(); ++run) {
    EXPECT_EQ(independent.run_id(independent.point_of(run), independent.replicate_of(run)), run);
  }
  const Sweep common =
      expand("sweep: {replicates: 3, seeds: common, axes: {graph.n: [10, 20, 30, 40]}}\n");
  EXPECT_EQ(common.seeds, SweepSeeds::kCommon);
  EXPECT_EQ(common.stream_of(7), 1u);
  EXPECT_EQ(common.stream_of(common.run_id(3, 2)), 2u);
  EXPECT_EQ(common.stream_of(common.run_id(0, 2)), 2u);
}

// Stratum (0 .. n-1) of a value in [low, high], in linear or log space.
std::size_t stratum(double v, double low, double high, std::size_t n, bool log) {
  const double x = log ? (std::log(v) - std::log(low)) / (std::log(high) - std::log(low))
                       : (v - low) / (high - low);
  return std::min(n - 1, static_cast<std::size_t>(std::floor(x * static_cast<double>(n))));
}

const char* const kTwoSampled =
    "seed: 11\n"
    "sweep:\n"
    "  samples: 16\n"
    "  axes:\n"
    "    diffusion.share_probability: {sample: latin_hypercube, low: 0.02, high: 0.05}\n"
    "    graph.mean_degree: {sample: latin_hypercube, low: 1, high: 100, scale: log}\n";

TEST(Sweep, LatinHypercubeHasOneSampleInEveryStratum) {
  const Sweep sweep = expand(kTwoSampled);
  EXPECT_EQ(sweep.samples, 16u);
  ASSERT_EQ(sweep.num_points(), 16u) << "the sampled axes are one factor";
  ASSERT_EQ(sweep.axes.size(), 2u);
  EXPECT_TRUE(sweep.axes[0].sampled);
  EXPECT_TRUE(sweep.axes[1].sampled);
  const double bounds[2][2] = {{0.02, 0.05}, {1, 100}};
  for (std::size_t a = 0; a < 2; ++a) {
    std::set<std::size_t> strata;
    for (std::size_t p = 0; p < 16; ++p) {
      const double v = number(sweep.points[p][a]);
      EXPECT_GE(v, bounds[a][0]);
      EXPECT_LE(v, bounds[a][1]);
      EXPECT_EQ(sweep.points[p][a].Scalar(), sweep.axes[a].levels[p].Scalar())
          << "point p takes sample p";
      strata.insert(stratum(v, bounds[a][0], bounds[a][1], 16, a == 1));
    }
    EXPECT_EQ(strata.size(), 16u) << "axis " << a << ": exactly one sample per stratum";
  }
  // The two axes are not permuted alike.
  std::vector<std::size_t> first;
  std::vector<std::size_t> second;
  for (std::size_t p = 0; p < 16; ++p) {
    first.push_back(stratum(number(sweep.points[p][0]), 0.02, 0.05, 16, false));
    second.push_back(stratum(number(sweep.points[p][1]), 1, 100, 16, true));
  }
  EXPECT_NE(first, second);
}

TEST(Sweep, LatinHypercubeIsDeterministicPerSeed) {
  const std::string text = kTwoSampled;
  EXPECT_EQ(points(expand(text)), points(expand(text)));
  EXPECT_NE(points(expand(text)), points(expand(text, {"seed=12"})));
  EXPECT_EQ(points(expand(text, {"seed=12"})), points(expand(text, {"seed=12"})));
  // Sampled on its own, an axis does not depend on the others listed with it.
  const Sweep alone = expand(
      "seed: 11\nsweep:\n  samples: 16\n  axes:\n"
      "    diffusion.share_probability: {sample: latin_hypercube, low: 0.02, high: 0.05}\n");
  EXPECT_EQ(levels(alone, 0), levels(expand(text), 0));
}

TEST(Sweep, IntegerLatinHypercube) {
  const Sweep sweep = expand(
      "sweep:\n  samples: 10\n  axes:\n    graph.n: {sample: latin_hypercube, low: 101, high: 110, "
      "integer: true}\n");
  std::set<std::string> values;
  for (const auto& v : sweep.axes[0].levels) {
    EXPECT_EQ(v.Scalar().find_first_not_of("0123456789"), std::string::npos) << v.Scalar();
    values.insert(v.Scalar());
  }
  EXPECT_EQ(values, (std::set<std::string>{"101", "102", "103", "104", "105", "106", "107", "108",
                                           "109", "110"}))
      << "samples = high - low + 1: every integer once";
  const Sweep few = expand(
      "sweep:\n  samples: 4\n  axes:\n    graph.n: {sample: latin_hypercube, low: 0, high: 99, "
      "integer: true}\n");
  std::set<long> strata;
  for (const auto& v : few.axes[0].levels) {
    const long n = std::stol(v.Scalar());
    EXPECT_GE(n, 0);
    EXPECT_LE(n, 99);
    strata.insert(n / 25);
  }
  EXPECT_EQ(strata.size(), 4u);
}

TEST(Sweep, SampledGroupSitsAtItsFirstAxis) {
  const Sweep sweep = expand(
      "sweep:\n"
      "  samples: 3\n"
      "  axes:\n"
      "    a.x: [1, 2]\n"
      "    a.s: {sample: latin_hypercube, low: 0, high: 1}\n"
      "    a.y: [p, q]\n"
      "    a.t: {sample: latin_hypercube, low: 5, high: 6}\n");
  ASSERT_EQ(sweep.num_points(), 12u);  // 2 x 3 x 2
  for (std::uint64_t p = 0; p < 12; ++p) {
    const auto& point = sweep.points[p];
    EXPECT_EQ(point[0].Scalar(), p < 6 ? "1" : "2");
    const std::uint64_t sample = (p / 2) % 3;
    EXPECT_EQ(point[1].Scalar(), sweep.axes[1].levels[sample].Scalar());
    EXPECT_EQ(point[3].Scalar(), sweep.axes[3].levels[sample].Scalar())
        << "sampled axes move together";
    EXPECT_EQ(point[2].Scalar(), p % 2 == 0 ? "p" : "q");
  }
  const Sweep zipped = expand(
      "sweep:\n  combine: zip\n  samples: 2\n  axes:\n"
      "    a.x: [1, 2]\n    a.s: {sample: latin_hypercube, low: 0, high: 1}\n");
  ASSERT_EQ(zipped.num_points(), 2u);
  EXPECT_EQ(zipped.points[1][1].Scalar(), zipped.axes[1].levels[1].Scalar());
}

const char* const kGraphSweep =
    "name: study\n"
    "runs: 2\n"
    "time: {horizon_days: 2}\n"
    "graph: {type: erdos_renyi, n: 50, mean_degree: 4}\n"
    "institution: {followers: 5}\n"
    "sweep:\n"
    "  replicates: 3\n"
    "  axes:\n"
    "    time.step_hours: [1, 2]\n"
    "    graph.n: [100, 200]\n"
    "    institution.followers: {from: 10, to: 30, step: 10}\n";

TEST(Sweep, ScenarioAtPointSetsEveryAxis) {
  const Scenario s = parse(kGraphSweep);
  EXPECT_TRUE(s.sweep_node);
  const Sweep sweep = expand_sweep(s);
  ASSERT_EQ(sweep.num_points(), 12u);
  EXPECT_TRUE(sweep_changes_graph(sweep));
  const Scenario p = scenario_at_point(s, sweep, 7);  // (2, 100, 20)
  EXPECT_EQ(p.time.step_hours, 2.0);
  EXPECT_EQ(p.time.horizon_days, 2.0) << "unswept keys of a swept section stay";
  EXPECT_EQ(p.graph.n, 100u);
  EXPECT_EQ(p.graph.mean_degree, 4.0);
  EXPECT_EQ(p.institution.followers, 20u);
  EXPECT_EQ(p.runs, 3u) << "runs = replicates";
  EXPECT_EQ(p.name, "study");
  EXPECT_EQ(p.origin.file, "s.yaml");
  EXPECT_EQ(p.base_dir, std::filesystem::path("some/dir"));
  EXPECT_FALSE(p.sweep_node) << "a point has no sweep";
  EXPECT_EQ(expand_sweep(p).num_points(), 1u);
  EXPECT_EQ(scenario_at_point(s, sweep, 11).graph.n, 200u);
  EXPECT_EQ(scenario_at_point(s, sweep, 11).institution.followers, 30u);
  EXPECT_EQ(scenario_at_point(s, sweep, 0).time.step_hours, 1.0);
  EXPECT_THROW((void)scenario_at_point(s, sweep, 12), std::out_of_range);
}

TEST(Sweep, ScenarioAtPointLeavesTheSourceAlone) {
  const Scenario s = parse(kGraphSweep);
  const Sweep sweep = expand_sweep(s);
  YAML::Emitter before;
  before << s.source;
  for (std::uint64_t p = 0; p < sweep.num_points(); ++p) (void)scenario_at_point(s, sweep, p);
  YAML::Emitter after;
  after << s.source;
  EXPECT_EQ(std::string(before.c_str()), std::string(after.c_str()));
  EXPECT_FALSE(s.source["sweep"]) << "source has no sweep block";
  EXPECT_EQ(s.source["graph"]["n"].Scalar(), "50");
  EXPECT_EQ(s.source["graph"]["n"].Mark().line, 3) << "source keeps the file's lines";
  EXPECT_EQ(scenario_at_point(s, sweep, 0).graph.n, 100u) << "points do not see each other";
}

TEST(Sweep, SourceIsADeepCopy) {
  const Scenario s =
      parse("censorship: {strength: 0.5}\nsweep: {axes: {graph.n: [10]}}\n", {"graph.n=20"});
  EXPECT_EQ(s.source["graph"]["n"].Scalar(), "20") << "overrides applied";
  YAML::Node source = s.source;
  source["censorship"]["strength"] = "0.9";
  EXPECT_EQ(s.censorship["strength"].Scalar(), "0.5");
  EXPECT_EQ(s.sweep_node["axes"]["graph.n"][0].Scalar(), "10");
}

TEST(Sweep, WholeSectionAxisReplacesTheSection) {
  const Scenario s = parse(
      "strategy: {model: posting, push_every_hours: 24, articles_per_push: 2}\n"
      "sweep:\n"
      "  axes:\n"
      "    strategy: [{model: posting, articles_per_push: 1}, {model: fixed_schedule}]\n");
  const Sweep sweep = expand_sweep(s);
  const Scenario first = scenario_at_point(s, sweep, 0);
  EXPECT_EQ(first.strategy.model, "posting");
  EXPECT_EQ(first.strategy.params["articles_per_push"].as<int>(), 1);
  EXPECT_FALSE(first.strategy.params["push_every_hours"]);
  const Scenario second = scenario_at_point(s, sweep, 1);
  EXPECT_EQ(second.strategy.model, "fixed_schedule");
  EXPECT_EQ(second.strategy.params.size(), 0u);
}

TEST(Sweep, AxisCreatesMissingSections) {
  const Scenario s = parse("sweep: {axes: {attitude.openness: [0.1, 0.2]}}\n");
  EXPECT_FALSE(s.attitude.has_value());
  const Scenario p = scenario_at_point(s, expand_sweep(s), 1);
  ASSERT_TRUE(p.attitude.has_value());
  EXPECT_EQ(p.attitude->params["openness"].Scalar(), "0.2");
}

TEST(Sweep, BadSweptValueNamesAxisPointAndLine) {
  const std::string text =
      "graph: {n: 100}\n"
      "sweep:\n"
      "  axes:\n"
      "    time.step_hours: [1, 500]\n";
  EXPECT_EQ(point_error(text, 0), "");
  EXPECT_EQ(
      point_error(text, 1),
      "sweep.axes.time.step_hours (s.yaml:4:5), point 1, value 500: value 500 is out of range "
      "[0.016666666666666666, 168]");
  EXPECT_EQ(point_error("sweep: {axes: {graph.n: [10, abc]}}\n", 1),
            "sweep.axes.graph.n (s.yaml:1:16), point 1, value abc: expected an integer, got 'abc'");
  EXPECT_EQ(point_error("sweep:\n  axes:\n    graph: [{n: 10}, {n: 1}]\n", 1),
            "sweep.axes.graph (s.yaml:3:5), point 1, value {n: 1}: graph.n: value 1 is out of "
            "range [2, 4294967293]");
  EXPECT_EQ(point_error("sweep:\n  axes:\n    graph.nn: [3]\n", 0)
                .rfind("sweep.axes.graph.nn (s.yaml:3:5), point 0, value 3: unknown key", 0),
            0u);
  // A swept value that breaks a check of its section.
  EXPECT_EQ(point_error("graph: {type: watts_strogatz}\nsweep:\n  axes:\n    graph.k: [4, 5]\n", 1),
            "sweep.axes.graph.k (s.yaml:4:5), point 1, value 5: must be even");
}

TEST(Sweep, ModelErrorsAtAPointNameTheAxis) {
  const Scenario s = parse(
      "diffusion: {model: independent_cascade}\n"
      "censorship: {strength: 0.5}\n"
      "sweep:\n"
      "  axes:\n"
      "    diffusion.open_probability: [0.5, 1.5]\n"
      "    censorship.strength: [0, 2]\n");
  const Sweep sweep = expand_sweep(s);
  const auto error = [&](std::uint64_t point) -> std::string {
    try {
      const Scenario p = scenario_at_point(s, sweep, point);
      (void)make_diffusion_model(p);
      (void)make_platform_filter(p);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error(0), "");
  EXPECT_EQ(error(1),
            "sweep.axes.censorship.strength (s.yaml:6:5), point 1, value 2: value 2 is out of "
            "range [0, 1]");
  EXPECT_EQ(error(2),
            "sweep.axes.diffusion.open_probability (s.yaml:5:5), point 2, value 1.5: value 1.5 is "
            "out of range [0, 1]");
}

TEST(Sweep, UnsweptKeyAtAPointKeepsItsLine) {
  const std::string message = point_error(
      "graph:\n  n: 100\n  mean_degree: 4\nsweep:\n  axes:\n    graph.type: [erdos_renyi, "
      "watts_strogatz]\n",
      1);
  EXPECT_EQ(
      message.rfind("s.yaml:3:3: graph.mean_degree: not used by graph type 'watts_strogatz'", 0),
      0u)
      << message;
}

TEST(Sweep, SweepAxisReplacesSetOverridesBelowIt) {
  const Scenario s = parse("sweep: {axes: {graph: [{n: 1}]}}\n", {"graph.n=50"});
  EXPECT_EQ(s.graph.n, 50u);
  try {
    (void)scenario_at_point(s, expand_sweep(s), 0);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(
                  "sweep.axes.graph (s.yaml:1:16), point 0, value {n: 1}: graph.n: ", 0),
              0u)
        << e.what();
  }
}

// Each error case of the sweep block, at load time: the message, with the file, line, column
// and key path.
struct ErrorCase {
  const char* text;
  const char* message;
};

TEST(Sweep, ErrorsNameKeyAndLine) {
  const ErrorCase cases[] = {
      {"sweep: 3\n", "s.yaml:1:8: sweep: expected a mapping with at least `axes`"},
      {"sweep:\n  axis: {}\n",
       "s.yaml:2:3: sweep.axis: unknown key (known keys: axes, combine, replicates, seeds, "
       "samples)"},
      {"sweep:\n  replicates: 2\n",
       "s.yaml:2:3: sweep.axes: missing: a sweep needs at least one axis"},
      {"sweep:\n  axes: {}\n",
       "s.yaml:2:9: sweep.axes: expected a mapping of key paths to values, with at least one axis"},
      {"sweep:\n  axes: [graph.n]\n",
       "s.yaml:2:9: sweep.axes: expected a mapping of key paths to values, with at least one axis"},
      {"sweep:\n  axes:\n    graph.n: []\n",
       "s.yaml:3:14: sweep.axes.graph.n: an axis needs at least one value"},
      {"sweep:\n  axes:\n    graph.n: 5\n",
       "s.yaml:3:14: sweep.axes.graph.n: expected a list of values, a range {from, to, count or "
       "step} or a sample "
       "{sample: latin_hypercube, low, high} (a mapping to sweep as a value goes inside a list)"},
      {"sweep:\n  axes:\n    graph: {type: erdos_renyi}\n",
       "s.yaml:3:12: sweep.axes.graph: expected a list of values, a range {from, to, count or "
       "step} or a sample "
       "{sample: latin_hypercube, low, high} (a mapping to sweep as a value goes inside a list)"},
      {"sweep:\n  axes:\n    graph.n: {from: 1, to: 5, cout: 3}\n",
       "s.yaml:3:31: sweep.axes.graph.n: unknown key 'cout' in a range (known keys: from, to, "
       "count, step, scale)"},
      {"sweep:\n  axes:\n    graph.n: {from: 1, count: 3}\n",
       "s.yaml:3:14: sweep.axes.graph.n: a range needs both from and to"},
      {"sweep:\n  axes:\n    graph.n: {from: 1, to: 5}\n",
       "s.yaml:3:14: sweep.axes.graph.n: a range needs count or step"},
      {"sweep:\n  axes:\n    graph.n: {from: 1, to: 5, count: 2, step: 1}\n",
       "s.yaml:3:47: sweep.axes.graph.n: give count or step, not both"},
      {"sweep:\n  axes:\n    graph.n: {from: 1, to: 5, count: 0}\n",
       "s.yaml:3:38: sweep.axes.graph.n: count must be at least 1, got 0"},
      {"sweep:\n  axes:\n    graph.n: {from: 1, to: 5, count: 2.5}\n",
       "s.yaml:3:38: sweep.axes.graph.n: count: expected an integer, got '2.5'"},
      {"sweep:\n  axes:\n    graph.n: {from: x, to: 5, count: 2}\n",
       "s.yaml:3:21: sweep.axes.graph.n: from: expected a number, got 'x'"},
      {"sweep:\n  axes:\n    graph.n: {from: 1, to: 5, step: 0}\n",
       "s.yaml:3:37: sweep.axes.graph.n: step must not be 0"},
      {"sweep:\n  axes:\n    graph.n: {from: 5, to: 1, step: 1}\n",
       "s.yaml:3:37: sweep.axes.graph.n: from 5 is above to 1 with a positive step 1 (a negative "
       "step counts down)"},
      {"sweep:\n  axes:\n    graph.n: {from: 1, to: 5, step: -1}\n",
       "s.yaml:3:37: sweep.axes.graph.n: from 1 is below to 5 with a negative step -1"},
      {"sweep:\n  axes:\n    graph.p_in: {from: 0, to: 1, count: 3, scale: log}\n",
       "s.yaml:3:17: sweep.axes.graph.p_in: scale: log needs from and to above 0, got 0 and 1"},
      {"sweep:\n  axes:\n    graph.p_in: {from: 1, to: 8, step: 2, scale: log}\n",
       "s.yaml:3:40: sweep.axes.graph.p_in: scale: log takes count, not step"},
      {"sweep:\n  axes:\n    graph.p_in: {from: 1, to: 8, count: 2, scale: cubic}\n",
       "s.yaml:3:51: sweep.axes.graph.p_in: scale: expected one of: linear, log"},
      {"sweep:\n  samples: 4\n  axes:\n    graph.p_in: {sample: latin_hypercube, low: 1, high: 2, "
       "step: 1}\n",
       "s.yaml:4:60: sweep.axes.graph.p_in: unknown key 'step' in a sample (known keys: sample, "
       "low, high, scale, integer)"},
      {"sweep:\n  samples: 4\n  axes:\n    graph.p_in: {sample: sobol, low: 1, high: 2}\n",
       "s.yaml:4:26: sweep.axes.graph.p_in: sample: expected one of: latin_hypercube"},
      {"sweep:\n  samples: 4\n  axes:\n    graph.p_in: {sample: latin_hypercube, high: 2}\n",
       "s.yaml:4:17: sweep.axes.graph.p_in: a sample needs both low and high"},
      {"sweep:\n  samples: 4\n  axes:\n    graph.p_in: {sample: latin_hypercube, low: 3, high: "
       "2}\n",
       "s.yaml:4:48: sweep.axes.graph.p_in: low 3 is above high 2"},
      {"sweep:\n  samples: 4\n  axes:\n    graph.p_in: {sample: latin_hypercube, low: 0, high: 2, "
       "scale: log}\n",
       "s.yaml:4:48: sweep.axes.graph.p_in: scale: log needs low above 0, got 0"},
      {"sweep:\n  samples: 4\n  axes:\n    graph.n: {sample: latin_hypercube, low: 1.5, high: 9, "
       "integer: true}\n",
       "s.yaml:4:45: sweep.axes.graph.n: integer: true needs integer bounds, got low 1.5"},
      {"sweep:\n  samples: 4\n  axes:\n    graph.n: {sample: latin_hypercube, low: 1, high: 9, "
       "integer: true, scale: log}\n",
       "s.yaml:4:66: sweep.axes.graph.n: integer: true needs a linear scale"},
      {"sweep:\n  samples: 4\n  axes:\n    graph.n: {sample: latin_hypercube, low: 1, high: 9, "
       "integer: maybe}\n",
       "s.yaml:4:66: sweep.axes.graph.n: integer: expected true or false"},
      {"sweep:\n  axes:\n    graph.n: [10]\n    graph.p_in: {sample: latin_hypercube, low: 0, "
       "high: 1}\n",
       "s.yaml:4:5: sweep.axes.graph.p_in: a sampled axis needs sweep.samples, the number of "
       "Latin-hypercube points"},
      {"sweep:\n  samples: 8\n  axes:\n    graph.n: [10]\n",
       "s.yaml:2:12: sweep.samples: given, but no axis is sampled (sample: latin_hypercube)"},
      {"sweep:\n  samples: 0\n  axes:\n    graph.n: [10]\n",
       "s.yaml:2:12: sweep.samples: value 0 is out of range [1, 10000000]"},
      {"sweep:\n  combine: zip\n  axes:\n    graph.n: [10, 20, 30]\n    graph.mean_degree: [1, "
       "2]\n",
       "s.yaml:5:5: sweep.axes.graph.mean_degree: combine: zip needs axes of one length, but "
       "'graph.n' (3 values) and "
       "'graph.mean_degree' (2 values) differ"},
      {"sweep:\n  combine: zip\n  samples: 4\n  axes:\n    graph.n: [10, 20, 30]\n"
       "    graph.p_in: {sample: latin_hypercube, low: 0, high: 1}\n",
       "s.yaml:6:5: sweep.axes.graph.p_in: combine: zip needs axes of one length, but 'graph.n' (3 "
       "values) and "
       "the sampled axes (4 samples) differ"},
      {"sweep:\n  combine: all\n  axes:\n    graph.n: [10]\n",
       "s.yaml:2:12: sweep.combine: 'all' is not one of: factorial, zip"},
      {"sweep:\n  seeds: shared\n  axes:\n    graph.n: [10]\n",
       "s.yaml:2:10: sweep.seeds: 'shared' is not one of: independent, common"},
      {"sweep:\n  replicates: 0\n  axes:\n    graph.n: [10]\n",
       "s.yaml:2:15: sweep.replicates: value 0 is out of range [1, 1099511627776]"},
      {"sweep:\n  axes:\n    name: [a, b]\n",
       "s.yaml:3:5: sweep.axes.name: 'name' cannot be swept: a sweep has one name and description"},
      {"sweep:\n  axes:\n    description: [a, b]\n",
       "s.yaml:3:5: sweep.axes.description: 'description' cannot be swept: a sweep has one name "
       "and description"},
      {"sweep:\n  axes:\n    seed: [1, 2]\n",
       "s.yaml:3:5: sweep.axes.seed: 'seed' cannot be swept: the base seed is that of the whole "
       "sweep (sweep.seeds and "
       "sweep.replicates choose the runs' streams)"},
      {"sweep:\n  axes:\n    runs: [1, 2]\n",
       "s.yaml:3:5: sweep.axes.runs: 'runs' cannot be swept: sweep.replicates sets the runs of "
       "each point"},
      {"sweep:\n  axes:\n    sweep.replicates: [1, 2]\n",
       "s.yaml:3:5: sweep.axes.sweep.replicates: 'sweep.replicates' cannot be swept: a sweep "
       "cannot sweep its own keys"},
      {"sweep:\n  axes:\n    sweep: [{}]\n",
       "s.yaml:3:5: sweep.axes.sweep: 'sweep' cannot be swept: a sweep cannot sweep its own keys"},
      {"sweep:\n  axes:\n    graph..n: [1]\n",
       "s.yaml:3:5: sweep.axes.graph..n: empty key in 'graph..n'"},
      {"sweep:\n  axes:\n    strategy: [{model: posting}]\n    strategy.articles_per_push: [1, "
       "2]\n",
       "s.yaml:4:5: sweep.axes.strategy.articles_per_push: 'strategy.articles_per_push' is inside "
       "axis 'strategy' (s.yaml:3:5): "
       "sweep one or the other"},
      {"sweep:\n  axes:\n    strategy.articles_per_push: [1, 2]\n    strategy: [{model: "
       "posting}]\n",
       "s.yaml:4:5: sweep.axes.strategy: 'strategy.articles_per_push' is inside axis 'strategy' "
       "(s.yaml:3:5): "
       "sweep one or the other"},
      {"sweep:\n  axes:\n    graph.n: [1]\n    graph.n: [2]\n",
       "s.yaml:4:5: sweep.axes.graph.n: duplicate key (first at line 3, column 5)"},
      {"graph: {n: 5}\nsweep:\n  axes:\n    graph.n.x: [1]\n",
       "s.yaml:4:5: sweep.axes.graph.n.x: 'n' is a value, not a section"},
  };
  for (const ErrorCase& c : cases) EXPECT_EQ(error_of(c.text), c.message) << c.text;
}

TEST(Sweep, ErrorsFromSetNameTheArgument) {
  EXPECT_EQ(
      error_of("sweep: {axes: {graph.n: [1]}}\n", {"sweep.replicates=0"}),
      "--set sweep.replicates=0: sweep.replicates: value 0 is out of range [1, 1099511627776]");
  EXPECT_EQ(
      error_of("", {"sweep={axes: {graph.n: []}}"}),
      "--set sweep={axes: {graph.n: []}}: sweep.axes.graph.n: an axis needs at least one value");
  const Scenario s = parse("", {"sweep={axes: {graph.n: [10, 20]}}"});
  EXPECT_EQ(expand_sweep(s).axes[0].where, "--set sweep={axes: {graph.n: [10, 20]}}");
  EXPECT_EQ(error_of("", {"sweep.axes.graph.n=[]"}),
            "--set sweep.axes.graph.n=[]: sweep.axes.graph.n: an axis needs at least one value");
}

TEST(Sweep, SetNamesAWholeAxisByItsKeyPath) {
  const Sweep sweep =
      expand("sweep:\n  axes:\n    graph.n: [10]\n",
             {"sweep.axes.censorship.strength=[0, 1]", "sweep.axes.graph.n=[30, 40]"});
  ASSERT_EQ(sweep.axes.size(), 2u);
  EXPECT_EQ(sweep.axes[0].path, "graph.n");
  EXPECT_EQ(levels(sweep, 0), (Strings{"30", "40"}));
  EXPECT_EQ(sweep.axes[1].path, "censorship.strength");
  EXPECT_EQ(sweep.axes[1].where, "--set sweep.axes.censorship.strength=[0, 1]");
  EXPECT_EQ(levels(sweep, 1), (Strings{"0", "1"}));
  EXPECT_EQ(
      expand("", {"sweep.axes.graph.n={from: 1, to: 3, step: 1}", "sweep.replicates=2"}).num_runs(),
      6u);
}

TEST(Sweep, TopLevelSweepKeyIsKnown) {
  EXPECT_EQ(error_of("sweeps: {}\n"),
            "s.yaml:1:1: sweeps: unknown key (known: name, description, seed, runs, time, graph, "
            "institution, strategy, "
            "diffusion, censorship, attitude, export, sweep)");
  EXPECT_EQ(error_of("sweep: {axes: {graph.n: [10]}}\n"), "");
}

TEST(Sweep, TextIsTheBlockAsYaml) {
  const Sweep sweep = expand("sweep:\n  replicates: 2\n  axes:\n    graph.n: [10, 20]\n");
  const YAML::Node again = YAML::Load(sweep.text);
  EXPECT_EQ(again["replicates"].Scalar(), "2");
  EXPECT_EQ(again["axes"]["graph.n"][1].Scalar(), "20");
  EXPECT_EQ(expand("").text, "");
}

TEST(Sweep, ValueText) {
  EXPECT_EQ(sweep_value_text(YAML::Load("0.5")), "0.5");
  EXPECT_EQ(sweep_value_text(YAML::Load("wechat_feed")), "wechat_feed");
  EXPECT_EQ(
      sweep_value_text(YAML::Load("model: posting\narticles_per_push: 1\ntopics:\n  - a\n  - b\n")),
      "{model: posting, articles_per_push: 1, topics: [a, b]}");
  EXPECT_EQ(sweep_value_text(YAML::Load("[1, 2]")), "[1, 2]");
}

TEST(Sweep, ChangesGraphOnlyUnderGraphOrInstitution) {
  const auto changes = [](const std::string& axis) {
    return sweep_changes_graph(expand("sweep: {axes: {" + axis + ": [1]}}\n"));
  };
  EXPECT_TRUE(changes("graph.n"));
  EXPECT_TRUE(changes("graph"));
  EXPECT_TRUE(changes("institution.followers"));
  EXPECT_TRUE(changes("institution"));
  EXPECT_FALSE(changes("censorship.strength"));
  EXPECT_FALSE(changes("graphs.n"));
  EXPECT_FALSE(changes("time.step_hours"));
}

TEST(Sweep, FingerprintIsStableAndSensitive) {
  const Scenario s = parse("sweep: {replicates: 2, axes: {graph.n: [10, 20]}}\n");
  const Sweep sweep = expand_sweep(s);
  const std::vector<std::string> yaml{"graph: {n: 10}\n", "graph: {n: 20}\n"};
  const std::string fp = sweep_fingerprint(s, sweep, yaml);
  EXPECT_EQ(fp.size(), 16u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(
      sweep_fingerprint(
          s, expand_sweep(parse("sweep: {replicates: 2, axes: {graph.n: [10, 20]}}\n")), yaml),
      fp);

  std::set<std::string> all{fp};
  all.insert(sweep_fingerprint(s, sweep, {"graph: {n: 10}\n", "graph: {n: 21}\n"}));
  all.insert(sweep_fingerprint(s, sweep, {"graph: {n: 20}\n", "graph: {n: 10}\n"}));
  all.insert(sweep_fingerprint(s, sweep, {"graph: {n: 10}\ngraph: {n: 20}\n", ""}));
  Sweep more = sweep;
  more.replicates = 3;
  all.insert(sweep_fingerprint(s, more, yaml));
  Sweep common = sweep;
  common.seeds = SweepSeeds::kCommon;
  all.insert(sweep_fingerprint(s, common, yaml));
  Scenario other_seed = s;
  other_seed.seed = 2;
  all.insert(sweep_fingerprint(other_seed, sweep, yaml));
  EXPECT_EQ(all.size(), 7u) << "every change gives another fingerprint";
  EXPECT_THROW((void)sweep_fingerprint(s, sweep, {"graph: {n: 10}\n"}), std::invalid_argument);
}

TEST(Sweep, FingerprintIsFnv1a) {
  // Pinned: the fingerprint must not change between platforms or builds of one version.
  const Scenario s = parse("sweep: {axes: {graph.n: [10]}}\n");
  Sweep sweep = expand_sweep(s);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  const auto byte = [&h](unsigned char b) {
    h ^= b;
    h *= 0x100000001b3ULL;
  };
  const auto integer = [&](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(v >> (8 * i)));
  };
  const auto text = [&](const std::string& t) {
    integer(t.size());
    for (char c : t) byte(static_cast<unsigned char>(c));
  };
  text(kVersion);
  integer(1);  // seed
  integer(1);  // points
  text("x");
  integer(1);  // replicates
  integer(0);  // independent
  char expected[17];
  std::snprintf(expected, sizeof expected, "%016llx", static_cast<unsigned long long>(h));
  EXPECT_EQ(sweep_fingerprint(s, sweep, {"x"}), expected);
}

TEST(Sweep, ReferenceDocumentsTheBlock) {
  const std::string docs = scenario_docs();
  const auto at = docs.find("### `sweep`");
  ASSERT_NE(at, std::string::npos);
  for (const char* key :
       {"`sweep.axes`", "`sweep.combine`", "`sweep.replicates`", "`sweep.seeds`", "`sweep.samples`",
        "run = point * replicates + replicate", "latin_hypercube"}) {
    EXPECT_NE(docs.find(key, at), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace softpower
