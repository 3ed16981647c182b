// A bare serial cascade over plain CSR arrays: one item, level-synchronous breadth-first
// spread, the same keyed random draws as Engine. It is the engine's verifier (tests compare the
// two exactly) and the baseline the benchmark measures the engine against.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model.hpp"
#include "sim/rng.hpp"
#include "sim/types.hpp"

namespace softpower::detail {

struct SerialCascadeResult {
  std::uint64_t exposures = 0;
  std::uint64_t reads = 0;
  std::uint64_t shares = 0;
  std::uint64_t reach = 0;
  std::uint32_t depth = 0;
  std::uint64_t arcs_examined = 0;
  std::vector<std::uint8_t> opened;  // by vertex
};

/// Item `item` published at step `publish_step` by `publisher`, spreading with `rule`.
inline SerialCascadeResult serial_cascade(const std::uint64_t* offsets, const VertexId* targets,
                                          VertexId n, VertexId publisher, const CounterRng& rng,
                                          ItemId item, Step publish_step,
                                          const DiffusionRule& rule) {
  SerialCascadeResult r;
  std::vector<std::uint8_t> exposed(n, 0);
  r.opened.assign(n, 0);
  exposed[publisher] = r.opened[publisher] = 1;
  std::vector<VertexId> frontier{publisher}, next;
  for (Step step = publish_step; !frontier.empty(); ++step) {
    next.clear();
    const std::uint64_t reads_before = r.reads;
    for (VertexId u : frontier) {
      for (std::uint64_t arc = offsets[u]; arc < offsets[u + 1]; ++arc) {
        const VertexId v = targets[arc];
        ++r.exposures;
        if (!exposed[v]) {
          exposed[v] = 1;
          ++r.reach;
        }
        if (r.opened[v]) continue;
        if (!rng.bernoulli(rule.activity, Purpose::kActive, static_cast<std::uint64_t>(step), v)) continue;
        if (!rng.bernoulli(rule.open_probability, Purpose::kOpen, item, arc)) continue;
        r.opened[v] = 1;
        ++r.reads;
        if (rng.bernoulli(rule.share_probability, Purpose::kShare, item, v)) {
          ++r.shares;
          next.push_back(v);
        }
      }
    }
    if (r.reads > reads_before) r.depth = static_cast<std::uint32_t>(step - publish_step + 1);
    frontier.swap(next);
  }
  r.arcs_examined = r.exposures;
  r.opened[publisher] = 0;
  return r;
}

}  // namespace softpower::detail
