#include "viz_export/cascade.hpp"

#include <algorithm>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>

namespace softpower::viz {

CascadeTree cascade_tree(const UserEvents& events, const ItemRecord& item) {
  const auto rows = std::ranges::equal_range(events.reads, item.item, {}, &ReadEvent::item);
  const std::span<const ReadEvent> reads(rows.begin(), rows.end());
  const auto fail = [&](const ReadEvent& read, const std::string& what) {
    throw std::invalid_argument("cascade tree of item " + std::to_string(item.item) + ": user " +
                                std::to_string(read.user) + " " + what);
  };
  for (std::size_t i = 1; i < reads.size(); ++i) {
    if (reads[i].user <= reads[i - 1].user)
      fail(reads[i], "appears twice or out of order among the reads");
  }
  const auto read_by = [&](VertexId v) -> const ReadEvent* {
    const auto it = std::ranges::lower_bound(reads, v, {}, &ReadEvent::user);
    return it != reads.end() && it->user == v ? &*it : nullptr;
  };

  CascadeTree tree{.item = item.item, .nodes = {}, .edges = {}, .depth = 0};
  std::vector<CascadeNode> roots;
  std::vector<CascadeNode> readers;
  readers.reserve(reads.size());
  tree.edges.reserve(reads.size());
  for (const ReadEvent& read : reads) {
    if (read.parent == kNoVertex) fail(read, "has no parent");
    if (read.parent == read.user) fail(read, "is its own parent");
    if (read.step < item.publish_step) {
      fail(read, "read it in step " + std::to_string(read.step) +
                     ", before its publication in step " + std::to_string(item.publish_step));
    }
    const ReadEvent* parent = read_by(read.parent);
    const std::uint64_t parent_hop = parent ? parent->hop : 0;
    if (read.hop != parent_hop + 1) {
      fail(read, "has hop " + std::to_string(read.hop) + " but its parent " +
                     std::to_string(read.parent) + " has hop " + std::to_string(parent_hop));
    }
    if (parent) {
      if (parent->outcome != ReadOutcome::kShared) {
        fail(read, "is credited to " + std::to_string(read.parent) +
                       ", who read it without delivering a share");
      }
      if (read.step < parent->step) {
        fail(read, "read it in step " + std::to_string(read.step) + ", before its parent " +
                       std::to_string(read.parent) + " did in step " +
                       std::to_string(parent->step));
      }
    } else {
      roots.push_back({.vertex = read.parent,
                       .root = true,
                       .step = item.publish_step,
                       .hop = 0,
                       .outcome = ReadOutcome::kRead,
                       .via = Channel::kPush,
                       .share_channel = Channel::kPush});
    }
    readers.push_back({.vertex = read.user,
                       .root = false,
                       .step = read.step,
                       .hop = read.hop,
                       .outcome = read.outcome,
                       .via = read.via,
                       .share_channel = read.share_channel});
    tree.edges.push_back(
        {.parent = read.parent, .child = read.user, .step = read.step, .via = read.via});
    tree.depth = std::max(tree.depth, read.hop);
  }
  const auto by_vertex = [](const CascadeNode& a, const CascadeNode& b) {
    return a.vertex < b.vertex;
  };
  std::sort(roots.begin(), roots.end(), by_vertex);
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  tree.nodes.reserve(roots.size() + readers.size());
  std::merge(roots.begin(), roots.end(), readers.begin(), readers.end(),
             std::back_inserter(tree.nodes), by_vertex);
  return tree;
}

}  // namespace softpower::viz
