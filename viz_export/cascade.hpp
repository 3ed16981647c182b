// Cascade trees: who passed one item to whom. Every reader of an item is credited to exactly one
// delivery (ReadEvent::parent), so the readers and the vertices they are credited to form a
// forest. Its roots are the parents that did not read the item themselves: the publisher and
// its paid seeds. Pure algorithms, no I/O.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model.hpp"
#include "sim/run_result.hpp"
#include "sim/types.hpp"

namespace softpower::viz {

struct CascadeNode {
  VertexId vertex = kNoVertex;
  bool root = false;      // a parent that did not read the item (publisher, paid seed)
  Step step = 0;          // readers: step of the read; roots: the item's publish step
  std::uint32_t hop = 0;  // readers: ReadEvent::hop; roots: 0
  /// Readers: as in their ReadEvent. Roots read nothing: kRead, kPush and kPush.
  ReadOutcome outcome = ReadOutcome::kRead;
  Channel via = Channel::kPush;
  Channel share_channel = Channel::kPush;
  bool operator==(const CascadeNode&) const = default;
};

struct CascadeEdge {
  VertexId parent = kNoVertex;
  VertexId child = kNoVertex;
  Step step = 0;                 // the child's read step
  Channel via = Channel::kPush;  // channel credited with the child's open
  bool operator==(const CascadeEdge&) const = default;
};

struct CascadeTree {
  ItemId item = 0;
  std::vector<CascadeNode> nodes;  // roots and readers, sorted by vertex
  std::vector<CascadeEdge> edges;  // one per reader, sorted by child
  std::uint32_t depth = 0;         // largest hop; 0 when nobody read the item
  bool operator==(const CascadeTree&) const = default;
};

/// The cascade tree of `item` from `events.reads` (sorted by (item, user); the item's rows are
/// found by binary search). An item nobody read gives a tree without nodes. Throws
/// std::invalid_argument naming the item and the user if a read
///   - appears twice, or the item's rows are not sorted by user;
///   - has no parent (kNoVertex) or is its own parent;
///   - happened before the item's publish step;
///   - has a hop other than its parent's hop + 1 (a root's hop is 0);
///   - is credited to a reader who did not share the item (outcome other than kShared), or who
///     read it in a later step.
/// The engine guarantees all of these, so a failure means a corrupted or mismatched file.
[[nodiscard]] CascadeTree cascade_tree(const UserEvents& events, const ItemRecord& item);

}  // namespace softpower::viz
