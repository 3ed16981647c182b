#include "viz_export/sampling.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "sim/atomic_bits.hpp"
#include "sim/rng.hpp"

namespace softpower::viz {
namespace {

constexpr VertexId kVertexGrain = 4096;
constexpr ArcId kArcGrain = 16384;
// Below this many arcs to scan, a breadth-first level runs serially.
constexpr ArcId kParallelLevelArcs = 1u << 16;

/// A CSR whose rows are sorted (with repeats allowed): the view itself when every row already
/// is, else a copy of its targets with every row sorted. Out-rows are sorted when the graph was
/// canonicalized, not necessarily otherwise (SocialGraph::from_csr adopts rows as they are).
class SortedRows {
 public:
  explicit SortedRows(CsrView view) : view_(view) {
    const VertexId n = view.num_vertices();
    const auto row_sorted = [&](VertexId v) {
      return std::is_sorted(
          view.targets.begin() + static_cast<std::ptrdiff_t>(view.offsets[v]),
          view.targets.begin() + static_cast<std::ptrdiff_t>(view.offsets[v + 1]));
    };
    const bool sorted = tbb::parallel_reduce(
        tbb::blocked_range<VertexId>(0, n, kVertexGrain), true,
        [&](const tbb::blocked_range<VertexId>& r, bool ok) {
          for (VertexId v = r.begin(); ok && v < r.end(); ++v) ok = row_sorted(v);
          return ok;
        },
        std::logical_and<>{});
    if (sorted) return;
    copy_.assign(view.targets.begin(), view.targets.end());
    tbb::parallel_for(tbb::blocked_range<VertexId>(0, n, kVertexGrain),
                      [&](const tbb::blocked_range<VertexId>& r) {
                        for (VertexId v = r.begin(); v < r.end(); ++v) {
                          std::sort(
                              copy_.begin() + static_cast<std::ptrdiff_t>(view.offsets[v]),
                              copy_.begin() + static_cast<std::ptrdiff_t>(view.offsets[v + 1]));
                        }
                      });
    view_.targets = copy_;
  }
  SortedRows(const SortedRows&) = delete;
  SortedRows& operator=(const SortedRows&) = delete;

  [[nodiscard]] const CsrView& view() const { return view_; }

 private:
  CsrView view_;
  std::vector<VertexId> copy_;
};

/// Neighbours in the undirected simple graph: each vertex's out-targets merged with its
/// in-sources, each neighbour once, the vertex itself never.
class UndirectedNeighbors {
 public:
  // In-sources come out of SocialGraph::from_csr ordered by forward arc id, hence by source;
  // SortedRows checks that rather than relying on it.
  explicit UndirectedNeighbors(const SocialGraph& g) : out_(g.out_view()), in_(g.in_view()) {}

  /// Calls f(w) for each neighbour w of v, in increasing order.
  template <class F>
  void for_each(VertexId v, F&& f) const {
    const CsrView& out = out_.view();
    const CsrView& in = in_.view();
    ArcId i = out.offsets[v];
    ArcId j = in.offsets[v];
    const ArcId i_end = out.offsets[v + 1];
    const ArcId j_end = in.offsets[v + 1];
    VertexId last = kNoVertex;  // never a vertex id: from_csr keeps ids below it
    while (i < i_end || j < j_end) {
      const bool from_out = j == j_end || (i < i_end && out.targets[i] <= in.targets[j]);
      const VertexId w = from_out ? out.targets[i++] : in.targets[j++];
      if (w == v || w == last) continue;
      last = w;
      f(w);
    }
  }

  [[nodiscard]] std::uint32_t degree(VertexId v) const {
    std::uint32_t d = 0;
    for_each(v, [&](VertexId) { ++d; });
    return d;
  }

 private:
  SortedRows out_;
  SortedRows in_;
};

/// Uniform integer in [0, bound), bound > 0, without modulo bias: draws below 2^64 mod bound
/// are rejected and redrawn with the next index.
std::uint64_t uniform_below(const CounterRng& rng, std::uint64_t bound, std::uint64_t context) {
  const std::uint64_t rejected = (0 - bound) % bound;
  for (std::uint64_t attempt = 0;; ++attempt) {
    const std::uint64_t x = rng.bits(Purpose::kExportSample, context, attempt);
    if (x >= rejected) return x % bound;
  }
}

bool test_and_set(std::vector<std::uint64_t>& bits, VertexId v) {
  const std::uint64_t mask = std::uint64_t{1} << (v & 63);
  std::uint64_t& word = bits[v >> 6];
  const bool was = word & mask;
  word |= mask;
  return was;
}

}  // namespace

std::vector<VertexId> ego_network(const SocialGraph& g, VertexId center, std::uint32_t depth) {
  const VertexId n = g.num_vertices();
  if (center >= n) {
    throw std::invalid_argument("ego_network: center " + std::to_string(center) +
                                " is not a vertex (the graph has " + std::to_string(n) + ")");
  }
  const CsrView out = g.out_view();
  AtomicBits seen(n);  // claimed by exactly one caller each, also from parallel levels
  seen.set(center);
  std::vector<VertexId> result{center};  // every vertex found, level by level
  std::size_t level_begin = 0;
  std::vector<ArcId> prefix;  // prefix[i]: arcs of the level before its i-th vertex
  tbb::enumerable_thread_specific<std::vector<VertexId>> found;
  for (std::uint32_t level = 0; level < depth && level_begin < result.size(); ++level) {
    const std::size_t level_end = result.size();
    const std::span<const VertexId> frontier(result.data() + level_begin, level_end - level_begin);
    prefix.assign(1, 0);
    for (const VertexId u : frontier) prefix.push_back(prefix.back() + out.out_degree(u));
    if (prefix.back() < kParallelLevelArcs) {
      std::vector<VertexId> next;
      for (const VertexId u : frontier) {
        for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a) {
          if (seen.set(out.targets[a])) next.push_back(out.targets[a]);
        }
      }
      result.insert(result.end(), next.begin(), next.end());
    } else {
      // Balanced by arcs, so one vertex with a million followers is split across threads. Which
      // thread claims a vertex varies; the set found does not.
      tbb::parallel_for(
          tbb::blocked_range<ArcId>(0, prefix.back(), kArcGrain),
          [&](const tbb::blocked_range<ArcId>& r) {
            std::vector<VertexId>& local = found.local();
            auto i = static_cast<std::size_t>(
                std::upper_bound(prefix.begin(), prefix.end(), r.begin()) - prefix.begin() - 1);
            for (ArcId k = r.begin(); k < r.end(); ++i) {
              const VertexId u = frontier[i];
              const ArcId stop = std::min(r.end(), prefix[i + 1]);
              for (; k < stop; ++k) {
                const VertexId v = out.targets[out.offsets[u] + (k - prefix[i])];
                if (seen.set(v)) local.push_back(v);
              }
            }
          });
      for (std::vector<VertexId>& local : found) {
        result.insert(result.end(), local.begin(), local.end());
        local.clear();
      }
    }
    level_begin = level_end;
  }
  tbb::parallel_sort(result.begin(), result.end());
  return result;
}

std::vector<std::uint32_t> core_numbers(const SocialGraph& g) {
  const VertexId n = g.num_vertices();
  const UndirectedNeighbors adj(g);
  std::vector<std::uint32_t> deg(n);
  tbb::parallel_for(tbb::blocked_range<VertexId>(0, n, kVertexGrain),
                    [&](const tbb::blocked_range<VertexId>& r) {
                      for (VertexId v = r.begin(); v < r.end(); ++v) deg[v] = adj.degree(v);
                    });
  const std::uint32_t max_deg = n == 0 ? 0 : *std::max_element(deg.begin(), deg.end());

  // Batagelj & Zaversnik (2003), "An O(m) algorithm for cores decomposition of networks":
  // `vert` holds the vertices sorted by current degree, bin[d] the start of degree d's bucket.
  // Visiting vertices in that order fixes each one's core number; each neighbour of higher
  // degree moves to the front of its bucket and drops one bucket.
  std::vector<VertexId> bin(static_cast<std::size_t>(max_deg) + 1, 0);
  for (const std::uint32_t d : deg) ++bin[d];
  std::exclusive_scan(bin.begin(), bin.end(), bin.begin(), VertexId{0});
  std::vector<VertexId> pos(n);
  std::vector<VertexId> vert(n);
  {
    std::vector<VertexId> fill = bin;
    for (VertexId v = 0; v < n; ++v) {
      pos[v] = fill[deg[v]]++;
      vert[pos[v]] = v;
    }
  }
  for (VertexId i = 0; i < n; ++i) {
    const VertexId v = vert[i];
    adj.for_each(v, [&](VertexId u) {
      if (deg[u] <= deg[v]) return;
      const std::uint32_t du = deg[u];
      const VertexId pu = pos[u];
      const VertexId pw = bin[du];
      const VertexId w = vert[pw];
      if (u != w) {
        pos[u] = pw;
        vert[pu] = w;
        pos[w] = pu;
        vert[pw] = u;
      }
      ++bin[du];
      --deg[u];
    });
  }
  return deg;
}

std::vector<VertexId> k_core(const SocialGraph& g, std::uint32_t k) {
  std::vector<VertexId> result;
  if (k == 0) {
    result.resize(g.num_vertices());
    std::iota(result.begin(), result.end(), VertexId{0});
    return result;
  }
  const std::vector<std::uint32_t> core = core_numbers(g);
  for (VertexId v = 0; v < core.size(); ++v) {
    if (core[v] >= k) result.push_back(v);
  }
  return result;
}

std::vector<VertexId> random_vertices(VertexId num_vertices, VertexId count, std::uint64_t seed) {
  std::vector<VertexId> result;
  if (count >= num_vertices) {
    result.resize(num_vertices);
    std::iota(result.begin(), result.end(), VertexId{0});
    return result;
  }
  // Floyd's algorithm (Bentley & Floyd, CACM 1987): for j = n - count .. n - 1 draw t uniform in
  // [0, j] and take t, or j if t is taken. Every count-subset comes out with equal probability.
  const CounterRng rng(seed, 0);
  result.reserve(count);
  const auto draw = [&](auto&& take) {
    for (VertexId j = num_vertices - count; j < num_vertices; ++j) {
      auto t = static_cast<VertexId>(uniform_below(rng, std::uint64_t{j} + 1, j));
      if (!take(t)) {
        t = j;  // never taken before: earlier picks are all below j
        take(t);
      }
      result.push_back(t);
    }
  };
  // What is taken: a bitmap over all vertices when that is no bigger than a hash set of the
  // sample would be, so a small sample of a huge graph costs memory for the sample only.
  if (num_vertices / 256 <= count) {
    std::vector<std::uint64_t> taken((static_cast<std::size_t>(num_vertices) + 63) / 64, 0);
    draw([&](VertexId v) { return !test_and_set(taken, v); });
  } else {
    std::unordered_set<VertexId> taken(2 * static_cast<std::size_t>(count));
    draw([&](VertexId v) { return taken.insert(v).second; });
  }
  std::sort(result.begin(), result.end());
  return result;
}

std::vector<VertexId> readers_of_items(const UserEvents& events, std::span<const ItemId> items) {
  std::vector<VertexId> result;
  for (const ItemId item : items) {
    for (const ReadEvent& read :
         std::ranges::equal_range(events.reads, item, {}, &ReadEvent::item)) {
      result.push_back(read.user);
      if (read.parent != kNoVertex) result.push_back(read.parent);
    }
  }
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

std::vector<ItemId> top_items_by_reach(std::span<const ItemRecord> items, std::size_t k) {
  std::vector<const ItemRecord*> ranked;
  for (const ItemRecord& item : items) {
    if (item.reach > 0) ranked.push_back(&item);
  }
  const auto better = [](const ItemRecord* a, const ItemRecord* b) {
    if (a->reach != b->reach) return a->reach > b->reach;
    if (a->reads != b->reads) return a->reads > b->reads;
    return a->item < b->item;
  };
  const std::size_t kept = std::min(k, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(kept),
                    ranked.end(), better);
  std::vector<ItemId> result;
  result.reserve(kept);
  for (std::size_t i = 0; i < kept; ++i) result.push_back(ranked[i]->item);
  return result;
}

namespace detail {

VertexBitmap::VertexBitmap(VertexId num_vertices, std::span<const VertexId> sorted_vertices)
    : words_((static_cast<std::size_t>(num_vertices) + 63) / 64, 0) {
  for (std::size_t i = 0; i < sorted_vertices.size(); ++i) {
    const VertexId v = sorted_vertices[i];
    if (v >= num_vertices) {
      throw std::invalid_argument("vertex set: " + std::to_string(v) +
                                  " is not a vertex (the graph has " +
                                  std::to_string(num_vertices) + ")");
    }
    if (i > 0 && v <= sorted_vertices[i - 1]) {
      throw std::invalid_argument("vertex set: ids must be strictly increasing (" +
                                  std::to_string(sorted_vertices[i - 1]) + " is followed by " +
                                  std::to_string(v) + ")");
    }
    words_[v >> 6] |= std::uint64_t{1} << (v & 63);
  }
}

}  // namespace detail

std::uint64_t count_induced_arcs(const SocialGraph& g, std::span<const VertexId> sorted_vertices) {
  const detail::VertexBitmap in_set(g.num_vertices(), sorted_vertices);
  const CsrView out = g.out_view();
  return tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, sorted_vertices.size(), 256), std::uint64_t{0},
      [&](const tbb::blocked_range<std::size_t>& r, std::uint64_t count) {
        for (std::size_t i = r.begin(); i < r.end(); ++i) {
          const VertexId u = sorted_vertices[i];
          for (ArcId a = out.offsets[u]; a < out.offsets[u + 1]; ++a)
            count += in_set.contains(out.targets[a]);
        }
        return count;
      },
      std::plus<>{});
}

}  // namespace softpower::viz
