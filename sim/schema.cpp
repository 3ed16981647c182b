#include "sim/schema.hpp"

#include <fmt/format.h>

#include "sim/error.hpp"

namespace softpower {

std::string key_text(const YamlOrigin& origin, const YAML::Node& key, const std::string& prefix) {
  if (!key.IsScalar()) {
    schema_error(origin, key, prefix.empty() ? "(top level)" : prefix,
                 "a key must be a plain name, not empty, a list or a mapping");
  }
  return key.Scalar();
}

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string format_number(double x) { return fmt::format("{}", x); }

namespace {

// The override responsible for `path`: it set this path, a parent of it, or something inside it.
const std::pair<const std::string, std::string>* override_of(const YamlOrigin& origin,
                                                             const std::string& path) {
  for (const auto& entry : origin.overrides) {
    const std::string& key = entry.first;
    const bool inside = key.size() > path.size() && key.compare(0, path.size(), path) == 0 &&
                        key[path.size()] == '.';
    const bool parent = path.size() > key.size() && path.compare(0, key.size(), key) == 0 &&
                        (path[key.size()] == '.' || path[key.size()] == '[');
    if (key == path || inside || parent) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string yaml_location(const YamlOrigin& origin, const YAML::Node& node,
                          const std::string& path) {
  if (const auto* entry = override_of(origin, path)) return entry->second;
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return origin.file;
  return fmt::format("{}:{}:{}", origin.file, mark.line + 1, mark.column + 1);
}

void schema_error(const YamlOrigin& origin, const YAML::Node& node, const std::string& path,
                  const std::string& message) {
  // A sweep point's description already names the axis' key path.
  if (const auto* entry = override_of(origin, path);
      entry && entry->first == path && entry->second.rfind("sweep.axes." + path + " ", 0) == 0) {
    throw InputError(fmt::format("{}: {}", entry->second, message));
  }
  throw InputError(fmt::format("{}: {}: {}", yaml_location(origin, node, path), path, message));
}

std::string docs_table(const std::vector<FieldDoc>& docs, const std::string& section) {
  std::string out = "| key | type | default | range | meaning |\n|---|---|---|---|---|\n";
  for (const FieldDoc& d : docs) {
    out += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", join_path(section, d.key), d.type,
                       d.default_value, d.range, d.help);
  }
  return out;
}

}  // namespace softpower
