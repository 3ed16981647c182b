// The export of one run (viz_export/export.hpp): what each vertex and arc says on a star whose
// cascade is certain, samples, cascade file names, all-or-nothing files and the errors. The
// files' validity against the GEXF schemas and their reading in NetworkX are checked end to end
// in tests/apps/export_test.py.
#include "viz_export/export.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "models/diffusion/independent_cascade.hpp"
#include "models/strategy/fixed_schedule.hpp"
#include "sim/engine.hpp"
#include "sim/error.hpp"
#include "tests/support/engine_fixtures.hpp"
#include "tests/support/test_support.hpp"

namespace softpower::viz {
namespace {

// A star of 5 leaves whose centre publishes one item everybody reads and shares.
struct StarRun {
  PreparedGraph graph;
  RunResult run;
  StarRun() {
    graph.graph = testing_support::star(5);
    graph.publisher = {.vertex = 0, .num_users = 6};
    graph.region = {0, 0, 1, 0, 1, 0};
    const IndependentCascade model({.open_probability = 1.0, .share_probability = 1.0, .activity = 1.0});
    const FixedSchedule one_push({.hours = {0}});
    run = Engine(graph.graph, graph.publisher, model, one_push, {.seed = 1, .num_steps = 4, .record_events = true})
              .run(0);
  }
  [[nodiscard]] ExportSource source() const {
    return {.graph = graph, .run = run, .paid_seeds = {}, .scenario_name = "star", .num_steps = 4, .step_hours = 1.0};
  }
};

// The document without the indentation between elements, so expectations fit on one line.
std::string compact(const std::string& xml) {
  std::string out;
  for (std::size_t i = 0; i < xml.size(); ++i) {
    if (xml[i] == '\n') {
      while (i + 1 < xml.size() && xml[i + 1] == ' ') ++i;
      continue;
    }
    out += xml[i];
  }
  return out;
}

std::string graphml_of(const ExportSource& source, const ExportSpec& spec = {}) {
  std::ostringstream out;
  write_network(source, spec, Format::kGraphml, out);
  return compact(out.str());
}

TEST(Export, StarVerticesAndArcsSayWhatHappened) {
  const StarRun star;
  const std::string text = graphml_of(star.source());
  // The centre published: 5 reads credited to it (size 2 + 3 log2 6), never exposed itself;
  // purple as the institution.
  EXPECT_NE(text.find(R"(<node id="0"><data key="label">0</data><data key="r">84</data><data key="g">39</data><data key="b">136</data><data key="size">9.754887502163468</data><data key="v_role">institution</data><data key="v_region">domestic</data><data key="v_first_exposure">-1</data><data key="v_reads">0</data><data key="v_shares">0</data><data key="v_shares_filtered">0</data><data key="v_self_censored">0</data><data key="v_passed_on">5</data>)"),
            std::string::npos)
      << text.substr(0, 3000);
  // Leaf 2: international, reached and read in step 0, shared (red).
  EXPECT_NE(text.find(R"(<node id="2"><data key="label">2</data><data key="r">215</data><data key="g">48</data><data key="b">39</data><data key="size">2</data><data key="v_role">user</data><data key="v_region">international</data><data key="v_first_exposure">0</data><data key="v_reads">1</data><data key="v_shares">1</data><data key="v_shares_filtered">0</data><data key="v_self_censored">0</data><data key="v_passed_on">0</data>)"),
            std::string::npos);
  // Arcs out of the centre carried one read each (weight 1 + 1); the leaves' shares back to the
  // centre carried none.
  EXPECT_NE(text.find(R"(<edge id="0" source="0" target="1"><data key="weight">2</data></edge>)"), std::string::npos);
  EXPECT_NE(text.find(R"(source="1" target="0"><data key="weight">1</data></edge>)"), std::string::npos);
}

TEST(Export, SamplesAlwaysHoldTheInstitution) {
  const StarRun star;
  ExportSpec spec;
  spec.sample = "random";
  spec.vertices = 1;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    spec.sample_seed = seed;
    const auto vertices = sample_vertices(star.source(), spec);
    ASSERT_TRUE(std::is_sorted(vertices.begin(), vertices.end()));
    EXPECT_TRUE(std::binary_search(vertices.begin(), vertices.end(), VertexId{0}));
    EXPECT_LE(vertices.size(), 2u);
  }
  spec.sample = "ego";
  spec.depth = 0;
  EXPECT_EQ(sample_vertices(star.source(), spec), std::vector<VertexId>{0});
  spec.depth = 1;
  EXPECT_EQ(sample_vertices(star.source(), spec), (std::vector<VertexId>{0, 1, 2, 3, 4, 5}));
}

TEST(Export, CascadeTreeOfTheStar) {
  const StarRun star;
  std::ostringstream out;
  const ExportReport report = write_cascade(star.source(), 0, {}, Format::kGraphml, out);
  EXPECT_EQ(report.nodes, 6u);
  EXPECT_EQ(report.edges, 5u);
  EXPECT_NE(out.str().find(R"(<data key="v_role">institution</data>)"), std::string::npos);
  EXPECT_NE(out.str().find(R"(<data key="v_children">5</data>)"), std::string::npos);
  EXPECT_THROW(
      {
        try {
          write_cascade(star.source(), 1, {}, Format::kGraphml, out);
        } catch (const InputError& e) {
          EXPECT_STREQ(e.what(), "run 0 has no item 1 (it has 1 items)");
          throw;
        }
      },
      InputError);
}

TEST(Export, ARunWithoutEventsIsAnError) {
  StarRun star;
  star.run.events = {};
  std::ostringstream out;
  try {
    write_network(star.source(), {}, Format::kGexf, out);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("run 0 has no per-user events: add an `export:` section"), std::string::npos)
        << e.what();
  }
}

TEST(Export, LargeFullExportsWarn) {
  // 100,001 vertices and no arcs: one more than Gephi handles comfortably.
  PreparedGraph graph;
  graph.graph = SocialGraph::from_arcs(kComfortableNodes + 1, {});
  graph.publisher = {.vertex = 0, .num_users = static_cast<VertexId>(kComfortableNodes + 1)};
  RunResult run;
  run.institution = 0;
  run.events.first_exposure.assign(kComfortableNodes + 1, -1);
  const ExportSource source{.graph = graph, .run = run, .paid_seeds = {}, .scenario_name = "big", .num_steps = 1,
                            .step_hours = 1.0};
  std::ostringstream out;
  const ExportReport report = write_network(source, {}, Format::kGexf, out);
  EXPECT_EQ(report.nodes, kComfortableNodes + 1);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("more than Gephi handles comfortably"), std::string::npos);
  ExportSpec sampled;
  sampled.sample = "random";
  sampled.vertices = 1000;
  EXPECT_TRUE(write_network(source, sampled, Format::kGexf, out).warnings.empty());
}

TEST(Export, FileTypesAndCascadeNames) {
  ExportSpec spec;
  spec.gexf = "A/B.GEXF";
  spec.graphml = "b.GraphML";
  check_file_types(spec, "--");
  spec.gexf = "x.xml";
  try {
    check_file_types(spec, "export.");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "export.gexf: x.xml is not a .gexf file");
  }
  EXPECT_EQ(cascade_file("results/x.gexf", 7), std::filesystem::path("results/x.cascade-7.gexf"));
  EXPECT_EQ(cascade_file("x.graphml", 0), std::filesystem::path("x.cascade-0.graphml"));
}

TEST(Export, FilesAreWholeOrAbsent) {
  const testing_support::TempDir dir;
  const auto file = dir.path() / "sub" / "g.gexf";
  EXPECT_THROW(write_file(file,
                          [](std::ostream& out) {
                            out << "half";
                            throw InputError("stop");
                          }),
               InputError);
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "sub" / "g.gexf.partial"));
  write_file(file, [](std::ostream& out) { out << "whole"; });
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "whole");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "sub" / "g.gexf.partial"));
}

}  // namespace
}  // namespace softpower::viz
