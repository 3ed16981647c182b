// Sweep parsing and expansion. Points are a pure function of the `sweep:` block and the base
// seed: list values are taken as written, linear ranges are computed in exact decimal arithmetic,
// Latin-hypercube samples are counter-based draws (Purpose::kSweepSample) keyed by the base
// seed, so every machine, shard and rank expands a sweep to the same points.
#include "sim/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "sim/error.hpp"
#include "sim/rng.hpp"
#include "sim/schema.hpp"
#include "softpower/version.hpp"

namespace softpower {
namespace {

constexpr std::uint64_t kMaxPoints = 10'000'000;
constexpr std::uint64_t kMaxReplicates = std::uint64_t{1} << 40;  // as top-level `runs`
constexpr std::int64_t kExactInteger = std::int64_t{1} << 53;     // integers exact in a double

struct SweepOptions {
  std::string combine = "factorial";
  std::uint64_t replicates = 0;  // 0: not given, the scenario's `runs`
  std::string seeds = "independent";
  std::uint64_t samples = 0;  // 0: not given
};

const Schema<SweepOptions>& options_schema() {
  static const auto schema =
      Schema<SweepOptions>{}
          .choice("combine", &SweepOptions::combine, {"factorial", "zip"},
                  "factorial: every combination of the axes' values; zip: point i takes the i-th "
                  "value of every axis (all of one length).")
          .number("replicates", &SweepOptions::replicates, std::uint64_t{1}, kMaxReplicates,
                  "Runs per point. Default: the scenario's `runs`.")
          .choice("seeds", &SweepOptions::seeds, {"independent", "common"},
                  "independent: run r's random streams are keyed by (seed, r); common: by (seed, "
                  "replicate), so replicate k sees the same random numbers at every point.")
          .number("samples", &SweepOptions::samples, std::uint64_t{1}, kMaxPoints,
                  "Latin-hypercube points; required when an axis is sampled, an error otherwise.");
  return schema;
}

YAML::Node scalar(const std::string& text) { return YAML::Node(text); }

// ---------------------------------------------------------------------------------------------
// Numbers of range and sample specs.

// A decimal read exactly from its text: value = digits * 10^exponent ("-0.25" is -25, -2).
struct Decimal {
  std::int64_t digits = 0;
  int exponent = 0;
};

// Plain decimal notation with an optional exponent ("12", "-0.25", "1e-3"); nullopt for
// anything else (".inf", hex) and for more than 17 significant digits.
std::optional<Decimal> exact_decimal(std::string_view text) {
  std::size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) ++i;
  Decimal d;
  bool any_digit = false;
  bool point = false;
  int significant = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if ((d.digits != 0 || c != '0') && ++significant > 17) return std::nullopt;
    d.digits = d.digits * 10 + (c - '0');
    if (point) --d.exponent;
  }
  if (!any_digit) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && text[i] == '+') ++i;
    int e = 0;
    const auto r = std::from_chars(text.data() + i, text.data() + text.size(), e);
    if (r.ec != std::errc() || r.ptr == text.data() + i || e < -30 || e > 30) return std::nullopt;
    i = static_cast<std::size_t>(r.ptr - text.data());
    d.exponent += e;
  }
  if (i != text.size()) return std::nullopt;
  if (negative) d.digits = -d.digits;
  return d;
}

// digits * 10^(exponent - to) as an integer of at most 2^53, or nullopt.
std::optional<std::int64_t> scaled_to(const Decimal& d, int to) {
  std::int64_t v = d.digits;
  for (int e = d.exponent; e > to; --e) {
    if (v > kExactInteger / 10 || v < -kExactInteger / 10) return std::nullopt;
    v *= 10;
  }
  if (v > kExactInteger || v < -kExactInteger) return std::nullopt;
  return v;
}

// A number of a spec, with the text it was written as.
struct Number {
  double value = 0;
  std::string text;
};

Number read_number(const YamlOrigin& origin, const YAML::Node& node, const std::string& path,
                   const std::string& key) {
  if (!node.IsScalar()) schema_error(origin, node, path, key + ": expected a number");
  const std::string& s = node.Scalar();
  const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  double value = 0;
  const auto r = std::from_chars(begin, s.data() + s.size(), value);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(value)) {
    schema_error(origin, node, path, fmt::format("{}: expected a number, got '{}'", key, s));
  }
  return {value, s};
}

std::uint64_t read_count(const YamlOrigin& origin, const YAML::Node& node,
                         const std::string& path) {
  const Number n = read_number(origin, node, path, "count");
  if (n.value != std::floor(n.value)) {
    schema_error(origin, node, path, fmt::format("count: expected an integer, got '{}'", n.text));
  }
  if (n.value < 1) {
    schema_error(origin, node, path, fmt::format("count must be at least 1, got {}", n.text));
  }
  if (n.value > static_cast<double>(kMaxPoints)) {
    schema_error(origin, node, path,
                 fmt::format("count {} is above the limit of {} values", n.text, kMaxPoints));
  }
  return static_cast<std::uint64_t>(n.value);
}

// Which keys a spec mapping may have; any other is an error.
void check_keys(const YamlOrigin& origin, const YAML::Node& spec, const std::string& path,
                const std::vector<std::string>& known, const char* what) {
  for (const auto& kv : spec) {
    const std::string key = key_text(origin, kv.first, path);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      schema_error(origin, kv.first, path,
                   fmt::format("unknown key '{}' in {} (known keys: {})", key, what, list));
    }
  }
}

std::string read_choice(const YamlOrigin& origin, const YAML::Node& node, const std::string& path,
                        const std::string& key, const std::vector<std::string>& choices) {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  if (!node.IsScalar() ||
      std::find(choices.begin(), choices.end(), node.Scalar()) == choices.end()) {
    schema_error(origin, node, path, fmt::format("{}: expected one of: {}", key, list));
  }
  return node.Scalar();
}

// ---------------------------------------------------------------------------------------------
// Ranges.

struct Range {
  Number from;
  Number to;
  std::optional<Number> step;  // by step, or by count
  std::uint64_t count = 0;
  bool log = false;
};

// Linear ranges with short decimal bounds, computed exactly: each value is the double nearest
// the exact value (a quotient of two integers exact in doubles, rounded once by the division),
// so {from: 0, to: 1, step: 0.1} gives 0.3, not 0.30000000000000004. nullopt when the bounds
// are not short decimals; the caller then uses plain double arithmetic.
std::optional<std::vector<YAML::Node>> exact_linear(const Range& r, const YamlOrigin& origin,
                                                    const YAML::Node& node,
                                                    const std::string& path) {
  const auto from = exact_decimal(r.from.text);
  const auto to = exact_decimal(r.to.text);
  const auto step = r.step ? exact_decimal(r.step->text) : std::optional<Decimal>(Decimal{});
  if (!from || !to || !step) return std::nullopt;
  const int exponent = std::min({from->exponent, to->exponent, r.step ? step->exponent : 0, 0});
  if (exponent < -22) return std::nullopt;  // 10^22 is the largest power of ten exact in a double
  const auto f = scaled_to(*from, exponent);
  const auto t = scaled_to(*to, exponent);
  const auto s = scaled_to(*step, exponent);
  if (!f || !t || !s) return std::nullopt;
  double unit = 1;  // 10^-exponent
  for (int e = exponent; e < 0; ++e) unit *= 10;

  std::vector<YAML::Node> values;
  if (r.step) {
    const std::uint64_t n = static_cast<std::uint64_t>((*t - *f) / *s) + 1;
    if (n > kMaxPoints) {
      schema_error(origin, node, path,
                   fmt::format("the range has {} values, above the limit of {}", n, kMaxPoints));
    }
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::int64_t v = *f + static_cast<std::int64_t>(i) * *s;  // between from and to
      values.push_back(
          scalar(exponent == 0 ? std::to_string(v) : format_number(static_cast<double>(v) / unit)));
    }
    return values;
  }
  // value i = (f * m + i * (t - f)) / (m * unit), m = count - 1.
  const std::int64_t m = static_cast<std::int64_t>(r.count) - 1;
  const std::int64_t span = *t - *f;
  if (exponent == 0 && (m == 0 || span % m == 0)) {
    for (std::int64_t i = 0; i <= m; ++i) {
      values.push_back(scalar(std::to_string(*f + i * (m == 0 ? 0 : span / m))));
    }
    return values;
  }
  if (m == 0) return std::vector<YAML::Node>{scalar(format_number(static_cast<double>(*f) / unit))};
  const auto limit = static_cast<double>(kExactInteger);
  const double denominator = static_cast<double>(m) * unit;
  if (denominator > limit || std::fabs(static_cast<double>(*f) * static_cast<double>(m)) > limit ||
      std::fabs(static_cast<double>(*t) * static_cast<double>(m)) > limit) {
    return std::nullopt;
  }
  for (std::int64_t i = 0; i <= m; ++i) {
    const std::int64_t numerator = *f * m + i * span;  // between f * m and t * m
    values.push_back(scalar(format_number(static_cast<double>(numerator) / denominator)));
  }
  return values;
}

std::vector<YAML::Node> range_values(const Range& r, const YamlOrigin& origin,
                                     const YAML::Node& node, const std::string& path) {
  if (r.log) {
    // Geometric spacing; rounded to 15 significant digits so that decades come out as 0.01.
    std::vector<YAML::Node> values{scalar(format_number(r.from.value))};
    const double lo = std::log(r.from.value);
    const double hi = std::log(r.to.value);
    const auto m = static_cast<double>(r.count - 1);
    for (std::uint64_t i = 1; i + 1 < r.count; ++i) {
      const double v = std::exp(lo + static_cast<double>(i) * (hi - lo) / m);
      values.push_back(scalar(format_number(std::stod(fmt::format("{:.15g}", v)))));
    }
    if (r.count > 1) values.push_back(scalar(format_number(r.to.value)));
    return values;
  }
  if (auto exact = exact_linear(r, origin, node, path)) return std::move(*exact);

  // Plain doubles (bounds such as 1e300 or 0.1234567890123456789).
  std::vector<YAML::Node> values;
  const double from = r.from.value;
  const double to = r.to.value;
  if (r.step) {
    const double step = r.step->value;
    const double steps = std::floor((to - from) / step + 1e-9);
    if (!(steps < static_cast<double>(kMaxPoints))) {
      schema_error(origin, node, path,
                   fmt::format("the range has more than {} values", kMaxPoints));
    }
    const auto n = static_cast<std::uint64_t>(steps) + 1;
    for (std::uint64_t i = 0; i < n; ++i) {
      double v = from + static_cast<double>(i) * step;
      if (i + 1 == n && std::fabs(v - to) <= 1e-9 * std::fabs(step)) v = to;
      values.push_back(scalar(format_number(v)));
    }
    return values;
  }
  for (std::uint64_t i = 0; i < r.count; ++i) {
    const double v = i == 0             ? from
                     : i + 1 == r.count ? to
                                        : from + static_cast<double>(i) * (to - from) /
                                                     static_cast<double>(r.count - 1);
    values.push_back(scalar(format_number(v)));
  }
  return values;
}

std::vector<YAML::Node> parse_range(const YamlOrigin& origin, const YAML::Node& spec,
                                    const std::string& path) {
  check_keys(origin, spec, path, {"from", "to", "count", "step", "scale"}, "a range");
  if (!spec["from"] || !spec["to"]) {
    schema_error(origin, spec, path, "a range needs both from and to");
  }
  Range r;
  r.from = read_number(origin, spec["from"], path, "from");
  r.to = read_number(origin, spec["to"], path, "to");
  if (spec["scale"]) {
    r.log = read_choice(origin, spec["scale"], path, "scale", {"linear", "log"}) == "log";
  }
  if (spec["count"] && spec["step"]) {
    schema_error(origin, spec["step"], path, "give count or step, not both");
  }
  if (!spec["count"] && !spec["step"]) {
    schema_error(origin, spec, path, "a range needs count or step");
  }
  if (spec["count"]) r.count = read_count(origin, spec["count"], path);
  if (spec["step"]) {
    r.step = read_number(origin, spec["step"], path, "step");
    const double step = r.step->value;
    if (r.log) schema_error(origin, spec["step"], path, "scale: log takes count, not step");
    if (step == 0) schema_error(origin, spec["step"], path, "step must not be 0");
    if (step > 0 && r.from.value > r.to.value) {
      schema_error(
          origin, spec["step"], path,
          fmt::format(
              "from {} is above to {} with a positive step {} (a negative step counts down)",
              r.from.text, r.to.text, r.step->text));
    }
    if (step < 0 && r.from.value < r.to.value) {
      schema_error(origin, spec["step"], path,
                   fmt::format("from {} is below to {} with a negative step {}", r.from.text,
                               r.to.text, r.step->text));
    }
  }
  if (r.log && (r.from.value <= 0 || r.to.value <= 0)) {
    schema_error(
        origin, spec, path,
        fmt::format("scale: log needs from and to above 0, got {} and {}", r.from.text, r.to.text));
  }
  return range_values(r, origin, spec, path);
}

// ---------------------------------------------------------------------------------------------
// Latin-hypercube samples.

struct Sampled {
  double low = 0;
  double high = 0;
  bool log = false;
  bool integer = false;
};

Sampled parse_sample(const YamlOrigin& origin, const YAML::Node& spec, const std::string& path) {
  check_keys(origin, spec, path, {"sample", "low", "high", "scale", "integer"}, "a sample");
  (void)read_choice(origin, spec["sample"], path, "sample", {"latin_hypercube"});
  if (!spec["low"] || !spec["high"]) {
    schema_error(origin, spec, path, "a sample needs both low and high");
  }
  const Number low = read_number(origin, spec["low"], path, "low");
  const Number high = read_number(origin, spec["high"], path, "high");
  Sampled s{.low = low.value, .high = high.value};
  if (spec["scale"]) {
    s.log = read_choice(origin, spec["scale"], path, "scale", {"linear", "log"}) == "log";
  }
  if (const YAML::Node integer = spec["integer"]) {
    bool flag = false;
    if (!integer.IsScalar() || !YAML::convert<bool>::decode(integer, flag)) {
      schema_error(origin, integer, path, "integer: expected true or false");
    }
    s.integer = flag;
  }
  if (s.low > s.high) {
    schema_error(origin, spec["low"], path,
                 fmt::format("low {} is above high {}", low.text, high.text));
  }
  if (s.log && s.low <= 0) {
    schema_error(origin, spec["low"], path,
                 fmt::format("scale: log needs low above 0, got {}", low.text));
  }
  if (s.integer) {
    if (s.log) schema_error(origin, spec["integer"], path, "integer: true needs a linear scale");
    const auto exact = static_cast<double>(kExactInteger);
    for (const auto& [bound, n] : {std::pair{"low", low}, std::pair{"high", high}}) {
      if (n.value != std::floor(n.value) || std::fabs(n.value) > exact) {
        schema_error(origin, spec[bound], path,
                     fmt::format("integer: true needs integer bounds, got {} {}", bound, n.text));
      }
    }
  }
  return s;
}

// Sample i of the a-th sampled axis: stratum perm_a[i] of `samples` equal strata of [low, high],
// at a uniform offset inside it.
std::vector<YAML::Node> latin_hypercube(const Sampled& s, std::uint64_t a, std::uint64_t samples,
                                        std::uint64_t seed) {
  const CounterRng rng(seed, 0);
  std::vector<std::uint64_t> perm(samples);
  std::iota(perm.begin(), perm.end(), std::uint64_t{0});
  for (std::uint64_t j = samples; j-- > 1;) {  // Fisher-Yates
    const auto k =
        std::min(j, static_cast<std::uint64_t>(rng.uniform(Purpose::kSweepSample, a, j, 0) *
                                               static_cast<double>(j + 1)));
    std::swap(perm[j], perm[k]);
  }
  std::vector<YAML::Node> values;
  values.reserve(samples);
  for (std::uint64_t i = 0; i < samples; ++i) {
    const double x = (static_cast<double>(perm[i]) + rng.uniform(Purpose::kSweepSample, a, i, 1)) /
                     static_cast<double>(samples);
    if (s.integer) {
      const double v = std::min(s.high, std::floor(s.low + (s.high - s.low + 1) * x));
      values.push_back(scalar(std::to_string(static_cast<std::int64_t>(v))));
    } else if (s.log) {
      const double lo = std::log(s.low);
      const double v = std::exp(lo + (std::log(s.high) - lo) * x);
      values.push_back(scalar(format_number(std::clamp(v, s.low, s.high))));
    } else {
      values.push_back(
          scalar(format_number(std::clamp(s.low + (s.high - s.low) * x, s.low, s.high))));
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Axes.

// Why a key cannot be swept.
const char* forbidden_reason(const std::string& first_key) {
  if (first_key == "name" || first_key == "description") {
    return "a sweep has one name and description";
  }
  if (first_key == "seed") {
    return "the base seed is that of the whole sweep (sweep.seeds and sweep.replicates choose the "
           "runs' streams)";
  }
  if (first_key == "runs") return "sweep.replicates sets the runs of each point";
  if (first_key == "sweep") return "a sweep cannot sweep its own keys";
  return nullptr;
}

// The path runs through maps of the scenario, not through a value ("seed.x", "graph.n.x").
void check_path_in(const YAML::Node& source, const std::vector<std::string>& keys,
                   const YamlOrigin& origin, const YAML::Node& key_node, const std::string& path) {
  if (!source.IsDefined() || source.IsNull()) return;
  YAML::Node node = source;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    const YAML::Node child = std::as_const(node)[keys[i]];
    if (!child.IsDefined() || child.IsNull()) return;
    if (!child.IsMap()) {
      schema_error(origin, key_node, path, fmt::format("'{}' is a value, not a section", keys[i]));
    }
    node.reset(child);
  }
}

struct ParsedAxis {
  SweepAxis axis;
  YAML::Node key_node;
  std::optional<Sampled> sample;
};

ParsedAxis parse_axis(const Scenario& scenario, const YAML::Node& key_node,
                      const YAML::Node& value) {
  const YamlOrigin& origin = scenario.origin;
  if (!key_node.IsScalar()) {
    schema_error(origin, key_node, "sweep.axes", "an axis is named by a key path such as graph.n");
  }
  ParsedAxis parsed;
  parsed.key_node = key_node;
  SweepAxis& axis = parsed.axis;
  axis.path = key_node.Scalar();
  const std::string path = "sweep.axes." + axis.path;
  axis.where = yaml_location(origin, key_node, path);
  if (axis.path.empty() || axis.path.front() == '.' || axis.path.back() == '.' ||
      axis.path.find("..") != std::string::npos) {
    schema_error(origin, key_node, path, fmt::format("empty key in '{}'", axis.path));
  }
  const std::vector<std::string> keys = split_key_path(axis.path, path);
  if (const char* reason = forbidden_reason(keys.front())) {
    schema_error(origin, key_node, path,
                 fmt::format("'{}' cannot be swept: {}", axis.path, reason));
  }
  check_path_in(scenario.source, keys, origin, key_node, path);

  if (value.IsSequence()) {
    if (value.size() == 0) schema_error(origin, value, path, "an axis needs at least one value");
    if (value.size() > kMaxPoints) {
      schema_error(origin, value, path, fmt::format("more than {} values", kMaxPoints));
    }
    for (const auto& v : value) axis.levels.push_back(v);
  } else if (value.IsMap() && value["sample"]) {
    parsed.sample = parse_sample(origin, value, path);
    axis.sampled = true;
  } else if (value.IsMap() && (value["from"] || value["to"])) {
    axis.levels = parse_range(origin, value, path);
  } else {
    schema_error(
        origin, value, path,
        "expected a list of values, a range {from, to, count or step} or a sample "
        "{sample: latin_hypercube, low, high} (a mapping to sweep as a value goes inside a list)");
  }
  return parsed;
}

// One factor of the expansion: a list or range axis, or every sampled axis together.
struct Factor {
  std::vector<std::size_t> axes;
  std::uint64_t length = 0;
};

std::string factor_name(const Sweep& sweep, const Factor& f) {
  if (sweep.axes[f.axes.front()].sampled) {
    return fmt::format("the sampled axes ({} samples)", f.length);
  }
  return fmt::format("'{}' ({} values)", sweep.axes[f.axes.front()].path, f.length);
}

}  // namespace

Sweep expand_sweep(const Scenario& scenario) {
  Sweep sweep;
  sweep.replicates = scenario.runs;
  const YAML::Node& node = scenario.sweep_node;
  if (!node.IsDefined() || node.IsNull()) {
    sweep.points.emplace_back();
    return sweep;
  }
  const YamlOrigin& origin = scenario.origin;
  if (!node.IsMap()) schema_error(origin, node, "sweep", "expected a mapping with at least `axes`");

  SweepOptions options;
  for (const auto& kv : node) {
    const std::string key = key_text(origin, kv.first, "sweep");
    if (key == "axes") continue;
    if (!options_schema().has(key)) {
      schema_error(origin, kv.first, "sweep." + key,
                   "unknown key (known keys: axes, " + options_schema().known_keys() + ")");
    }
    YAML::Node one(YAML::NodeType::Map);
    one[key] = kv.second;
    options_schema().parse(options, one, origin, "sweep");
  }
  sweep.zip = options.combine == "zip";
  if (options.replicates != 0) sweep.replicates = options.replicates;
  sweep.seeds = options.seeds == "common" ? SweepSeeds::kCommon : SweepSeeds::kIndependent;
  sweep.samples = options.samples;

  const YAML::Node axes = node["axes"];
  if (!axes) schema_error(origin, node, "sweep.axes", "missing: a sweep needs at least one axis");
  if (!axes.IsMap() || axes.size() == 0) {
    schema_error(origin, axes, "sweep.axes",
                 "expected a mapping of key paths to values, with at least one axis");
  }
  std::vector<ParsedAxis> parsed;
  for (const auto& kv : axes) {
    ParsedAxis axis = parse_axis(scenario, kv.first, kv.second);
    const std::string path = "sweep.axes." + axis.axis.path;
    for (const ParsedAxis& other : parsed) {
      const std::string& a = other.axis.path;
      const std::string& b = axis.axis.path;
      if (a == b) {
        schema_error(origin, kv.first, path,
                     fmt::format("axis listed twice (first at {})", other.axis.where));
      }
      const std::string& outer = a.size() < b.size() ? a : b;
      const std::string& inner = a.size() < b.size() ? b : a;
      if (inner.compare(0, outer.size(), outer) == 0 && inner[outer.size()] == '.') {
        schema_error(origin, kv.first, path,
                     fmt::format("'{}' is inside axis '{}' ({}): sweep one or the other", inner,
                                 outer, other.axis.where));
      }
    }
    parsed.push_back(std::move(axis));
  }

  // Samples, then the factors in the order the axes are listed.
  const auto first_sampled = std::find_if(parsed.begin(), parsed.end(),
                                          [](const ParsedAxis& a) { return a.sample.has_value(); });
  if (first_sampled != parsed.end() && sweep.samples == 0) {
    schema_error(origin, first_sampled->key_node, "sweep.axes." + first_sampled->axis.path,
                 "a sampled axis needs sweep.samples, the number of Latin-hypercube points");
  }
  if (first_sampled == parsed.end() && sweep.samples != 0) {
    schema_error(origin, node["samples"], "sweep.samples",
                 "given, but no axis is sampled (sample: latin_hypercube)");
  }
  std::vector<Factor> factors;
  std::uint64_t sampled_index = 0;
  std::optional<std::size_t> sampled_factor;
  for (std::size_t a = 0; a < parsed.size(); ++a) {
    ParsedAxis& p = parsed[a];
    if (p.sample) {
      p.axis.levels = latin_hypercube(*p.sample, sampled_index++, sweep.samples, scenario.seed);
      if (!sampled_factor) {
        sampled_factor = factors.size();
        factors.push_back({{}, sweep.samples});
      }
      factors[*sampled_factor].axes.push_back(a);
    } else {
      factors.push_back({{a}, p.axis.levels.size()});
    }
    sweep.axes.push_back(p.axis);
  }

  std::uint64_t num_points = 1;
  if (sweep.zip) {
    num_points = factors.front().length;
    for (const Factor& f : factors) {
      if (f.length != num_points) {
        schema_error(origin, parsed[f.axes.front()].key_node,
                     "sweep.axes." + sweep.axes[f.axes.front()].path,
                     fmt::format("combine: zip needs axes of one length, but {} and {} differ",
                                 factor_name(sweep, factors.front()), factor_name(sweep, f)));
      }
    }
  } else {
    std::string sizes;
    bool too_many = false;
    for (const Factor& f : factors) {
      sizes += (sizes.empty() ? "" : " x ") + std::to_string(f.length);
      too_many = too_many || num_points > kMaxPoints / f.length;
      if (!too_many) num_points *= f.length;
    }
    if (too_many || num_points > kMaxPoints) {
      schema_error(origin, axes, "sweep.axes",
                   fmt::format("{} points is above the limit of {}", sizes, kMaxPoints));
    }
  }

  sweep.points.assign(num_points, std::vector<YAML::Node>(sweep.axes.size()));
  for (std::uint64_t p = 0; p < num_points; ++p) {
    std::uint64_t rest = p;  // factorial: mixed radix, the last factor fastest
    for (std::size_t f = factors.size(); f-- > 0;) {
      const std::uint64_t i = sweep.zip ? p : rest % factors[f].length;
      rest /= factors[f].length;
      for (std::size_t a : factors[f].axes) sweep.points[p][a] = sweep.axes[a].levels[i];
    }
  }

  YAML::Emitter out;
  out << node;
  sweep.text = std::string(out.c_str()) + "\n";
  return sweep;
}

Scenario scenario_at_point(const Scenario& scenario, const Sweep& sweep, std::uint64_t point) {
  if (point >= sweep.num_points()) {
    throw std::out_of_range(
        fmt::format("sweep point {} of a sweep of {} points", point, sweep.num_points()));
  }
  YamlOrigin origin = scenario.origin;
  // Path copies: the maps on each axis' path are new, every other subtree is shared, unchanged,
  // with scenario.source, and keeps its line numbers for messages.
  YAML::Node root = scenario.source.IsDefined() && !scenario.source.IsNull()
                        ? scenario.source
                        : YAML::Node(YAML::NodeType::Map);
  for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
    const SweepAxis& axis = sweep.axes[a];
    const YAML::Node& value = sweep.points[point][a];
    const std::string where = fmt::format("sweep.axes.{} ({}), point {}, value {}", axis.path,
                                          axis.where, point, sweep_value_text(value));
    // The axis replaces what --set put at or under its path.
    std::erase_if(origin.overrides, [&](const auto& entry) {
      return entry.first == axis.path || entry.first.rfind(axis.path + ".", 0) == 0;
    });
    origin.overrides[axis.path] = where;
    root.reset(
        set_key_path(root, split_key_path(axis.path, where), YAML::Clone(value), where, true));
  }
  root.reset(set_key_path(root, {"runs"}, scalar(std::to_string(sweep.replicates)), "sweep", true));
  return parse_scenario_tree(root, origin, scenario.base_dir);
}

bool sweep_changes_graph(const Sweep& sweep) {
  return std::any_of(sweep.axes.begin(), sweep.axes.end(), [](const SweepAxis& axis) {
    for (const std::string section : {"graph", "institution"}) {
      if (axis.path == section || axis.path.rfind(section + ".", 0) == 0) return true;
    }
    return false;
  });
}

// FNV-1a, 64 bits, over bytes; integers as 8 little-endian bytes, strings length-prefixed, so
// the fingerprint is the same on every platform and no two field sequences run together.
std::string sweep_fingerprint(const Scenario& scenario, const Sweep& sweep,
                              const std::vector<std::string>& point_yaml) {
  if (point_yaml.size() != sweep.num_points()) {
    throw std::invalid_argument(fmt::format("sweep_fingerprint: {} point texts for {} points",
                                            point_yaml.size(), sweep.num_points()));
  }
  std::uint64_t h = 0xcbf29ce484222325ULL;
  const auto byte = [&h](unsigned char b) {
    h ^= b;
    h *= 0x100000001b3ULL;
  };
  const auto integer = [&byte](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(v >> (8 * i)));
  };
  const auto text = [&](std::string_view s) {
    integer(s.size());
    for (const char c : s) byte(static_cast<unsigned char>(c));
  };
  text(kVersion);
  integer(scenario.seed);
  integer(point_yaml.size());
  for (const std::string& yaml : point_yaml) text(yaml);
  integer(sweep.replicates);
  integer(sweep.seeds == SweepSeeds::kCommon ? 1 : 0);
  return fmt::format("{:016x}", h);
}

std::string sweep_value_text(const YAML::Node& value) {
  if (value.IsScalar()) return value.Scalar();
  YAML::Node flow = YAML::Clone(value);
  flow.SetStyle(YAML::EmitterStyle::Flow);
  YAML::Emitter out;
  out << flow;
  return out.c_str();
}

std::string sweep_docs() {
  std::vector<FieldDoc> docs{{"axes", "mapping", "(required)", "at least one axis",
                              "Scenario key path (dot-separated, as in `--set`) -> its values: a "
                              "list, a range or a sample (below)."}};
  for (FieldDoc d : options_schema().docs()) {
    if (d.key == "replicates") d.default_value = "runs";
    if (d.key == "samples") d.default_value = "none";
    docs.push_back(std::move(d));
  }
  return "### `sweep`\n\n"
         "An optional block that turns the scenario into a set of points, each run `replicates` "
         "times:\n\n"
         "```yaml\n"
         "sweep:\n"
         "  combine: factorial     # or zip\n"
         "  replicates: 20         # runs per point (default: runs)\n"
         "  seeds: independent     # or common\n"
         "  samples: 16            # Latin-hypercube points, for sampled axes\n"
         "  axes:\n"
         "    strategy.articles_per_push: [1, 2, 4]\n"
         "    censorship.strength: {from: 0, to: 1, count: 5}             # 0, 0.25, 0.5, 0.75, 1\n"
         "    time.step_hours: {from: 1, to: 4, step: 1}                  # 1, 2, 3, 4\n"
         "    graph.mean_degree: {from: 1, to: 100, count: 3, scale: log} # 1, 10, 100\n"
         "    diffusion.share_probability: {sample: latin_hypercube, low: 0.02, high: 0.05}\n"
         "    strategy: [{model: posting}, {model: fixed_schedule, hours: [9, 33]}]  # whole "
         "sections\n"
         "```\n\n" +
         docs_table(docs, "sweep") +
         "\n"
         "- Values of an axis. On the command line, `--set sweep.axes.KEY.PATH=VALUES` sets the "
         "whole axis "
         "`KEY.PATH`. A list: its elements in order, each any YAML, so a list of mappings "
         "sweeps whole sections (outside a list, a mapping must be a range or a sample). "
         "`{from, to, count}`: `count` evenly spaced values, both ends included (`count: 1` gives "
         "`from`). "
         "`{from, to, step}`: `from`, `from + step`, ... up to `to`, included when reached (within "
         "1e-9 steps); "
         "a negative step counts down. Linear values are computed exactly in decimal "
         "(`step: 0.1` gives 0.3, not 0.30000000000000004) and are integers when `from`, `to` and "
         "the spacing are. "
         "`scale: log` (with `count`, `from` and `to` above 0) spaces the values geometrically, "
         "rounded to 15 significant digits. "
         "`{sample: latin_hypercube, low, high}` makes a sampled axis, with optional `scale: log` "
         "(`low` above 0) "
         "or `integer: true` (integer bounds).\n"
         "- Latin hypercube. The sampled axes together are one factor of `samples` points. Sample "
         "i of the "
         "a-th sampled axis is low + (high - low) (p_a(i) + u_a,i) / samples, with p_a a random "
         "permutation "
         "of 0 .. samples - 1 (Fisher-Yates) and u_a,i uniform in [0, 1), counter-based draws "
         "keyed by the "
         "scenario's `seed`: each axis has one sample in each of the `samples` equal strata of "
         "[low, high], and "
         "the same seed gives the same samples everywhere. `scale: log` does the same between "
         "log(low) and "
         "log(high); `integer: true` takes floor(low + (high - low + 1) (p_a(i) + u_a,i) / "
         "samples), at most high.\n"
         "- Points. `combine: factorial`: every combination of the factors (each list or range "
         "axis, and the "
         "sampled axes together, placed where the first of them is listed), the first listed "
         "varying slowest. "
         "`combine: zip`: point i takes the i-th value of every factor, all of one length. At most "
         "10,000,000 points.\n"
         "- Runs. Point p is the scenario with each axis' value set at its key path (creating "
         "sections "
         "as `--set` does) and `runs: replicates`, checked like a scenario file. Run ids are "
         "point-major: "
         "run = point * replicates + replicate. `seeds: independent` keys run r's random streams "
         "by (seed, r); "
         "`seeds: common` by (seed, replicate), so replicate k draws the same random numbers at "
         "every point "
         "(common random numbers, for paired comparisons). One graph serves the whole sweep unless "
         "an axis is "
         "under `graph` or `institution`.\n"
         "- Errors. At load time: unknown keys in `sweep` or in a range or sample; `axes` missing "
         "or empty; an "
         "empty list; a range without both ends, with neither or both of `count` and `step`, "
         "`count` below 1, "
         "`step` 0 or pointing away from `to`; `scale: log` with `step` or bounds not above 0; "
         "`low` above `high`; "
         "`integer: true` with non-integer bounds or a log scale; sampled axes without `samples` "
         "or `samples` "
         "without one; zipped factors of different lengths; `replicates` below 1; an axis on "
         "`name`, `description`, "
         "`seed`, `runs` or `sweep`, inside another axis (`strategy` and "
         "`strategy.articles_per_push`), or through a "
         "value (`seed.x`). When a point is built: a swept value the key does not accept, named "
         "with the axis, "
         "its line, the point and the value: `sweep.axes.censorship.strength (s.yaml:12:5), point "
         "3, value 1.5: "
         "value 1.5 is out of range [0, 1]`.\n\n";
}

}  // namespace softpower
