// Typed parameter tables: one table per scenario section lists every key with its type, default,
// range and help. The same table parses YAML (rejecting unknown keys, wrong types and values out
// of range with file, line, column and key path), writes the effective configuration back out,
// and generates the reference documentation, so the three cannot drift apart.
#pragma once

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace softpower {

/// Where YAML came from, for error messages: the file name, plus the key paths whose values
/// came from elsewhere: a `--set key=value`, or a sweep axis at one point of a sweep (those
/// errors name the --set argument or the axis and point instead of a file line).
struct YamlOrigin {
  std::string file;
  /// key path -> "--set key=value", or "sweep.axes.KEY (FILE:LINE:COL), point P, value V"
  std::map<std::string, std::string> overrides;
};

/// Throws InputError "FILE:LINE:COL: PATH: MESSAGE", "FILE: PATH: MESSAGE" for a node without
/// a position, or, when an override set PATH, a parent or a part of it, "--set ...: PATH:
/// MESSAGE" or "sweep.axes.KEY (...), point P, value V: [PATH: ]MESSAGE" (PATH left out when
/// it is KEY itself).
[[noreturn]] void schema_error(const YamlOrigin& origin, const YAML::Node& node,
                               const std::string& path, const std::string& message);

std::string join_path(const std::string& prefix, const std::string& key);

/// The text of a mapping key. A key that is not a plain scalar (`? [a, b]: 1`, `? {a: 1}: 2`,
/// an empty `? : 1`) is an error at the key's position, under `prefix` (the enclosing path).
std::string key_text(const YamlOrigin& origin, const YAML::Node& key, const std::string& prefix);

/// Formats a double the way a user would type it (shortest round-trip form).
std::string format_number(double x);

/// One documented key of a section.
struct FieldDoc {
  std::string key;
  std::string type;
  std::string default_value;
  std::string range;
  std::string help;
};

/// Where the value at `path` came from, for messages that quote it: the override that set it,
/// a parent or a part of it ("--set ..."), else "FILE:LINE:COL" of `node`, else "FILE".
std::string yaml_location(const YamlOrigin& origin, const YAML::Node& node,
                          const std::string& path);

/// A Markdown table of documented keys (`section.key`, type, default, range, meaning), the
/// format of the reference in scenarios/README.md.
std::string docs_table(const std::vector<FieldDoc>& docs, const std::string& section);

template <class T>
class Schema {
 public:
  using Parser = std::function<void(T&, const YAML::Node&, const YamlOrigin&, const std::string&)>;
  using Printer = std::function<YAML::Node(const T&)>;

  template <class Number>
  Schema& number(const std::string& key, Number T::*member, Number lo, Number hi,
                 const std::string& help) {
    static_assert(std::is_arithmetic_v<Number> && !std::is_same_v<Number, bool>);
    const T defaults{};
    const std::string range = interval(lo, hi);
    add({key, std::is_integral_v<Number> ? "integer" : "number", show(defaults.*member), range, help},
        [=](T& obj, const YAML::Node& node, const YamlOrigin& origin, const std::string& path) {
          obj.*member = read_in_range(node, origin, path, lo, hi);
        },
        [=](const T& obj) { return YAML::Node(obj.*member); });
    return *this;
  }

  Schema& boolean(const std::string& key, bool T::*member, const std::string& help) {
    const T defaults{};
    add({key, "boolean", defaults.*member ? "true" : "false", "true, false", help},
        [=](T& obj, const YAML::Node& node, const YamlOrigin& origin, const std::string& path) {
          obj.*member = read_scalar<bool>(node, origin, path);
        },
        [=](const T& obj) { return YAML::Node(obj.*member); });
    return *this;
  }

  Schema& text(const std::string& key, std::string T::*member, const std::string& help) {
    const T defaults{};
    add({key, "string", (defaults.*member).empty() ? "\"\"" : defaults.*member, "", help},
        [=](T& obj, const YAML::Node& node, const YamlOrigin& origin, const std::string& path) {
          obj.*member = read_scalar<std::string>(node, origin, path);
        },
        [=](const T& obj) { return YAML::Node(obj.*member); });
    return *this;
  }

  Schema& choice(const std::string& key, std::string T::*member, std::vector<std::string> choices,
                 const std::string& help) {
    const T defaults{};
    std::string range;
    for (const auto& c : choices) range += (range.empty() ? "" : ", ") + c;
    add({key, "string", defaults.*member, range, help},
        [=](T& obj, const YAML::Node& node, const YamlOrigin& origin, const std::string& path) {
          auto value = read_scalar<std::string>(node, origin, path);
          if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
            schema_error(origin, node, path, "'" + value + "' is not one of: " + range);
          }
          obj.*member = value;
        },
        [=](const T& obj) { return YAML::Node(obj.*member); });
    return *this;
  }

  /// A list of numbers, each in [lo, hi].
  template <class Number>
  Schema& number_list(const std::string& key, std::vector<Number> T::*member, Number lo, Number hi,
                      const std::string& help) {
    const std::string range = "each in " + interval(lo, hi);
    const T defaults{};
    std::string shown;
    for (Number v : defaults.*member) shown += (shown.empty() ? "" : ", ") + show(v);
    add({key, std::is_integral_v<Number> ? "list of integers" : "list of numbers", "[" + shown + "]", range, help},
        [=](T& obj, const YAML::Node& node, const YamlOrigin& origin, const std::string& path) {
          if (!node.IsSequence()) schema_error(origin, node, path, "expected a list, e.g. [1, 2]");
          std::vector<Number> values;
          for (std::size_t i = 0; i < node.size(); ++i) {
            const std::string item_path = path + "[" + std::to_string(i) + "]";
            values.push_back(read_in_range(node[i], origin, item_path, lo, hi));
          }
          obj.*member = std::move(values);
        },
        [=](const T& obj) {
          YAML::Node list(YAML::NodeType::Sequence);
          for (Number v : obj.*member) list.push_back(v);
          list.SetStyle(YAML::EmitterStyle::Flow);
          return list;
        });
    return *this;
  }

  /// Parses every key of `map` into `obj`; a key not in the table is an error.
  void parse(T& obj, const YAML::Node& map, const YamlOrigin& origin, const std::string& prefix) const {
    if (!map || map.IsNull()) return;
    if (!map.IsMap()) schema_error(origin, map, prefix, "expected a mapping of keys to values");
    for (const auto& kv : map) {
      const std::string key = key_text(origin, kv.first, prefix);
      const std::string path = join_path(prefix, key);
      auto it = index_.find(key);
      if (it == index_.end()) {
        schema_error(origin, kv.first, path, "unknown key (known keys: " + known_keys() + ")");
      }
      parsers_[it->second](obj, kv.second, origin, path);
    }
  }

  /// The effective values of every key, defaults included.
  [[nodiscard]] YAML::Node to_yaml(const T& obj) const {
    YAML::Node out(YAML::NodeType::Map);
    for (std::size_t i = 0; i < docs_.size(); ++i) out[docs_[i].key] = printers_[i](obj);
    return out;
  }

  [[nodiscard]] const std::vector<FieldDoc>& docs() const { return docs_; }
  [[nodiscard]] bool has(const std::string& key) const { return index_.count(key) != 0; }

  [[nodiscard]] std::string known_keys() const {
    std::string out;
    for (const auto& d : docs_) out += (out.empty() ? "" : ", ") + d.key;
    return out;
  }

 private:
  void add(FieldDoc doc, Parser parser, Printer printer) {
    index_[doc.key] = docs_.size();
    docs_.push_back(std::move(doc));
    parsers_.push_back(std::move(parser));
    printers_.push_back(std::move(printer));
  }

  // Built with append: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
  template <class V>
  static std::string interval(V lo, V hi) {
    std::string out("[");
    out.append(show(lo)).append(", ").append(show(hi)).append("]");
    return out;
  }

  template <class V>
  static std::string show(V v) {
    if constexpr (std::is_floating_point_v<V>) {
      return format_number(static_cast<double>(v));
    } else {
      return std::to_string(v);
    }
  }

  // A number in [lo, hi]; NaN is out of every range.
  template <class Number>
  static Number read_in_range(const YAML::Node& node, const YamlOrigin& origin, const std::string& path,
                              Number lo, Number hi) {
    if constexpr (std::is_integral_v<Number>) {
      // Compared as a long double, exact for every 64-bit integer: -1 or 1e12 is out of the
      // range, not wrapped or truncated into the key's type.
      const long double wide = read_integer(node, origin, path);
      if (!(wide >= static_cast<long double>(lo) && wide <= static_cast<long double>(hi))) {
        schema_error(origin, node, path, "value " + node.Scalar() + " is out of range " + interval(lo, hi));
      }
      return static_cast<Number>(wide);
    } else {
      const Number value = read_scalar<Number>(node, origin, path);
      if (!(value >= lo && value <= hi)) {
        schema_error(origin, node, path, "value " + node.Scalar() + " is out of range " + interval(lo, hi));
      }
      return value;
    }
  }

  // An integer written as one ("-1", "18446744073709551615") or as a number that is an exact
  // integer ("1e6"); yaml-cpp would wrap "-1" into a huge unsigned value.
  static long double read_integer(const YAML::Node& node, const YamlOrigin& origin, const std::string& path) {
    if (!node.IsScalar()) schema_error(origin, node, path, "expected a single value, not a list or mapping");
    const std::string& s = node.Scalar();
    long long as_int = 0;
    unsigned long long as_unsigned = 0;
    double as_double = 0;
    const char* end = s.data() + s.size();
    if (auto r = std::from_chars(s.data(), end, as_int); r.ec == std::errc() && r.ptr == end) return as_int;
    if (auto u = std::from_chars(s.data(), end, as_unsigned); u.ec == std::errc() && u.ptr == end) {
      return as_unsigned;
    }
    if (auto d = std::from_chars(s.data(), end, as_double); d.ec == std::errc() && d.ptr == end &&
                                                             std::isfinite(as_double) &&
                                                             as_double == std::floor(as_double)) {
      return as_double;
    }
    schema_error(origin, node, path, "expected an integer, got '" + s + "'");
  }

  template <class V>
  static V read_scalar(const YAML::Node& node, const YamlOrigin& origin, const std::string& path) {
    if (!node.IsScalar()) schema_error(origin, node, path, "expected a single value, not a list or mapping");
    static_assert(!std::is_integral_v<V> || std::is_same_v<V, bool>, "integers go through read_integer");
    {
      try {
        return node.as<V>();
      } catch (const YAML::Exception&) {
        const char* what = std::is_same_v<V, bool> ? "true or false"
                           : std::is_floating_point_v<V> ? "a number"
                                                          : "a string";
        schema_error(origin, node, path, std::string("expected ") + what + ", got '" + node.Scalar() + "'");
      }
    }
  }

  std::map<std::string, std::size_t> index_;
  std::vector<FieldDoc> docs_;
  std::vector<Parser> parsers_;
  std::vector<Printer> printers_;
};

}  // namespace softpower
