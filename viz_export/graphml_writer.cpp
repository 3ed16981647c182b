// GraphML (http://graphml.graphdrawing.org). Keys: the node label ("label"), the viz color and
// size as node keys "r", "g", "b" (int) and "size" (double), the names Gephi's GraphML importer
// maps to color and size and Gephi's exporter writes (yEd keeps its own yfiles extension, and
// shows these as plain data), the edge "weight" (double), then one key per attribute: "v_<id>"
// for nodes, "e_<id>" for edges, attr.name = title. GraphML has no time: a dynamic attribute is
// written as its last value. The top-level <desc> holds the creator, the graph's <desc> the
// description.
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "viz_export/detail/graph_writer_base.hpp"
#include "viz_export/graph_writer.hpp"

namespace softpower::viz {
namespace {

std::string_view graphml_type(AttrType type) {
  switch (type) {
    case AttrType::kInteger:
      return "int";
    case AttrType::kLong:
      return "long";
    case AttrType::kDouble:
      return "double";
    case AttrType::kBoolean:
      return "boolean";
    case AttrType::kString:
      return "string";
  }
  return "string";
}

class GraphmlWriter final : public detail::GraphWriterBase {
 public:
  GraphmlWriter(std::ostream& out, GraphHeader header)
      : GraphWriterBase(out, std::move(header), "graphml") {
    write_start();
  }

 private:
  void write_start() {
    const GraphHeader& h = header();
    XmlOutput& o = out();
    o.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    o.raw("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    o.raw("  <desc>").text(h.creator).raw("</desc>\n");
    write_key("label", "node", "label", "string");
    write_key("r", "node", "r", "int");
    write_key("g", "node", "g", "int");
    write_key("b", "node", "b", "int");
    write_key("size", "node", "size", "double");
    for (const Attribute& a : h.node_attributes) {
      write_key(node_key(a), "node", a.title, graphml_type(a.type));
    }
    write_key("weight", "edge", "weight", "double");
    for (const Attribute& a : h.edge_attributes) {
      write_key(edge_key(a), "edge", a.title, graphml_type(a.type));
    }
    o.raw("  <graph id=\"G\" edgedefault=\"").raw(h.directed ? "directed" : "undirected");
    o.raw("\">\n");
    if (!h.description.empty()) o.raw("    <desc>").text(h.description).raw("</desc>\n");
  }

  static std::string node_key(const Attribute& a) { return "v_" + a.id; }
  static std::string edge_key(const Attribute& a) { return "e_" + a.id; }

  void write_key(std::string_view id, std::string_view kind, std::string_view name,
                 std::string_view type) {
    out().raw("  <key id=\"").raw(id).raw("\" for=\"").raw(kind).raw("\" attr.name=\"");
    out().text(name).raw("\" attr.type=\"").raw(type).raw("\"/>\n");
  }

  template <class T>
  void write_data(std::string_view prefix, std::string_view key, const T& value) {
    XmlOutput& o = out();
    o.raw("      <data key=\"").raw(prefix).raw(key).raw("\">");
    if constexpr (std::is_same_v<T, Value>) {
      detail::write_value(o, value);
    } else {
      o.number(value);
    }
    o.raw("</data>\n");
  }

  // The last value of each attribute.
  void write_values(std::span<const AttValue> values, const std::vector<Attribute>& attributes,
                    std::string_view prefix) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!detail::is_last_value(values, i)) continue;
      write_data(prefix, attributes[values[i].attribute].id, values[i].value);
    }
  }

  void write_node(const NodeRecord& node) override {
    XmlOutput& o = out();
    o.raw("    <node id=\"").number(node.id).raw("\"");
    if (node.label.empty() && node.values.empty() && !node.color && !node.size) {
      o.raw("/>\n");
      return;
    }
    o.raw(">\n");
    if (!node.label.empty()) o.raw("      <data key=\"label\">").text(node.label).raw("</data>\n");
    if (node.color) {
      write_data("", "r", node.color->r);
      write_data("", "g", node.color->g);
      write_data("", "b", node.color->b);
    }
    if (node.size) write_data("", "size", *node.size);
    write_values(node.values, header().node_attributes, "v_");
    o.raw("    </node>\n");
  }

  void write_edges_start() override {}

  void write_edge(const EdgeRecord& edge) override {
    XmlOutput& o = out();
    o.raw("    <edge id=\"").number(edge.id).raw("\" source=\"").number(edge.source);
    o.raw("\" target=\"").number(edge.target).raw("\">\n");
    write_data("", "weight", edge.weight);
    write_values(edge.values, header().edge_attributes, "e_");
    o.raw("    </edge>\n");
  }

  void write_end() override { out().raw("  </graph>\n</graphml>\n"); }
};

}  // namespace

std::unique_ptr<GraphWriter> make_graphml_writer(std::ostream& out, GraphHeader header) {
  return std::make_unique<GraphmlWriter>(out, std::move(header));
}

}  // namespace softpower::viz
