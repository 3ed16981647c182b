// Streaming graph writers for Gephi and the Python/JS graph tools: GEXF 1.3, GEXF 1.2draft and
// GraphML. Nodes and edges go straight to the output stream as they are given (no document in
// memory), so memory stays constant whatever the graph's size. docs/gephi.md shows the files in
// use; viz_export/README.md lists what each format holds.
//
// Text (labels, string values, creator, description) is UTF-8; what XML 1.0 cannot hold (invalid
// UTF-8, control characters other than tab, newline and CR, U+FFFE, U+FFFF) is written as U+FFFD
// (xml_text.hpp, append_escaped). Numbers are written as the shortest text that reads back
// exactly; NaN and infinities are rejected.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace softpower::viz {

/// The attribute types every reader handles alike (GEXF integer/long/double/boolean/string,
/// GraphML int/long/double/boolean/string).
enum class AttrType : std::uint8_t { kInteger, kLong, kDouble, kBoolean, kString };

/// A node or edge attribute (a column in Gephi's data laboratory). Node titles "label", "r", "g",
/// "b", "size" and edge titles "id", "weight" are reserved: the writers use those names for the
/// label, viz color and size, edge id and weight.
struct Attribute {
  std::string id{};     // GEXF `id` / GraphML key suffix; unique among node (or edge) attributes;
                        // non-empty, of [A-Za-z0-9_.-]
  std::string title{};  // shown in Gephi's data laboratory; unique too; non-empty, valid XML text
  AttrType type = AttrType::kDouble;
  bool dynamic = false;  // values change over time (dynamic GEXF only)
};

/// A value of an attribute's type: std::int64_t for kInteger (which must fit 32 bits: Gephi reads
/// GEXF integer and GraphML int as Java int) and kLong, a finite double, bool, or text.
using Value = std::variant<std::int64_t, double, bool, std::string_view>;

/// No timestamp: the value of a static attribute.
inline constexpr std::int64_t kStatic = std::numeric_limits<std::int64_t>::min();

/// One value of one attribute; for a dynamic attribute, the value from `step` on (until the
/// next value of the same attribute; the last one until the graph's time_end).
struct AttValue {
  std::size_t attribute = 0;  // index into the node (or edge) attribute list
  Value value{};
  std::int64_t step = kStatic;
};

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

struct NodeRecord {
  std::uint64_t id = 0;
  std::string_view label{};
  /// Sorted by (attribute, step); attributes without a value are left out. Static attributes
  /// take one value with step kStatic, dynamic ones any number with strictly increasing steps.
  std::span<const AttValue> values{};
  std::optional<Rgb> color{};    // viz:color
  std::optional<double> size{};  // viz:size; finite, >= 0
};

struct EdgeRecord {
  std::uint64_t id = 0;
  std::uint64_t source = 0;
  std::uint64_t target = 0;
  double weight = 1.0;                 // finite
  std::span<const AttValue> values{};  // as for nodes
};

struct GraphHeader {
  std::string creator = "softpower";
  std::string description{};
  bool directed = true;
  /// A dynamic graph: dynamic attributes carry values over time, on integer steps
  /// [time_start, time_end]. Static graphs must not declare dynamic attributes.
  bool dynamic = false;
  std::int64_t time_start = 0;
  std::int64_t time_end = 0;
  std::vector<Attribute> node_attributes{};
  std::vector<Attribute> edge_attributes{};
};

enum class GexfVersion : std::uint8_t { k1_3, k1_2draft };

/// Writes one graph document. All nodes first, in strictly increasing id order, then all edges,
/// in strictly increasing id order, then finish(). Memory: one 64 KiB output block, plus 8 bytes
/// per node (the ids, to check edge endpoints) once the node ids stop being consecutive, nothing
/// per edge.
///
/// Throws std::invalid_argument for misuse that would make an invalid file: from the factories,
/// for a bad header (attribute ids or titles malformed, repeated or reserved, a dynamic attribute
/// in a static graph, time_start after time_end); from node() and edge(), for a node after an
/// edge, ids not increasing, an edge to a node not written, a value for an unknown attribute or of
/// the wrong type, a value with a step in a static graph or for a static attribute, a dynamic value
/// without a step or outside [time_start, time_end], values not sorted by attribute, two values of
/// a static attribute, steps not strictly increasing, a non-finite number or a negative size; any
/// call after finish(). A rejected record writes nothing and the writer stays usable. Throws
/// std::runtime_error if the stream fails; the writer is unusable after that. Without finish()
/// the document is incomplete: the destructor neither closes nor flushes it, so that a run that
/// failed half-way never looks like a whole graph.
class GraphWriter {
 public:
  virtual ~GraphWriter() = default;
  virtual void node(const NodeRecord& node) = 0;
  virtual void edge(const EdgeRecord& edge) = 0;
  /// Closes the document and flushes the stream; checks that it did not fail.
  virtual void finish() = 0;
  [[nodiscard]] virtual std::uint64_t nodes_written() const = 0;
  [[nodiscard]] virtual std::uint64_t edges_written() const = 0;
};

/// GEXF: a dynamic attribute holds each value from its step until the step before its next value
/// (the last one until time_end), written as closed intervals (<attvalue start end>, 1.3 with
/// timerepresentation="interval") that never overlap.
std::unique_ptr<GraphWriter> make_gexf_writer(std::ostream& out, GraphHeader header,
                                              GexfVersion version);
/// GraphML has no time: a dynamic attribute is written as its last value.
std::unique_ptr<GraphWriter> make_graphml_writer(std::ostream& out, GraphHeader header);

}  // namespace softpower::viz
