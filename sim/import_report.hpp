// What a graph importer tells its caller, and the few pieces both importers (edge list, GraphML)
// share: first-appearance id remapping, weight validation and the per-user region and community
// values with their defaults, so the two formats cannot drift apart in how they number vertices
// or which values they accept.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "sim/error.hpp"
#include "sim/types.hpp"

namespace softpower {

/// Counts and remarks from one import. Arc counts are in arcs, not lines: an undirected edge is
/// two arcs (u->v, v->u), an undirected self-loop is one.
struct ImportReport {
  std::uint64_t lines = 0;                  ///< physical lines in the file, comments included
  std::uint64_t arcs_read = 0;              ///< arcs produced by the file, before canonicalizing
  std::uint64_t self_loops_dropped = 0;     ///< arcs u->u removed
  std::uint64_t duplicate_arcs_merged = 0;  ///< arcs folded into an earlier identical arc
  std::vector<std::string> notes;           ///< things skipped or repaired, one line each
};

/// Per-user attributes an import can carry (docs/graph-import.md, "Regions and communities").
/// An empty vector means the input gave none: every user is domestic, there are no communities.
struct VertexAttributes {
  std::vector<std::uint8_t>
      region;  ///< per vertex: 0 domestic (mainland-registered), 1 international
  std::vector<std::uint32_t> community;  ///< per vertex: community id, below the number of vertices

  [[nodiscard]] bool empty() const { return region.empty() && community.empty(); }
};

namespace detail {

/// Largest vertex count an importer accepts: ids run 0..n-1 and kNoVertex (2^32-1) must stay
/// free as the "no vertex" marker.
inline constexpr std::uint64_t kMaxImportVertices = 0xFFFFFFFEull;

/// Maps original id tokens to 0..n-1 in order of first appearance.
///
/// Lookups dominate imports (two per edge line), and on large graphs each one is a cache miss,
/// so the layout avoids a second miss wherever it can:
/// - canonical decimal integers (SNAP, KONECT ids) index a direct table while the ids are dense
///   enough (values below max(2^24, 8 n)); the first value beyond that moves them all, once,
///   into the hash table;
/// - the hash table stores tokens of up to 8 bytes inline, so a hit needs no label access;
///   longer tokens keep a hash tag and are confirmed against the label.
/// Lookups take a string_view and allocate nothing; only a new vertex stores its label.
class IdMap {
 public:
  explicit IdMap(std::uint64_t max_vertices = kMaxImportVertices) : max_vertices_(max_vertices) {
    slots_.resize(kInitialSlots);
  }

  /// The id of `token`, assigning the next one if unseen; kNoVertex when the map is full.
  VertexId intern(std::string_view token) {
    std::uint64_t value = 0;
    if (dense_mode_ && canonical_integer(token, value)) {
      if (value < dense_.size() || grow_dense(value)) {
        std::uint32_t& entry = dense_[value];
        if (entry != 0) return entry - 1;
        const VertexId id = add_label(token);
        if (id != kNoVertex) entry = id + 1;
        return id;
      }
      leave_dense_mode();
    }
    return intern_hashed(token);
  }

  /// The id of `token` if it was interned, else kNoVertex; never adds a vertex.
  [[nodiscard]] VertexId find(std::string_view token) const {
    std::uint64_t value = 0;
    if (dense_mode_ && canonical_integer(token, value)) {
      // In dense mode every interned canonical integer lives in the direct table.
      return value < dense_.size() ? dense_[value] - 1 : kNoVertex;
    }
    const std::uint64_t key = first_bytes(token);
    const std::uint64_t h = hash(token, key);
    const std::size_t i = probe(token, key, check_of(token, h), h);
    return slots_[i].id_plus1 - 1;  // an empty slot holds 0: kNoVertex
  }

  // Batch numbering of canonical integers, for a caller that numbers many tokens in parallel
  // (sim/edge_list.cpp): while in dense mode, with the table grown first, finding is read-only
  // and may run on many threads; adding is serial, in order of first appearance.

  /// "0" or digits without a leading zero (at most 19), so that "7" and "007" stay different
  /// vertices: such a token's value is its key.
  static bool canonical_integer(std::string_view s, std::uint64_t& value) {
    if (s.empty() || s.size() > 19 || (s[0] == '0' && s.size() > 1)) return false;
    std::uint64_t v = 0;
    for (const char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    value = v;
    return true;
  }
  [[nodiscard]] bool dense_mode() const { return dense_mode_; }
  /// Whether every value up to `max_value` can be looked up in the direct table; grows it if
  /// need be. False when the ids are not (or would no longer be) kept in the direct table.
  bool make_dense_room(std::uint64_t max_value) {
    return dense_mode_ && (max_value < dense_.size() || grow_dense(max_value));
  }
  /// The id of canonical integer `value` (below the table size), or kNoVertex if not interned.
  [[nodiscard]] VertexId find_dense(std::uint64_t value) const { return dense_[value] - 1; }
  /// Interns `token`, whose canonical value is `value` and not yet interned; kNoVertex when full.
  VertexId add_dense(std::uint64_t value, std::string_view token) {
    const VertexId id = add_label(token);
    if (id != kNoVertex) dense_[value] = id + 1;
    return id;
  }

  [[nodiscard]] std::size_t size() const { return labels_.size(); }
  [[nodiscard]] const std::string& label(VertexId v) const { return labels_[v]; }
  std::vector<std::string> take_labels() { return std::move(labels_); }

 private:
  struct Slot {
    std::uint64_t key = 0;       // the token's first 8 bytes, zero-padded
    std::uint32_t id_plus1 = 0;  // 0: empty
    std::uint32_t check = 0;     // length if <= 8 bytes, else kLongToken | hash tag
  };
  static constexpr std::size_t kInitialSlots = std::size_t{1} << 10;
  static constexpr std::uint32_t kLongToken = 0x80000000u;
  static constexpr std::uint64_t kDenseFloor = std::uint64_t{1} << 24;

  bool grow_dense(std::uint64_t value) {
    const std::uint64_t limit = std::max<std::uint64_t>(kDenseFloor, 8 * (labels_.size() + 1));
    if (value >= limit) return false;
    const std::uint64_t wanted = std::max<std::uint64_t>(value + 1, 2 * dense_.size());
    dense_.resize(static_cast<std::size_t>(std::min(wanted, limit)), 0);
    return true;
  }

  void leave_dense_mode() {
    dense_mode_ = false;
    dense_ = {};
    rehash(slots_.size());  // the integer labels now join the hash table
  }

  VertexId add_label(std::string_view token) {
    if (labels_.size() >= max_vertices_) return kNoVertex;
    labels_.emplace_back(token);
    return static_cast<VertexId>(labels_.size() - 1);
  }

  // The slot holding `token`, or the empty slot where it would go.
  std::size_t probe(std::string_view token, std::uint64_t key, std::uint32_t check,
                    std::uint64_t h) const {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(h) & mask;
    for (; slots_[i].id_plus1 != 0; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.check != check || s.key != key) continue;
      if (token.size() <= 8 || labels_[s.id_plus1 - 1] == token) return i;
    }
    return i;
  }

  VertexId intern_hashed(std::string_view token) {
    const std::uint64_t key = first_bytes(token);
    const std::uint64_t h = hash(token, key);
    const std::uint32_t check = check_of(token, h);
    const std::size_t i = probe(token, key, check, h);
    if (slots_[i].id_plus1 != 0) return slots_[i].id_plus1 - 1;
    const VertexId id = add_label(token);
    if (id == kNoVertex) return id;
    slots_[i] = {key, id + 1, check};
    // Keep the load factor at or below 1/2 so probe chains stay short.
    if (++hashed_ * 2 > slots_.size()) rehash(slots_.size() * 2);
    return id;
  }

  static std::uint64_t first_bytes(std::string_view s) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data(), std::min<std::size_t>(s.size(), 8));
    return w;
  }

  static std::uint32_t check_of(std::string_view s, std::uint64_t h) {
    return s.size() <= 8 ? static_cast<std::uint32_t>(s.size())
                         : kLongToken | static_cast<std::uint32_t>(h >> 33);
  }

  // Multiply-xorshift over 8-byte words: ids are short, and a byte-at-a-time hash (std::hash is
  // murmur over bytes) would cost more than the probe.
  static std::uint64_t hash(std::string_view s, std::uint64_t first) {
    constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
    std::uint64_t h = mix(first ^ (s.size() * kMul));
    for (std::size_t at = 8; at < s.size(); at += 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, s.data() + at, std::min<std::size_t>(s.size() - at, 8));
      h = mix(h ^ w);
    }
    return mix(h);
  }
  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 32;
    x *= 0xD6E8FEB86659FD93ull;
    x ^= x >> 32;
    return x;
  }

  // Rebuilds the table from the labels it should hold: all of them, or in dense mode those
  // that are not canonical integers (which live in the direct table).
  void rehash(std::size_t min_slots) {
    std::size_t count = 0;
    std::uint64_t unused = 0;
    for (const std::string& l : labels_) {
      if (!(dense_mode_ && canonical_integer(l, unused))) ++count;
    }
    std::size_t size = std::max(min_slots, kInitialSlots);
    while (count * 2 > size) size *= 2;
    slots_.assign(size, Slot{});
    const std::size_t mask = size - 1;
    for (std::size_t v = 0; v < labels_.size(); ++v) {
      const std::string& l = labels_[v];
      if (dense_mode_ && canonical_integer(l, unused)) continue;
      const std::uint64_t key = first_bytes(l);
      const std::uint64_t h = hash(l, key);
      std::size_t i = static_cast<std::size_t>(h) & mask;
      while (slots_[i].id_plus1 != 0) i = (i + 1) & mask;
      slots_[i] = {key, static_cast<std::uint32_t>(v) + 1, check_of(l, h)};
    }
    hashed_ = count;
  }

  std::uint64_t max_vertices_;
  bool dense_mode_ = true;
  std::vector<std::uint32_t> dense_;  // integer value -> id + 1; 0: unseen
  std::vector<Slot> slots_;
  std::size_t hashed_ = 0;
  std::vector<std::string> labels_;
};

/// A parsed weight, or why it was rejected (phrased for an error message); error is null when
/// valid.
struct WeightParse {
  float value = 0.0f;
  const char* error = nullptr;
  bool is_number = false;  ///< the text is numeric, even if the value was rejected
};

/// Weights must be finite and non-negative: the models treat them as trust or exposure
/// intensities, where a negative or infinite value has no meaning and NaN poisons every sum.
/// Accepts decimal and C99 hexadecimal floats ("0x1.8p+0"), which graph-tool writes so that
/// doubles survive a round trip exactly.
inline WeightParse parse_weight(std::string_view text) {
  WeightParse out;
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t.front() == '+' || t.front() == '-')) {
    negative = t.front() == '-';
    t.remove_prefix(1);  // from_chars rejects '+' and, after '-', a "0x" prefix
  }
  auto format = std::chars_format::general;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    format = std::chars_format::hex;
    t.remove_prefix(2);
  }
  const char* end = t.data() + t.size();
  auto [ptr, ec] = std::from_chars(t.data(), end, out.value, format);
  // A second sign ("+-1", "--1") would otherwise be accepted by from_chars.
  const bool signed_again = !t.empty() && (t.front() == '+' || t.front() == '-');
  if (t.empty() || signed_again || ptr != end ||
      (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
    out.error = "weight is not a number";
    return out;
  }
  out.is_number = true;
  if (negative) out.value = -out.value;
  if (ec == std::errc::result_out_of_range) {
    out.error = "weight is out of the float range";
  } else if (std::isnan(out.value)) {
    out.error = "weight is NaN";
  } else if (std::isinf(out.value)) {
    out.error = "weight is infinite";
  } else if (out.value < 0.0f) {
    out.error = "weight is negative";
  }
  return out;
}

/// A region: 0 or `domestic` (mainland-registered), 1 or `international`; the words in any case.
/// nullopt for anything else (the caller reports kRegionError).
inline std::optional<std::uint8_t> parse_region(std::string_view text) {
  const auto is = [text](std::string_view word) {
    return text.size() == word.size() &&
           std::equal(text.begin(), text.end(), word.begin(), [](char a, char b) {
             return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
           });
  };
  if (text == "0" || is("domestic")) return std::uint8_t{0};
  if (text == "1" || is("international")) return std::uint8_t{1};
  return std::nullopt;
}
inline constexpr const char* kRegionError = "region must be 0, 1, domestic or international";

/// A community id: decimal digits, no sign, below 2^32-1. nullopt otherwise (kCommunityError).
inline std::optional<std::uint32_t> parse_community(std::string_view text) {
  std::uint32_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value == ~std::uint32_t{0}) {
    return std::nullopt;
  }
  return value;
}
inline constexpr const char* kCommunityError = "community must be a non-negative integer";

/// Shortens an offending piece of input for an error message.
/// Control characters, which a terminal would act on (a NUL cuts the message short), are
/// shown as \0 and \xNN; tabs stay.
inline std::string excerpt(std::string_view text, std::size_t max_chars = 80) {
  std::string out;
  for (const char c : text.substr(0, max_chars)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0) {
      out += "\\0";
    } else if ((byte < 0x20 && c != '\t') || byte == 0x7F) {
      out += std::string("\\x") + "0123456789ABCDEF"[byte >> 4] + "0123456789ABCDEF"[byte & 15];
    } else {
      out += c;
    }
  }
  return text.size() <= max_chars ? out : out + "...";
}

/// Longest id an importer accepts: longer is a broken file (a 10 MB line), not an id.
inline constexpr std::size_t kMaxIdBytes = 4096;

/// What is wrong with an id token, or an empty string: a NUL byte (labels are stored as C
/// strings; a UTF-16 file has one in every character) or more than kMaxIdBytes bytes. Ends with
/// the id's start, NUL shown as \0 and other bytes outside printable ASCII as \xNN.
inline std::string id_problem(std::string_view token) {
  const bool nul = token.find('\0') != std::string_view::npos;
  if (!nul && token.size() <= kMaxIdBytes) return {};
  std::string shown;
  for (const char c : token.substr(0, 40)) {
    const auto byte = static_cast<unsigned char>(c);
    shown += byte == 0 ? std::string("\\0")
             : byte < 0x20 || byte >= 0x7F
                 ? std::string("\\x") + "0123456789ABCDEF"[byte >> 4] + "0123456789ABCDEF"[byte & 15]
                 : std::string(1, c);
  }
  if (token.size() > 40) shown += "...";
  if (nul) return "contains a NUL byte: binary data, or UTF-16 text to save as UTF-8 (" + shown + ")";
  return "is " + std::to_string(token.size()) + " bytes long; ids are at most " + std::to_string(kMaxIdBytes) +
         " bytes (" + shown + ")";
}

/// Region and community values collected while a file is read, completed with the documented
/// defaults by finish(): a user without a region is domestic (or takes `region_default`); when
/// some users have a community, those without one form community max+1 (or take
/// `community_default`). Community ids must stay below the number of vertices, which bounds the
/// per-community statistics the engine keeps.
class AttributeCollector {
 public:
  /// `file` and `noun` name a vertex in errors (`FILE:LINE: node 'a': ...`); the sources say in
  /// the notes where the values came from (`node attribute 'region'`, a node table's path).
  AttributeCollector(std::string file, std::string noun, std::string region_source,
                     std::string community_source)
      : file_(std::move(file)),
        noun_(std::move(noun)),
        region_source_(std::move(region_source)),
        community_source_(std::move(community_source)) {}

  /// Sets the region of `v`; false if it already has one.
  bool set_region(VertexId v, std::uint8_t region) {
    if (region_.size() <= v) region_.resize(std::size_t{v} + 1, kUnsetRegion);
    if (region_[v] != kUnsetRegion) return false;
    region_[v] = region;
    ++regions_set_;
    international_ += region;
    return true;
  }

  /// Sets the community of `v`, read at `line`; false if it already has one.
  bool set_community(VertexId v, std::uint32_t community, std::uint64_t line) {
    if (community_.size() <= v) community_.resize(std::size_t{v} + 1, kUnsetCommunity);
    if (community_[v] != kUnsetCommunity) return false;
    community_[v] = community;
    if (communities_set_ == 0 || community > max_community_) {
      max_community_ = community;
      max_line_ = line;
      max_vertex_ = v;
    }
    ++communities_set_;
    return true;
  }

  std::optional<std::uint8_t> region_default;      ///< for users without a region
  std::optional<std::uint32_t> community_default;  ///< for users without a community

  /// The values of the `n` vertices, defaults applied, with one note per attribute given.
  /// @throws InputError naming the file, line and vertex of a community id not below `n`.
  VertexAttributes finish(VertexId n, const IdMap& ids, std::vector<std::string>& notes) {
    VertexAttributes out;
    const auto plural = [](std::uint64_t count, const char* one, const char* many) {
      return std::to_string(count) + " " + (count == 1 ? one : many);
    };
    if (regions_set_ > 0 || region_default) {
      region_.resize(n, kUnsetRegion);
      const std::uint8_t fill = region_default.value_or(0);
      for (std::uint8_t& r : region_) {
        if (r == kUnsetRegion) r = fill;
      }
      std::string note = "region for " + std::to_string(regions_set_) + " of " +
                         plural(n, "user", "users") + " from " + region_source_ + " (" +
                         std::to_string(international_) + " international)";
      if (const std::uint64_t rest = n - regions_set_; rest > 0) {
        note += "; the other " + std::to_string(rest) +
                (region_default ? std::string(" take the key's <default>, ") +
                                      (fill != 0 ? "international" : "domestic")
                                : std::string(rest == 1 ? " is domestic" : " are domestic"));
      }
      notes.push_back(std::move(note));
      out.region = std::move(region_);
    }
    if (communities_set_ > 0 || community_default) {
      std::string note = "community for " + std::to_string(communities_set_) + " of " +
                         plural(n, "user", "users") + " from " + community_source_;
      if (communities_set_ > 0) {
        if (max_community_ >= n) {
          throw InputError(file_ + ":" + std::to_string(max_line_) + ": " + noun_ + " '" +
                           excerpt(ids.label(max_vertex_)) + "': community " +
                           std::to_string(max_community_) + " is not below the number of users (" +
                           std::to_string(n) + "); number communities from 0");
        }
        std::vector<bool> used(std::size_t{max_community_} + 1, false);
        std::uint64_t in_use = 0;
        for (const std::uint32_t c : community_) {
          if (c != kUnsetCommunity && !used[c]) {
            used[c] = true;
            ++in_use;
          }
        }
        note += " (ids 0.." + std::to_string(max_community_) + ", " + std::to_string(in_use) +
                " in use)";
      }
      community_.resize(n, kUnsetCommunity);
      const std::uint32_t fill =
          community_default.value_or(communities_set_ > 0 ? max_community_ + 1 : 0);
      for (std::uint32_t& c : community_) {
        if (c == kUnsetCommunity) c = fill;
      }
      if (const std::uint64_t rest = n - communities_set_; rest > 0) {
        note += "; the other " + std::to_string(rest) +
                (community_default ? " take the key's <default>, "
                                   : (rest == 1 ? " forms community " : " form community ")) +
                std::to_string(fill);
      }
      notes.push_back(std::move(note));
      out.community = std::move(community_);
    }
    return out;
  }

 private:
  static constexpr std::uint8_t kUnsetRegion = 0xFF;
  static constexpr std::uint32_t kUnsetCommunity = ~std::uint32_t{0};

  std::string file_, noun_, region_source_, community_source_;
  std::vector<std::uint8_t> region_;
  std::vector<std::uint32_t> community_;
  std::uint64_t regions_set_ = 0;
  std::uint64_t international_ = 0;
  std::uint64_t communities_set_ = 0;
  std::uint32_t max_community_ = 0;
  std::uint64_t max_line_ = 0;
  VertexId max_vertex_ = 0;
};

}  // namespace detail
}  // namespace softpower
