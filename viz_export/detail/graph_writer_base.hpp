// What the GEXF and GraphML writers share: the checks graph_writer.hpp promises, the order of
// calls, the set of written node ids (for edge endpoints) and the buffered output. A format only
// spells records that have passed the checks, so a record that fails them writes nothing.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "viz_export/graph_writer.hpp"
#include "viz_export/xml_text.hpp"

namespace softpower::viz::detail {

// The ids of the written nodes, which arrive strictly increasing. While they are consecutive
// only the range is kept (no memory per node); after the first gap every id is (8 bytes each),
// searched by bisection.
class NodeIdSet {
 public:
  void add(std::uint64_t id) {
    if (!consecutive_) {
      ids_.push_back(id);
    } else if (count_ == 0) {
      first_ = id;
      count_ = 1;
    } else if (id == first_ + count_) {
      ++count_;
    } else {
      ids_.reserve(count_ + count_ / 2 + 1);
      for (std::uint64_t k = 0; k < count_; ++k) ids_.push_back(first_ + k);
      ids_.push_back(id);
      consecutive_ = false;
    }
  }
  [[nodiscard]] bool contains(std::uint64_t id) const {
    if (consecutive_) return count_ > 0 && id >= first_ && id - first_ < count_;
    return std::binary_search(ids_.begin(), ids_.end(), id);
  }
  // Gives back the slack of the id vector once no more ids come.
  void seal() { ids_.shrink_to_fit(); }
  [[nodiscard]] std::size_t memory_bytes() const { return ids_.capacity() * sizeof(std::uint64_t); }

 private:
  bool consecutive_ = true;
  std::uint64_t first_ = 0;
  std::uint64_t count_ = 0;
  std::vector<std::uint64_t> ids_;
};

// Node attribute titles the writers use for what they write themselves (label and viz as GraphML
// keys; NetworkX stores them under these names), and likewise for edges.
inline constexpr std::array<std::string_view, 5> kReservedNodeTitles = {"label", "r", "g", "b",
                                                                        "size"};
inline constexpr std::array<std::string_view, 2> kReservedEdgeTitles = {"id", "weight"};

// The last step at which values[i], a value of a dynamic attribute, holds: the step before the
// attribute's next value, or the graph's time_end for its last value (closed intervals on
// integer steps, so the intervals of one attribute never overlap).
inline std::int64_t value_end(std::span<const AttValue> values, std::size_t i,
                              std::int64_t time_end) {
  if (i + 1 < values.size() && values[i + 1].attribute == values[i].attribute) {
    return values[i + 1].step - 1;
  }
  return time_end;
}

// True if values[i] is the last value of its attribute.
inline bool is_last_value(std::span<const AttValue> values, std::size_t i) {
  return i + 1 == values.size() || values[i + 1].attribute != values[i].attribute;
}

inline void write_value(XmlOutput& out, const Value& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out.raw(v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          out.text(v);
        } else {
          out.number(v);
        }
      },
      value);
}

class GraphWriterBase : public GraphWriter {
 public:
  void node(const NodeRecord& node) final {
    guard_usable();
    if (phase_ != Phase::kNodes) fail("node " + std::to_string(node.id) + " after an edge");
    if (nodes_written_ > 0 && node.id <= last_node_id_) {
      fail("node " + std::to_string(node.id) + " after node " + std::to_string(last_node_id_) +
           ": ids must be strictly increasing");
    }
    check_values(node.values, header_.node_attributes, "node", node.id);
    if (node.size && !(std::isfinite(*node.size) && *node.size >= 0)) {
      fail("node " + std::to_string(node.id) + ": size must be finite and >= 0");
    }
    write_guarded([&] { write_node(node); });
    ids_.add(node.id);
    last_node_id_ = node.id;
    ++nodes_written_;
  }

  void edge(const EdgeRecord& edge) final {
    guard_usable();
    const auto name = [&edge] { return "edge " + std::to_string(edge.id); };
    if (edges_written_ > 0 && edge.id <= last_edge_id_) {
      fail(name() + " after edge " + std::to_string(last_edge_id_) +
           ": ids must be strictly increasing");
    }
    for (const std::uint64_t end : {edge.source, edge.target}) {
      if (!ids_.contains(end)) fail(name() + ": node " + std::to_string(end) + " was not written");
    }
    if (!std::isfinite(edge.weight)) fail(name() + ": weight must be finite");
    check_values(edge.values, header_.edge_attributes, "edge", edge.id);
    write_guarded([&] {
      start_edges();
      write_edge(edge);
    });
    last_edge_id_ = edge.id;
    ++edges_written_;
  }

  void finish() final {
    guard_usable();
    write_guarded([&] {
      start_edges();
      write_end();
      out_.flush();
    });
    phase_ = Phase::kFinished;
  }

  [[nodiscard]] std::uint64_t nodes_written() const final { return nodes_written_; }
  [[nodiscard]] std::uint64_t edges_written() const final { return edges_written_; }

 protected:
  // Checks `header` (throws std::invalid_argument); `format` prefixes every error message.
  GraphWriterBase(std::ostream& out, GraphHeader header, std::string format)
      : header_(std::move(header)), format_(std::move(format)), out_(out) {
    check_attributes(header_.node_attributes, "node", kReservedNodeTitles);
    check_attributes(header_.edge_attributes, "edge", kReservedEdgeTitles);
    if (header_.dynamic) {
      if (header_.time_start == kStatic) fail("time_start must be greater than kStatic");
      if (header_.time_start > header_.time_end) fail("time_start is after time_end");
    }
  }

  // The format's spelling of checked records. write_edges_start runs once, before the first edge
  // or, with no edges, before write_end.
  virtual void write_node(const NodeRecord& node) = 0;
  virtual void write_edges_start() = 0;
  virtual void write_edge(const EdgeRecord& edge) = 0;
  virtual void write_end() = 0;

  [[nodiscard]] const GraphHeader& header() const { return header_; }
  [[nodiscard]] XmlOutput& out() { return out_; }

 private:
  enum class Phase : std::uint8_t { kNodes, kEdges, kFinished };

  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(format_ + " writer: " + what);
  }

  void guard_usable() const {
    if (failed_) throw std::runtime_error(format_ + " writer: the output stream failed before");
    if (phase_ == Phase::kFinished) fail("called after finish()");
  }

  template <class Write>
  void write_guarded(Write write) {
    try {
      write();
      out_.commit();
    } catch (...) {
      failed_ = true;
      throw;
    }
  }

  void start_edges() {
    if (phase_ != Phase::kNodes) return;
    write_edges_start();
    ids_.seal();
    phase_ = Phase::kEdges;
  }

  template <std::size_t N>
  void check_attributes(const std::vector<Attribute>& attributes, const char* kind,
                        const std::array<std::string_view, N>& reserved) const {
    std::unordered_set<std::string_view> ids;
    std::unordered_set<std::string_view> titles;
    for (const Attribute& a : attributes) {
      const std::string name = std::string(kind) + " attribute '" + a.id + "'";
      const bool id_ok = !a.id.empty() && std::all_of(a.id.begin(), a.id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
      });
      if (!id_ok) fail(name + ": id must be non-empty [A-Za-z0-9_.-]");
      if (!ids.insert(a.id).second) fail(name + ": id used twice");
      if (a.title.empty() || !is_xml_text(a.title)) {
        fail(name + ": title must be non-empty UTF-8 text that XML 1.0 allows");
      }
      if (!titles.insert(a.title).second) fail(name + ": title '" + a.title + "' used twice");
      if (std::find(reserved.begin(), reserved.end(), a.title) != reserved.end()) {
        fail(name + ": title '" + a.title + "' is reserved");
      }
      if (a.dynamic && !header_.dynamic) fail(name + ": dynamic attribute in a static graph");
      if (a.type > AttrType::kString) fail(name + ": unknown type");
    }
  }

  void check_values(std::span<const AttValue> values, const std::vector<Attribute>& attributes,
                    const char* kind, std::uint64_t element_id) const {
    const auto element = [&] { return std::string(kind) + " " + std::to_string(element_id); };
    for (std::size_t i = 0; i < values.size(); ++i) {
      const AttValue& v = values[i];
      if (v.attribute >= attributes.size()) {
        fail(element() + ": value for attribute " + std::to_string(v.attribute) + " of " +
             std::to_string(attributes.size()));
      }
      const Attribute& a = attributes[v.attribute];
      const auto name = [&] { return element() + ": attribute '" + a.title + "'"; };
      check_type(v.value, a.type, name);
      if (!a.dynamic && v.step != kStatic) {
        fail(name() + (header_.dynamic ? ": static attribute given a step"
                                       : ": dynamic value (with a step) in a static graph"));
      }
      if (a.dynamic && v.step == kStatic) fail(name() + ": dynamic attribute value without a step");
      if (a.dynamic && (v.step < header_.time_start || v.step > header_.time_end)) {
        fail(name() + ": step " + std::to_string(v.step) + " outside [" +
             std::to_string(header_.time_start) + ", " + std::to_string(header_.time_end) + "]");
      }
      if (i == 0) continue;
      const AttValue& previous = values[i - 1];
      if (v.attribute < previous.attribute) fail(element() + ": values not sorted by attribute");
      if (v.attribute == previous.attribute) {
        if (!a.dynamic) fail(name() + ": static attribute given two values");
        if (v.step <= previous.step) {
          fail(name() + ": steps not strictly increasing (" + std::to_string(v.step) + " after " +
               std::to_string(previous.step) + ")");
        }
      }
    }
  }

  template <class Name>
  void check_type(const Value& value, AttrType type, const Name& name) const {
    switch (type) {
      case AttrType::kInteger: {
        const auto* v = std::get_if<std::int64_t>(&value);
        if (v == nullptr) fail(name() + ": integer attribute needs an std::int64_t value");
        if (*v < std::numeric_limits<std::int32_t>::min() ||
            *v > std::numeric_limits<std::int32_t>::max()) {
          fail(name() + ": value " + std::to_string(*v) + " does not fit an integer (32 bits)");
        }
        return;
      }
      case AttrType::kLong:
        if (!std::holds_alternative<std::int64_t>(value)) {
          fail(name() + ": long attribute needs an std::int64_t value");
        }
        return;
      case AttrType::kDouble: {
        const auto* v = std::get_if<double>(&value);
        if (v == nullptr) fail(name() + ": double attribute needs a double value");
        if (!std::isfinite(*v)) fail(name() + ": value is not finite");
        return;
      }
      case AttrType::kBoolean:
        if (!std::holds_alternative<bool>(value)) fail(name() + ": boolean attribute needs a bool");
        return;
      case AttrType::kString:
        if (!std::holds_alternative<std::string_view>(value)) {
          fail(name() + ": string attribute needs a string_view value");
        }
        return;
    }
  }

  GraphHeader header_;
  std::string format_;
  XmlOutput out_;
  NodeIdSet ids_;
  Phase phase_ = Phase::kNodes;
  bool failed_ = false;
  std::uint64_t nodes_written_ = 0;
  std::uint64_t edges_written_ = 0;
  std::uint64_t last_node_id_ = 0;
  std::uint64_t last_edge_id_ = 0;
};

}  // namespace softpower::viz::detail
