// The GEXF and GraphML writers: exact text for tiny static and dynamic graphs in each format,
// escaping, number formatting, every check graph_writer.hpp promises, and a large graph streamed
// to a counting null stream (time, and no memory per edge).
//
// `graph_writer_test --write-samples DIR` writes the sample files that validate_test.py checks
// with xmllint and NetworkX, and graphology_test.py with graphology-gexf, instead of running the
// tests (this file's main() replaces gtest_main's).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "viz_export/detail/graph_writer_base.hpp"
#include "viz_export/graph_writer.hpp"
#include "viz_export/xml_text.hpp"

namespace softpower::viz {
namespace {

using namespace std::string_view_literals;

// ---------------------------------------------------------------------------------------------
// Helpers

enum class Kind { kGexf13, kGexf12, kGraphml };

std::unique_ptr<GraphWriter> make_writer(Kind kind, std::ostream& out, GraphHeader header) {
  switch (kind) {
    case Kind::kGexf13:
      return make_gexf_writer(out, std::move(header), GexfVersion::k1_3);
    case Kind::kGexf12:
      return make_gexf_writer(out, std::move(header), GexfVersion::k1_2draft);
    case Kind::kGraphml:
      break;
  }
  return make_graphml_writer(out, std::move(header));
}

std::string name_of(Kind kind) {
  switch (kind) {
    case Kind::kGexf13:
      return "Gexf13";
    case Kind::kGexf12:
      return "Gexf12draft";
    case Kind::kGraphml:
      break;
  }
  return "Graphml";
}
std::string kind_name(const ::testing::TestParamInfo<Kind>& info) { return name_of(info.param); }
void PrintTo(Kind kind, std::ostream* os) { *os << name_of(kind); }

// Runs `f` and expects an exception of type E whose message contains `needle`.
template <class E, class F>
void expect_error(F&& f, std::string_view needle) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one with \"" << needle << "\"";
  } catch (const E& e) {
    EXPECT_NE(std::string_view(e.what()).find(needle), std::string_view::npos)
        << "message: " << e.what() << "\nexpected to contain: " << needle;
  }
}

AttValue at(std::size_t attribute, Value value, std::int64_t step = kStatic) {
  return AttValue{.attribute = attribute, .value = value, .step = step};
}

// ---------------------------------------------------------------------------------------------
// Tiny graphs with exact expected text

GraphHeader tiny_static_header() {
  GraphHeader h;
  h.description = "tiny";
  h.node_attributes = {{"group", "Group", AttrType::kInteger},
                       {"score", "Score", AttrType::kDouble},
                       {"seed", "Seed", AttrType::kBoolean},
                       {"note", "Note", AttrType::kString},
                       {"big", "Big", AttrType::kLong}};
  h.edge_attributes = {{"kind", "Kind", AttrType::kString}};
  return h;
}

std::string write_tiny_static(Kind kind) {
  std::ostringstream os;
  auto w = make_writer(kind, os, tiny_static_header());
  const AttValue v0[] = {at(0, std::int64_t{1}), at(1, 0.5), at(2, true), at(3, "x<y"sv),
                         at(4, std::int64_t{5'000'000'000})};
  w->node({.id = 0, .label = "a", .values = v0, .color = Rgb{255, 0, 10}, .size = 2.5});
  w->node({.id = 1, .label = "b"});
  const AttValue e0[] = {at(0, "follow"sv)};
  w->edge({.id = 0, .source = 0, .target = 1, .weight = 1.0, .values = e0});
  w->edge({.id = 1, .source = 1, .target = 0, .weight = 0.25});
  w->finish();
  EXPECT_EQ(w->nodes_written(), 2u);
  EXPECT_EQ(w->edges_written(), 2u);
  return os.str();
}

constexpr std::string_view kGexf13Root =
    R"(<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">)";
constexpr std::string_view kGexf12Root =
    R"(<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz" version="1.2">)";

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

constexpr std::string_view kTinyStaticGexf13 = R"(<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
  <meta>
    <creator>softpower</creator>
    <description>tiny</description>
  </meta>
  <graph defaultedgetype="directed" mode="static">
    <attributes class="node" mode="static">
      <attribute id="group" title="Group" type="integer"/>
      <attribute id="score" title="Score" type="double"/>
      <attribute id="seed" title="Seed" type="boolean"/>
      <attribute id="note" title="Note" type="string"/>
      <attribute id="big" title="Big" type="long"/>
    </attributes>
    <attributes class="edge" mode="static">
      <attribute id="kind" title="Kind" type="string"/>
    </attributes>
    <nodes>
      <node id="0" label="a">
        <attvalues>
          <attvalue for="group" value="1"/>
          <attvalue for="score" value="0.5"/>
          <attvalue for="seed" value="true"/>
          <attvalue for="note" value="x&lt;y"/>
          <attvalue for="big" value="5000000000"/>
        </attvalues>
        <viz:color r="255" g="0" b="10"/>
        <viz:size value="2.5"/>
      </node>
      <node id="1" label="b"/>
    </nodes>
    <edges>
      <edge id="0" source="0" target="1" weight="1">
        <attvalues>
          <attvalue for="kind" value="follow"/>
        </attvalues>
      </edge>
      <edge id="1" source="1" target="0" weight="0.25"/>
    </edges>
  </graph>
</gexf>
)";

constexpr std::string_view kTinyStaticGraphml = R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <desc>softpower</desc>
  <key id="label" for="node" attr.name="label" attr.type="string"/>
  <key id="r" for="node" attr.name="r" attr.type="int"/>
  <key id="g" for="node" attr.name="g" attr.type="int"/>
  <key id="b" for="node" attr.name="b" attr.type="int"/>
  <key id="size" for="node" attr.name="size" attr.type="double"/>
  <key id="v_group" for="node" attr.name="Group" attr.type="int"/>
  <key id="v_score" for="node" attr.name="Score" attr.type="double"/>
  <key id="v_seed" for="node" attr.name="Seed" attr.type="boolean"/>
  <key id="v_note" for="node" attr.name="Note" attr.type="string"/>
  <key id="v_big" for="node" attr.name="Big" attr.type="long"/>
  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>
  <key id="e_kind" for="edge" attr.name="Kind" attr.type="string"/>
  <graph id="G" edgedefault="directed">
    <desc>tiny</desc>
    <node id="0">
      <data key="label">a</data>
      <data key="r">255</data>
      <data key="g">0</data>
      <data key="b">10</data>
      <data key="size">2.5</data>
      <data key="v_group">1</data>
      <data key="v_score">0.5</data>
      <data key="v_seed">true</data>
      <data key="v_note">x&lt;y</data>
      <data key="v_big">5000000000</data>
    </node>
    <node id="1">
      <data key="label">b</data>
    </node>
    <edge id="0" source="0" target="1">
      <data key="weight">1</data>
      <data key="e_kind">follow</data>
    </edge>
    <edge id="1" source="1" target="0">
      <data key="weight">0.25</data>
    </edge>
  </graph>
</graphml>
)";

TEST(GraphWriterText, TinyStaticGexf13) {
  EXPECT_EQ(write_tiny_static(Kind::kGexf13), kTinyStaticGexf13);
}

TEST(GraphWriterText, TinyStaticGexf12draft) {
  EXPECT_EQ(write_tiny_static(Kind::kGexf12),
            replaced(std::string(kTinyStaticGexf13), kGexf13Root, kGexf12Root));
}

TEST(GraphWriterText, TinyStaticGraphml) {
  EXPECT_EQ(write_tiny_static(Kind::kGraphml), kTinyStaticGraphml);
}

GraphHeader tiny_dynamic_header() {
  GraphHeader h;
  h.directed = false;
  h.dynamic = true;
  h.time_start = 0;
  h.time_end = 10;
  h.node_attributes = {{"group", "Group", AttrType::kInteger, false},
                       {"opinion", "Opinion", AttrType::kDouble, true},
                       {"aware", "Aware", AttrType::kBoolean, true}};
  h.edge_attributes = {{"flow", "Flow", AttrType::kInteger, true}};
  return h;
}

std::string write_tiny_dynamic(Kind kind) {
  std::ostringstream os;
  auto w = make_writer(kind, os, tiny_dynamic_header());
  const AttValue v0[] = {at(0, std::int64_t{1}), at(1, 0.5, 0), at(1, 0.75, 4), at(2, true, 3)};
  w->node({.id = 0, .label = "a", .values = v0});
  const AttValue v1[] = {at(1, 0.0, 10)};
  w->node({.id = 1, .label = "b", .values = v1});
  const AttValue e0[] = {at(0, std::int64_t{1}, 2), at(0, std::int64_t{3}, 5)};
  w->edge({.id = 0, .source = 0, .target = 1, .values = e0});
  w->finish();
  return os.str();
}

constexpr std::string_view kTinyDynamicGexf13 = R"(<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
  <meta>
    <creator>softpower</creator>
    <description></description>
  </meta>
  <graph defaultedgetype="undirected" mode="dynamic" timeformat="integer" timerepresentation="interval" start="0" end="10">
    <attributes class="node" mode="static">
      <attribute id="group" title="Group" type="integer"/>
    </attributes>
    <attributes class="node" mode="dynamic">
      <attribute id="opinion" title="Opinion" type="double"/>
      <attribute id="aware" title="Aware" type="boolean"/>
    </attributes>
    <attributes class="edge" mode="dynamic">
      <attribute id="flow" title="Flow" type="integer"/>
    </attributes>
    <nodes>
      <node id="0" label="a">
        <attvalues>
          <attvalue for="group" value="1"/>
          <attvalue for="opinion" value="0.5" start="0" end="3"/>
          <attvalue for="opinion" value="0.75" start="4" end="10"/>
          <attvalue for="aware" value="true" start="3" end="10"/>
        </attvalues>
      </node>
      <node id="1" label="b">
        <attvalues>
          <attvalue for="opinion" value="0" start="10" end="10"/>
        </attvalues>
      </node>
    </nodes>
    <edges>
      <edge id="0" source="0" target="1" weight="1">
        <attvalues>
          <attvalue for="flow" value="1" start="2" end="4"/>
          <attvalue for="flow" value="3" start="5" end="10"/>
        </attvalues>
      </edge>
    </edges>
  </graph>
</gexf>
)";

constexpr std::string_view kTinyDynamicGraphml = R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <desc>softpower</desc>
  <key id="label" for="node" attr.name="label" attr.type="string"/>
  <key id="r" for="node" attr.name="r" attr.type="int"/>
  <key id="g" for="node" attr.name="g" attr.type="int"/>
  <key id="b" for="node" attr.name="b" attr.type="int"/>
  <key id="size" for="node" attr.name="size" attr.type="double"/>
  <key id="v_group" for="node" attr.name="Group" attr.type="int"/>
  <key id="v_opinion" for="node" attr.name="Opinion" attr.type="double"/>
  <key id="v_aware" for="node" attr.name="Aware" attr.type="boolean"/>
  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>
  <key id="e_flow" for="edge" attr.name="Flow" attr.type="int"/>
  <graph id="G" edgedefault="undirected">
    <node id="0">
      <data key="label">a</data>
      <data key="v_group">1</data>
      <data key="v_opinion">0.75</data>
      <data key="v_aware">true</data>
    </node>
    <node id="1">
      <data key="label">b</data>
      <data key="v_opinion">0</data>
    </node>
    <edge id="0" source="0" target="1">
      <data key="weight">1</data>
      <data key="e_flow">3</data>
    </edge>
  </graph>
</graphml>
)";

TEST(GraphWriterText, TinyDynamicGexf13) {
  EXPECT_EQ(write_tiny_dynamic(Kind::kGexf13), kTinyDynamicGexf13);
}

// 1.2draft has no timerepresentation; the intervals are the same closed [start, end].
TEST(GraphWriterText, TinyDynamicGexf12draft) {
  std::string expected = replaced(std::string(kTinyDynamicGexf13), kGexf13Root, kGexf12Root);
  expected = replaced(expected, R"( timerepresentation="interval")", "");
  EXPECT_EQ(write_tiny_dynamic(Kind::kGexf12), expected);
}

TEST(GraphWriterText, TinyDynamicGraphmlKeepsLastValues) {
  EXPECT_EQ(write_tiny_dynamic(Kind::kGraphml), kTinyDynamicGraphml);
}

TEST(GraphWriterText, EmptyGraphStillHasNodesAndEdges) {
  std::ostringstream os;
  GraphHeader h;
  h.creator = "c";
  auto w = make_gexf_writer(os, h, GexfVersion::k1_3);
  w->finish();
  EXPECT_EQ(os.str(), R"(<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
  <meta>
    <creator>c</creator>
    <description></description>
  </meta>
  <graph defaultedgetype="directed" mode="static">
    <nodes>
    </nodes>
    <edges>
    </edges>
  </graph>
</gexf>
)");
  std::ostringstream gml;
  auto g = make_graphml_writer(gml, h);
  g->finish();
  EXPECT_EQ(gml.str(), R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <desc>c</desc>
  <key id="label" for="node" attr.name="label" attr.type="string"/>
  <key id="r" for="node" attr.name="r" attr.type="int"/>
  <key id="g" for="node" attr.name="g" attr.type="int"/>
  <key id="b" for="node" attr.name="b" attr.type="int"/>
  <key id="size" for="node" attr.name="size" attr.type="double"/>
  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>
  <graph id="G" edgedefault="directed">
  </graph>
</graphml>
)");
}

TEST(GraphWriterText, NothingReachesTheStreamBeforeABlockOrFinish) {
  std::ostringstream os;
  auto w = make_gexf_writer(os, tiny_static_header(), GexfVersion::k1_3);
  w->node({.id = 0, .label = "a"});
  EXPECT_TRUE(os.str().empty());
  w->finish();
  EXPECT_FALSE(os.str().empty());
}

TEST(GraphWriterText, EscapesLabelsValuesTitlesAndMeta) {
  GraphHeader h;
  h.creator = "me & <you>";
  h.description = "line\none";
  h.node_attributes = {{"t", "A \"title\" <&>", AttrType::kString}};
  std::ostringstream os;
  auto w = make_gexf_writer(os, h, GexfVersion::k1_3);
  const AttValue v[] = {at(0, "'q' \t\r"sv)};
  w->node({.id = 3, .label = "<&>\"'", .values = v});
  w->node({.id = 4, .label = "bad\xff\x01"});
  w->finish();
  const std::string s = os.str();
  EXPECT_NE(s.find("<creator>me &amp; &lt;you&gt;</creator>"), std::string::npos) << s;
  EXPECT_NE(s.find("<description>line&#10;one</description>"), std::string::npos) << s;
  EXPECT_NE(s.find(R"(title="A &quot;title&quot; &lt;&amp;&gt;")"), std::string::npos) << s;
  EXPECT_NE(s.find(R"(<node id="3" label="&lt;&amp;&gt;&quot;&apos;">)"), std::string::npos) << s;
  EXPECT_NE(s.find(R"(value="&apos;q&apos; &#9;&#13;")"), std::string::npos) << s;
  EXPECT_NE(s.find("<node id=\"4\" label=\"bad\xEF\xBF\xBD\xEF\xBF\xBD\"/>"), std::string::npos)
      << s;
}

// ---------------------------------------------------------------------------------------------
// xml_text

TEST(XmlText, EscapesMarkupAndWhitespace) {
  EXPECT_EQ(escaped("plain text 123"), "plain text 123");
  EXPECT_EQ(escaped("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
  EXPECT_EQ(escaped("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
  EXPECT_EQ(escaped(""), "");
  std::string out = "kept:";
  append_escaped(out, "&");
  EXPECT_EQ(out, "kept:&amp;");
}

TEST(XmlText, KeepsWellFormedUtf8) {
  const std::string_view text = "Zo\xC3\xAB \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 \xC2\x85";
  EXPECT_EQ(escaped(text), text);  // U+00EB, U+4E2D U+6587, U+1F600, U+0085 (a C1 control)
  EXPECT_EQ(escaped("\xEF\xBF\xBD"), "\xEF\xBF\xBD");          // U+FFFD itself
  EXPECT_EQ(escaped("\xF4\x8F\xBF\xBF"), "\xF4\x8F\xBF\xBF");  // U+10FFFF
  EXPECT_EQ(escaped("\xED\x9F\xBF"), "\xED\x9F\xBF");          // U+D7FF
  EXPECT_TRUE(is_xml_text(text));
}

TEST(XmlText, ReplacesWhatXmlCannotHold) {
  const std::string r = "\xEF\xBF\xBD";
  // C0 controls other than tab, newline, CR; NUL included.
  EXPECT_EQ(escaped(std::string_view("a\0b", 3)), "a" + r + "b");
  EXPECT_EQ(escaped("\x01\x08\x0B\x0C\x1F"), r + r + r + r + r);
  // Non-characters U+FFFE and U+FFFF.
  EXPECT_EQ(escaped("\xEF\xBF\xBE|\xEF\xBF\xBF"), r + "|" + r);
  // Maximal subparts (Unicode ch. 3; Python's decode(errors="replace") agrees on each).
  EXPECT_EQ(escaped("\xFF"), r);                          // never a lead byte
  EXPECT_EQ(escaped("\x80\xBF"), r + r);                  // lone continuation bytes
  EXPECT_EQ(escaped("\xC3"), r);                          // truncated at the end
  EXPECT_EQ(escaped("\xC3x"), r + "x");                   // truncated before ASCII
  EXPECT_EQ(escaped("\xE2\x82"), r);                      // valid prefix of a 3-byte sequence: one
  EXPECT_EQ(escaped("\xE2\x82x"), r + "x");               //
  EXPECT_EQ(escaped("\xC0\xAF"), r + r);                  // overlong 2-byte form
  EXPECT_EQ(escaped("\xE0\x80\xAF"), r + r + r);          // overlong 3-byte form
  EXPECT_EQ(escaped("\xED\xA0\x80"), r + r + r);          // a surrogate
  EXPECT_EQ(escaped("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_EQ(escaped("\xF0\x9F\x98"), r);                  // truncated 4-byte sequence
  EXPECT_EQ(escaped("ok\xF0\x9F\x98\x80\xF0\x9F"), "ok\xF0\x9F\x98\x80" + r);
  for (const std::string_view bad : {"\xFF"sv, "\xC3"sv, "\x01"sv, "\xEF\xBF\xBE"sv,
                                     "\xED\xA0\x80"sv, std::string_view("\0", 1)}) {
    EXPECT_FALSE(is_xml_text(bad));
  }
}

TEST(XmlText, NumbersAreShortestRoundTrip) {
  const auto text = [](auto v) {
    std::string s;
    append_number(s, v);
    return s;
  };
  EXPECT_EQ(text(0.0), "0");
  EXPECT_EQ(text(-0.0), "-0");
  EXPECT_EQ(text(1.0), "1");
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(text(2.5), "2.5");
  EXPECT_EQ(text(123456.789), "123456.789");
  EXPECT_EQ(text(1e21), "1e+21");
  EXPECT_EQ(text(1e-7), "1e-07");
  EXPECT_EQ(text(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(text(std::numeric_limits<double>::denorm_min()), "5e-324");
  EXPECT_EQ(text(std::int64_t{-42}), "-42");
  EXPECT_EQ(text(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(text(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(text(std::uint8_t{255}), "255");
  expect_error<std::invalid_argument>([&] { text(std::nan("")); }, "NaN");
  expect_error<std::invalid_argument>([&] { text(HUGE_VAL); }, "infinite");
  expect_error<std::invalid_argument>([&] { text(-HUGE_VAL); }, "infinite");

  std::mt19937_64 bits(12345);
  for (int i = 0; i < 100000; ++i) {
    double v;
    const std::uint64_t b = bits();
    std::memcpy(&v, &b, sizeof v);
    if (!std::isfinite(v)) continue;
    const std::string s = text(v);
    ASSERT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
    ASSERT_EQ(s.find_first_not_of("0123456789+-.e"), std::string::npos) << s;
  }
}

// ---------------------------------------------------------------------------------------------
// Checks: every error graph_writer.hpp promises, in every format.

class WriterChecks : public ::testing::TestWithParam<Kind> {
 protected:
  // A dynamic header: node attributes i (integer), l (long), d (double), b (boolean),
  // s (string), x (dynamic double); edge attributes w8 (double), y (dynamic integer).
  static GraphHeader header() {
    GraphHeader h;
    h.dynamic = true;
    h.time_start = 0;
    h.time_end = 10;
    h.node_attributes = {{"i", "I", AttrType::kInteger}, {"l", "L", AttrType::kLong},
                         {"d", "D", AttrType::kDouble},  {"b", "B", AttrType::kBoolean},
                         {"s", "S", AttrType::kString},  {"x", "X", AttrType::kDouble, true}};
    h.edge_attributes = {{"w8", "W8", AttrType::kDouble}, {"y", "Y", AttrType::kInteger, true}};
    return h;
  }
  std::unique_ptr<GraphWriter> make(GraphHeader h) { return make_writer(GetParam(), os_, h); }
  std::unique_ptr<GraphWriter> make() { return make(header()); }
  void expect_bad_header(GraphHeader h, std::string_view needle) {
    expect_error<std::invalid_argument>([&] { make(std::move(h)); }, needle);
  }
  std::ostringstream os_;
};

TEST_P(WriterChecks, BadHeaders) {
  auto with_node_attribute = [](Attribute a) {
    GraphHeader h = header();
    h.node_attributes.push_back(std::move(a));
    return h;
  };
  expect_bad_header(with_node_attribute({"", "Empty id"}), "id must be non-empty");
  expect_bad_header(with_node_attribute({"a b", "Space"}), "id must be non-empty [A-Za-z0-9_.-]");
  expect_bad_header(with_node_attribute({"q\"", "Quote"}), "[A-Za-z0-9_.-]");
  expect_bad_header(with_node_attribute({"i", "Other"}), "id used twice");
  expect_bad_header(with_node_attribute({"z", ""}), "title must be non-empty");
  expect_bad_header(with_node_attribute({"z", "bad\xff"}), "title must be non-empty UTF-8");
  expect_bad_header(with_node_attribute({"z", "ctl\x01"}), "XML 1.0");
  expect_bad_header(with_node_attribute({"z", "I"}), "title 'I' used twice");
  for (const char* reserved : {"label", "r", "g", "b", "size"}) {
    expect_bad_header(with_node_attribute({"z", reserved}), "is reserved");
  }
  for (const char* reserved : {"id", "weight"}) {
    GraphHeader h = header();
    h.edge_attributes.push_back({"z", reserved});
    expect_bad_header(h, "edge attribute 'z': title '" + std::string(reserved) + "' is reserved");
  }
  GraphHeader duplicate_edge = header();
  duplicate_edge.edge_attributes.push_back({"y", "Y2"});
  expect_bad_header(duplicate_edge, "edge attribute 'y': id used twice");

  GraphHeader static_graph = header();
  static_graph.dynamic = false;
  expect_bad_header(static_graph, "node attribute 'x': dynamic attribute in a static graph");
  GraphHeader reversed = header();
  reversed.time_start = 11;
  expect_bad_header(reversed, "time_start is after time_end");
  GraphHeader sentinel = header();
  sentinel.time_start = kStatic;
  expect_bad_header(sentinel, "time_start must be greater than kStatic");

  // Node and edge attributes are separate classes: the same id and title in both is fine.
  GraphHeader shared = header();
  shared.edge_attributes.push_back({"i", "I", AttrType::kInteger});
  EXPECT_NO_THROW(make(shared));
}

TEST_P(WriterChecks, NodeOrderAndIds) {
  auto w = make();
  w->node({.id = 5});
  expect_error<std::invalid_argument>([&] { w->node({.id = 5}); },
                                      "node 5 after node 5: ids must be strictly increasing");
  expect_error<std::invalid_argument>([&] { w->node({.id = 4}); }, "node 4 after node 5");
  w->node({.id = 6});
  w->edge({.id = 0, .source = 5, .target = 6});
  expect_error<std::invalid_argument>([&] { w->node({.id = 7}); }, "node 7 after an edge");
}

TEST_P(WriterChecks, NodeValues) {
  auto w = make();
  const auto bad = [&](std::vector<AttValue> values, std::string_view needle) {
    expect_error<std::invalid_argument>([&] { w->node({.id = 1, .values = values}); }, needle);
  };
  bad({at(6, 1.0)}, "node 1: value for attribute 6 of 6");
  bad({at(0, 1.5)}, "node 1: attribute 'I': integer attribute needs an std::int64_t value");
  bad({at(0, std::int64_t{1} << 31)}, "value 2147483648 does not fit an integer (32 bits)");
  bad({at(0, std::int64_t{-(std::int64_t{1} << 31) - 1})}, "does not fit an integer");
  bad({at(1, "5"sv)}, "attribute 'L': long attribute needs an std::int64_t value");
  bad({at(2, std::int64_t{1})}, "attribute 'D': double attribute needs a double value");
  bad({at(2, std::nan(""))}, "attribute 'D': value is not finite");
  bad({at(2, HUGE_VAL)}, "attribute 'D': value is not finite");
  bad({at(3, std::int64_t{1})}, "attribute 'B': boolean attribute needs a bool");
  bad({at(4, true)}, "attribute 'S': string attribute needs a string_view value");
  bad({at(0, std::int64_t{1}, 3)}, "attribute 'I': static attribute given a step");
  bad({at(5, 1.0)}, "attribute 'X': dynamic attribute value without a step");
  bad({at(5, 1.0, -1)}, "attribute 'X': step -1 outside [0, 10]");
  bad({at(5, 1.0, 11)}, "attribute 'X': step 11 outside [0, 10]");
  bad({at(1, std::int64_t{1}), at(0, std::int64_t{1})}, "node 1: values not sorted by attribute");
  bad({at(0, std::int64_t{1}), at(0, std::int64_t{2})},
      "attribute 'I': static attribute given two values");
  bad({at(5, 1.0, 3), at(5, 2.0, 3)}, "attribute 'X': steps not strictly increasing (3 after 3)");
  bad({at(5, 1.0, 3), at(5, 2.0, 2)}, "steps not strictly increasing (2 after 3)");
  expect_error<std::invalid_argument>([&] { w->node({.id = 1, .size = -0.5}); },
                                      "node 1: size must be finite and >= 0");
  expect_error<std::invalid_argument>([&] { w->node({.id = 1, .size = std::nan("")}); },
                                      "size must be finite");
  // All of the above left the writer as it was.
  EXPECT_EQ(w->nodes_written(), 0u);
  const AttValue good[] = {at(0, std::int64_t{-(std::int64_t{1} << 31)}),
                           at(1, std::int64_t{1} << 40),
                           at(2, -1e-300),
                           at(3, false),
                           at(4, ""sv),
                           at(5, 1.0, 0),
                           at(5, 2.0, 10)};
  w->node({.id = 1, .values = good, .size = 0.0});
  EXPECT_EQ(w->nodes_written(), 1u);
}

TEST_P(WriterChecks, StaticGraphRejectsSteps) {
  GraphHeader h;
  h.node_attributes = {{"i", "I", AttrType::kInteger}};
  auto w = make(h);
  const AttValue stepped[] = {at(0, std::int64_t{1}, 0)};
  expect_error<std::invalid_argument>(
      [&] { w->node({.id = 0, .values = stepped}); },
      "attribute 'I': dynamic value (with a step) in a static graph");
}

TEST_P(WriterChecks, Edges) {
  auto w = make();
  w->node({.id = 0});
  w->node({.id = 2});
  expect_error<std::invalid_argument>([&] { w->edge({.id = 0, .source = 1, .target = 2}); },
                                      "edge 0: node 1 was not written");
  expect_error<std::invalid_argument>([&] { w->edge({.id = 0, .source = 0, .target = 3}); },
                                      "edge 0: node 3 was not written");
  expect_error<std::invalid_argument>(
      [&] { w->edge({.id = 0, .source = 0, .target = 2, .weight = std::nan("")}); },
      "edge 0: weight must be finite");
  expect_error<std::invalid_argument>(
      [&] { w->edge({.id = 0, .source = 0, .target = 2, .weight = -HUGE_VAL}); },
      "weight must be finite");
  const AttValue bad_type[] = {at(0, std::int64_t{1})};
  expect_error<std::invalid_argument>(
      [&] { w->edge({.id = 0, .source = 0, .target = 2, .values = bad_type}); },
      "edge 0: attribute 'W8': double attribute needs a double value");
  const AttValue bad_steps[] = {at(1, std::int64_t{1}, 4), at(1, std::int64_t{2}, 4)};
  expect_error<std::invalid_argument>(
      [&] { w->edge({.id = 0, .source = 0, .target = 2, .values = bad_steps}); },
      "edge 0: attribute 'Y': steps not strictly increasing");
  const AttValue unknown[] = {at(2, 1.0)};
  expect_error<std::invalid_argument>(
      [&] { w->edge({.id = 0, .source = 0, .target = 2, .values = unknown}); },
      "edge 0: value for attribute 2 of 2");
  EXPECT_EQ(w->edges_written(), 0u);
  // Still writing nodes: the rejected edges did not start the edge section.
  w->node({.id = 3});
  w->edge({.id = 7, .source = 3, .target = 0, .weight = -2.0});  // self-loops and negative
  w->edge({.id = 8, .source = 2, .target = 2});                  // weights are fine
  expect_error<std::invalid_argument>([&] { w->edge({.id = 8, .source = 0, .target = 2}); },
                                      "edge 8 after edge 8: ids must be strictly increasing");
  expect_error<std::invalid_argument>([&] { w->edge({.id = 1, .source = 0, .target = 2}); },
                                      "edge 1 after edge 8");
  EXPECT_EQ(w->edges_written(), 2u);
}

TEST_P(WriterChecks, NothingAfterFinish) {
  auto w = make();
  w->node({.id = 0});
  w->finish();
  expect_error<std::invalid_argument>([&] { w->node({.id = 1}); }, "called after finish()");
  expect_error<std::invalid_argument>([&] { w->edge({.id = 0, .source = 0, .target = 0}); },
                                      "called after finish()");
  expect_error<std::invalid_argument>([&] { w->finish(); }, "called after finish()");
}

TEST_P(WriterChecks, RejectedRecordsWriteNothing) {
  const auto write = [&](bool with_rejects) {
    std::ostringstream os;
    auto w = make_writer(GetParam(), os, header());
    const auto reject = [&](auto call) {
      if (!with_rejects) return;
      EXPECT_THROW(call(), std::invalid_argument);
    };
    const AttValue bad[] = {at(5, 1.0, 3), at(5, 2.0, 3)};
    const AttValue good[] = {at(2, 0.5), at(5, 1.0, 3), at(5, 2.0, 4)};
    reject([&] { w->node({.id = 0, .label = "x", .values = bad}); });
    w->node({.id = 0, .label = "x", .values = good, .color = Rgb{1, 2, 3}});
    reject([&] { w->edge({.id = 0, .source = 0, .target = 1}); });
    w->node({.id = 1, .label = "y"});
    reject([&] { w->node({.id = 1}); });
    w->edge({.id = 0, .source = 0, .target = 1, .weight = 3});
    reject([&] { w->edge({.id = 1, .source = 0, .target = 1, .weight = std::nan("")}); });
    w->edge({.id = 1, .source = 1, .target = 0});
    w->finish();
    return os.str();
  };
  EXPECT_EQ(write(true), write(false));
}

// A stream buffer that accepts nothing.
class FailingBuffer : public std::streambuf {
 protected:
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
  int_type overflow(int_type) override { return traits_type::eof(); }
};

TEST_P(WriterChecks, StreamFailureIsARuntimeErrorAndFinal) {
  FailingBuffer buffer;
  std::ostream failing(&buffer);
  auto w = make_writer(GetParam(), failing, header());
  w->node({.id = 0});
  expect_error<std::runtime_error>([&] { w->finish(); }, "output stream failed");
  expect_error<std::runtime_error>([&] { w->node({.id = 1}); }, "failed before");
  expect_error<std::runtime_error>([&] { w->finish(); }, "failed before");
}

INSTANTIATE_TEST_SUITE_P(AllFormats, WriterChecks,
                         ::testing::Values(Kind::kGexf13, Kind::kGexf12, Kind::kGraphml),
                         kind_name);

// ---------------------------------------------------------------------------------------------
// Memory and streaming

TEST(NodeIdSet, ConsecutiveIdsTakeNoMemory) {
  detail::NodeIdSet ids;
  for (std::uint64_t id = 10; id < 1'000'010; ++id) ids.add(id);
  ids.seal();
  EXPECT_EQ(ids.memory_bytes(), 0u);
  EXPECT_FALSE(ids.contains(9));
  EXPECT_TRUE(ids.contains(10));
  EXPECT_TRUE(ids.contains(1'000'009));
  EXPECT_FALSE(ids.contains(1'000'010));
  EXPECT_FALSE(detail::NodeIdSet{}.contains(0));
}

TEST(NodeIdSet, GappedIdsTakeEightBytesEach) {
  detail::NodeIdSet ids;
  constexpr std::uint64_t kCount = 1'000'000;
  for (std::uint64_t k = 0; k < kCount; ++k) ids.add(k < 1000 ? k : 2 * k);
  ids.seal();
  EXPECT_EQ(ids.memory_bytes(), kCount * 8);
  EXPECT_TRUE(ids.contains(999));
  EXPECT_FALSE(ids.contains(1000));
  EXPECT_FALSE(ids.contains(1001));
  EXPECT_TRUE(ids.contains(2000));
  EXPECT_TRUE(ids.contains(2 * (kCount - 1)));
  EXPECT_FALSE(ids.contains(2 * kCount));
}

// Discards what it is given; counts bytes, lines and writes.
class CountingBuffer : public std::streambuf {
 public:
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;
  std::uint64_t writes = 0;

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    bytes += static_cast<std::uint64_t>(n);
    lines += static_cast<std::uint64_t>(std::count(s, s + n, '\n'));
    ++writes;
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      ++bytes;
      ++writes;
      if (traits_type::to_char_type(c) == '\n') ++lines;
    }
    return traits_type::not_eof(c);
  }
};

// Bytes the program has taken from malloc (0 where glibc's mallinfo2 is not available).
std::ptrdiff_t heap_in_use() {
#if defined(__GLIBC__) && !defined(SOFTPOWER_SANITIZED)
  const struct mallinfo2 m = mallinfo2();
  return static_cast<std::ptrdiff_t>(m.uordblks + m.hblkhd);
#else
  return 0;
#endif
}

struct StreamingCase {
  Kind kind;
  std::uint64_t nodes;
  std::uint64_t edges;
  std::uint64_t id_stride;  // 1: consecutive node ids
};

// Writes `c.nodes` nodes (a label, one integer attribute, a color) and `c.edges` edges (one
// integer attribute) to a counting null stream. Returns the heap growth while writing nodes
// and while writing edges, and prints the time.
std::pair<std::ptrdiff_t, std::ptrdiff_t> stream_graph(const StreamingCase& c) {
  GraphHeader h;
  h.description = "streaming";
  h.node_attributes = {{"group", "Group", AttrType::kInteger}};
  h.edge_attributes = {{"carried", "Carried", AttrType::kInteger}};
  CountingBuffer counter;
  std::ostream out(&counter);
  const auto started = std::chrono::steady_clock::now();
  auto w = make_writer(c.kind, out, h);
  const std::ptrdiff_t heap_start = heap_in_use();
  char label[32] = "n";
  for (std::uint64_t k = 0; k < c.nodes; ++k) {
    const auto end = std::to_chars(label + 1, label + sizeof label, k).ptr;
    const AttValue values[] = {at(0, static_cast<std::int64_t>(k % 7))};
    w->node({.id = k * c.id_stride,
             .label = std::string_view(label, static_cast<std::size_t>(end - label)),
             .values = values,
             .color = Rgb{static_cast<std::uint8_t>(k), 100, 200}});
  }
  const std::ptrdiff_t heap_nodes = heap_in_use();
  for (std::uint64_t e = 0; e < c.edges; ++e) {
    const AttValue values[] = {at(0, static_cast<std::int64_t>(e % 100))};
    w->edge({.id = e,
             .source = (e % c.nodes) * c.id_stride,
             .target = ((e * 7919 + 1) % c.nodes) * c.id_stride,
             .weight = 1.0 + static_cast<double>(e % 4) * 0.25,
             .values = values});
  }
  const std::ptrdiff_t heap_edges = heap_in_use();
  w->finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(w->nodes_written(), c.nodes);
  EXPECT_EQ(w->edges_written(), c.edges);
  // One line per element (header and footer: 19 lines in GEXF, 15 in GraphML).
  const std::uint64_t lines =
      c.kind == Kind::kGraphml ? 15 + 7 * c.nodes + 4 * c.edges : 19 + 6 * c.nodes + 5 * c.edges;
  EXPECT_EQ(counter.lines, lines);
  // Large writes only: about one per 64 KiB block.
  EXPECT_LE(counter.writes, counter.bytes / 65536 + 2);
  std::cout << "[ streaming ] " << c.nodes << " nodes, " << c.edges << " edges, "
            << counter.bytes / 1e6 << " MB, " << counter.lines << " lines, " << counter.writes
            << " writes: " << seconds << " s; heap " << (heap_nodes - heap_start) / 1024
            << " KiB more after the nodes, " << (heap_edges - heap_nodes) / 1024
            << " KiB more after the edges\n";
  ::testing::Test::RecordProperty("seconds", std::to_string(seconds));
  ::testing::Test::RecordProperty("bytes", std::to_string(counter.bytes));
#if defined(NDEBUG) && !defined(SOFTPOWER_SANITIZED)
  EXPECT_LT(seconds, 60.0) << "streaming should take seconds, not minutes";
#endif
  return {heap_nodes - heap_start, heap_edges - heap_nodes};
}

#if defined(SOFTPOWER_SANITIZED)
constexpr std::uint64_t kManyNodes = 100'000;
constexpr std::uint64_t kManyEdges = 300'000;
#else
constexpr std::uint64_t kManyNodes = 1'000'000;
constexpr std::uint64_t kManyEdges = 3'000'000;
#endif

class Streaming : public ::testing::TestWithParam<Kind> {};

TEST_P(Streaming, MillionNodesThreeMillionEdgesInConstantMemory) {
  const auto [nodes_heap, edges_heap] = stream_graph({GetParam(), kManyNodes, kManyEdges, 1});
  EXPECT_LT(nodes_heap, 256 * 1024) << "consecutive node ids take no memory per node";
  EXPECT_LT(edges_heap, 64 * 1024) << "edges take no memory";
}

TEST_P(Streaming, GappedNodeIdsTakeEightBytesPerNode) {
  const auto [nodes_heap, edges_heap] =
      stream_graph({GetParam(), kManyNodes / 4, kManyEdges / 4, 3});
  EXPECT_LT(nodes_heap, static_cast<std::ptrdiff_t>(kManyNodes / 4 * 8 * 2 + 256 * 1024));
  // The id vector may shrink to fit when the edges start, never grow.
  EXPECT_LT(edges_heap, 64 * 1024);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, Streaming,
                         ::testing::Values(Kind::kGexf13, Kind::kGexf12, Kind::kGraphml),
                         kind_name);

// ---------------------------------------------------------------------------------------------
// Sample files for validate_test.py and graphology_test.py. They expect exactly this content.

GraphHeader sample_header(bool dynamic) {
  GraphHeader h;
  h.description =
      "sample graph: <&> \"quotes\" 'apos' \xE2\x80\x94 \xC3\xBCn\xC3\xAF"
      "c\xC3\xB6"
      "d\xC3\xA9";
  h.dynamic = dynamic;
  h.time_start = 0;
  h.time_end = 10;
  h.node_attributes = {{"group", "Group", AttrType::kInteger},
                       {"score", "Score (0-1)", AttrType::kDouble},
                       {"seed", "Seed?", AttrType::kBoolean},
                       {"note", "Note <&>\"'", AttrType::kString},
                       {"big", "Big", AttrType::kLong}};
  h.edge_attributes = {{"0", "relation", AttrType::kString}};
  if (dynamic) {
    h.node_attributes.push_back({"opinion", "Opinion", AttrType::kDouble, true});
    h.node_attributes.push_back({"aware", "Aware", AttrType::kBoolean, true});
    h.node_attributes.push_back({"status", "Status", AttrType::kString, true});
    h.edge_attributes.push_back({"1", "flow", AttrType::kInteger, true});
  }
  return h;
}

void write_sample(GraphWriter& w, bool dynamic) {
  std::vector<AttValue> v0 = {at(0, std::int64_t{1}), at(1, 0.25), at(2, true),
                              at(3, "a&b <c> \"d\" 'e'"sv), at(4, std::int64_t{5'000'000'000})};
  if (dynamic) {
    v0.insert(v0.end(), {at(5, 0.5, 0), at(5, 0.75, 4), at(5, -1.0, 9), at(6, true, 3),
                         at(7, "<new>"sv, 0), at(7, "a&b"sv, 2)});
  }
  w.node({.id = 0, .label = "<&>\"'", .values = v0, .color = Rgb{255, 0, 0}, .size = 10.0});
  std::vector<AttValue> v1 = {at(0, std::int64_t{-2}), at(1, 1e-7), at(2, false), at(3, ""sv),
                              at(4, std::int64_t{-1})};
  if (dynamic) v1.push_back(at(5, 0.0, 10));
  w.node({.id = 1,
          .label = "Zo\xC3\xAB \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80",
          .values = v1,
          .color = Rgb{0, 128, 255},
          .size = 0.5});
  w.node({.id = 2, .label = ""});
  const AttValue v5[] = {at(1, 0.1), at(3, "  lead/trail  "sv)};
  w.node({.id = 5, .label = "tab\there\nnew line  two spaces ", .values = v5});
  const AttValue v7[] = {at(3,
                            "ctl\x01"
                            "char"sv)};
  w.node({.id = 7, .label = "bad\xff byte", .values = v7});

  std::vector<AttValue> e0 = {at(0, "follow"sv)};
  if (dynamic) e0.insert(e0.end(), {at(1, std::int64_t{1}, 2), at(1, std::int64_t{3}, 5)});
  w.edge({.id = 0, .source = 0, .target = 1, .weight = 1.0, .values = e0});
  const AttValue e1[] = {at(0, "<&>"sv)};
  w.edge({.id = 1, .source = 1, .target = 2, .weight = 2.5, .values = e1});
  w.edge({.id = 2, .source = 5, .target = 7, .weight = 0.1});
  w.edge({.id = 3, .source = 7, .target = 0, .weight = 1e-3});
  w.finish();
}

void write_samples(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, Kind kind, bool dynamic, bool empty) {
    std::ofstream file(dir / name, std::ios::binary);
    if (!file) throw std::runtime_error("cannot open " + (dir / name).string());
    auto w = make_writer(kind, file, sample_header(dynamic));
    if (empty) {
      w->finish();
    } else {
      write_sample(*w, dynamic);
    }
  };
  for (const bool dynamic : {false, true}) {
    const std::string mode = dynamic ? "dynamic" : "static";
    write("sample_" + mode + "_1.3.gexf", Kind::kGexf13, dynamic, false);
    write("sample_" + mode + "_1.2draft.gexf", Kind::kGexf12, dynamic, false);
    write("sample_" + mode + ".graphml", Kind::kGraphml, dynamic, false);
  }
  write("sample_empty_1.3.gexf", Kind::kGexf13, false, true);
  write("sample_empty_1.2draft.gexf", Kind::kGexf12, true, true);
  write("sample_empty.graphml", Kind::kGraphml, false, true);
}

TEST(Samples, WriteCleanly) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("graph_writer_samples_" + std::to_string(::getpid()));
  write_samples(dir);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_GT(entry.file_size(), 0u) << entry.path();
    ++files;
  }
  EXPECT_EQ(files, 9u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace softpower::viz

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--write-samples") {
    try {
      softpower::viz::write_samples(argv[2]);
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "graph_writer_test --write-samples: " << e.what() << "\n";
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
