// Per-user events for the output tests: valid for a file's EventsLayout (what the writer
// accepts), with every field depending on the run so that a row mix-up shows.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/model.hpp"
#include "sim/run_result.hpp"
#include "sim/types.hpp"

namespace softpower::test {

/// Events of run `run` with `items` items in a file of `layout`: every vertex but the last ever
/// exposed, reads sorted by (item, user) of users (u + item + run) % 3 != 0 (none without
/// items), every channel and outcome code, parents among the vertices and kNoVertex, steps
/// beyond 32 bits, attitudes of layout.attitude_users users.
inline UserEvents sample_events(RunId run, std::size_t items, EventsLayout layout) {
  UserEvents e;
  for (VertexId v = 0; v < layout.vertices; ++v) {
    e.first_exposure.push_back(v + 1 == layout.vertices ? -1 : static_cast<Step>(3 * run + v));
  }
  for (ItemId i = 0; i < items; ++i) {
    for (VertexId u = 0; u < layout.vertices; ++u) {
      if ((u + i + run) % 3 == 0) continue;
      const auto outcome = static_cast<ReadOutcome>((u + i) % 4);
      const bool shared = outcome == ReadOutcome::kShared || outcome == ReadOutcome::kShareFiltered;
      e.reads.push_back(
          {.item = i,
           .user = u,
           .step = (Step{1} << 33) + static_cast<Step>(10 * run + u),
           .parent = u == 0 ? kNoVertex : u - 1,
           .hop = u + 1,
           .via = static_cast<Channel>((u + run) % kNumChannels),
           .outcome = outcome,
           .share_channel = shared ? static_cast<Channel>(1 + u % 4) : Channel::kPush});
    }
  }
  for (VertexId u = 0; u < layout.attitude_users; ++u) {
    e.attitude_initial.push_back(static_cast<float>(u + run) / 7.0f - 0.5f);
    e.attitude_final.push_back(-static_cast<float>(u * run) / 13.0f);
  }
  e.graph_checksum = 0xfeedface00000000ull + run;
  return e;
}

}  // namespace softpower::test
