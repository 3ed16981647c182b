// GEXF 1.3 and 1.2draft (https://gexf.net, schemas in viz_export/schemas/). A dynamic attribute's
// value holds from its step until the step before its next value, the last one until time_end:
// one <attvalue start="s" end="e"/> per value, closed intervals on integer steps that never
// overlap. 1.3 says so with timerepresentation="interval"; its other representation, timestamps,
// makes Gephi read a value only at its own step (graphstore's TimestampMap estimators look at the
// timestamps inside the query window), so a state would vanish between two changes. 1.2draft's
// open bounds (endopen) are not used: NetworkX reads only start and end.
#include <memory>
#include <ostream>
#include <string_view>
#include <utility>

#include "viz_export/detail/graph_writer_base.hpp"
#include "viz_export/graph_writer.hpp"

namespace softpower::viz {
namespace {

std::string_view gexf_type(AttrType type) {
  switch (type) {
    case AttrType::kInteger:
      return "integer";
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

class GexfWriter final : public detail::GraphWriterBase {
 public:
  GexfWriter(std::ostream& out, GraphHeader header, GexfVersion version)
      : GraphWriterBase(out, std::move(header), "gexf"), version_(version) {
    write_start();
  }

 private:
  void write_start() {
    const GraphHeader& h = header();
    XmlOutput& o = out();
    o.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (version_ == GexfVersion::k1_3) {
      o.raw(
          "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" "
          "version=\"1.3\">\n");
    } else {
      o.raw(
          "<gexf xmlns=\"http://www.gexf.net/1.2draft\" "
          "xmlns:viz=\"http://www.gexf.net/1.2draft/viz\" version=\"1.2\">\n");
    }
    o.raw("  <meta>\n    <creator>").text(h.creator).raw("</creator>\n    <description>");
    o.text(h.description).raw("</description>\n  </meta>\n");
    o.raw("  <graph defaultedgetype=\"").raw(h.directed ? "directed" : "undirected");
    if (h.dynamic) {
      o.raw("\" mode=\"dynamic\" timeformat=\"integer\"");
      if (version_ == GexfVersion::k1_3) o.raw(" timerepresentation=\"interval\"");
      o.raw(" start=\"").number(h.time_start).raw("\" end=\"").number(h.time_end).raw("\">\n");
    } else {
      o.raw("\" mode=\"static\">\n");
    }
    write_attributes(h.node_attributes, "node", false);
    write_attributes(h.node_attributes, "node", true);
    write_attributes(h.edge_attributes, "edge", false);
    write_attributes(h.edge_attributes, "edge", true);
    o.raw("    <nodes>\n");
  }

  void write_attributes(const std::vector<Attribute>& attributes, std::string_view kind,
                        bool dynamic) {
    XmlOutput& o = out();
    bool open = false;
    for (const Attribute& a : attributes) {
      if (a.dynamic != dynamic) continue;
      if (!open) {
        o.raw("    <attributes class=\"").raw(kind).raw("\" mode=\"");
        o.raw(dynamic ? "dynamic" : "static").raw("\">\n");
        open = true;
      }
      o.raw("      <attribute id=\"").raw(a.id).raw("\" title=\"").text(a.title);
      o.raw("\" type=\"").raw(gexf_type(a.type)).raw("\"/>\n");
    }
    if (open) o.raw("    </attributes>\n");
  }

  // <attvalues> at `indent` (the element's own indentation plus two spaces).
  void write_attvalues(std::span<const AttValue> values, const std::vector<Attribute>& attributes,
                       std::string_view indent) {
    XmlOutput& o = out();
    o.raw(indent).raw("<attvalues>\n");
    for (std::size_t i = 0; i < values.size(); ++i) {
      const AttValue& v = values[i];
      const Attribute& a = attributes[v.attribute];
      o.raw(indent).raw("  <attvalue for=\"").raw(a.id).raw("\" value=\"");
      detail::write_value(o, v.value);
      if (a.dynamic) {
        o.raw("\" start=\"").number(v.step).raw("\" end=\"");
        o.number(detail::value_end(values, i, header().time_end));
      }
      o.raw("\"/>\n");
    }
    o.raw(indent).raw("</attvalues>\n");
  }

  void write_node(const NodeRecord& node) override {
    XmlOutput& o = out();
    o.raw("      <node id=\"").number(node.id).raw("\" label=\"").text(node.label).raw("\"");
    if (node.values.empty() && !node.color && !node.size) {
      o.raw("/>\n");
      return;
    }
    o.raw(">\n");
    if (!node.values.empty()) write_attvalues(node.values, header().node_attributes, "        ");
    if (node.color) {
      o.raw("        <viz:color r=\"").number(node.color->r).raw("\" g=\"").number(node.color->g);
      o.raw("\" b=\"").number(node.color->b).raw("\"/>\n");
    }
    if (node.size) o.raw("        <viz:size value=\"").number(*node.size).raw("\"/>\n");
    o.raw("      </node>\n");
  }

  void write_edges_start() override { out().raw("    </nodes>\n    <edges>\n"); }

  void write_edge(const EdgeRecord& edge) override {
    XmlOutput& o = out();
    o.raw("      <edge id=\"").number(edge.id).raw("\" source=\"").number(edge.source);
    o.raw("\" target=\"").number(edge.target).raw("\" weight=\"").number(edge.weight).raw("\"");
    if (edge.values.empty()) {
      o.raw("/>\n");
      return;
    }
    o.raw(">\n");
    write_attvalues(edge.values, header().edge_attributes, "        ");
    o.raw("      </edge>\n");
  }

  void write_end() override { out().raw("    </edges>\n  </graph>\n</gexf>\n"); }

  GexfVersion version_;
};

}  // namespace

std::unique_ptr<GraphWriter> make_gexf_writer(std::ostream& out, GraphHeader header,
                                              GexfVersion version) {
  return std::make_unique<GexfWriter>(out, std::move(header), version);
}

}  // namespace softpower::viz
