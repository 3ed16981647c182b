#include "sim/schema.hpp"

#include <fmt/format.h>

#include "sim/error.hpp"

namespace softpower {

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string format_number(double x) { return fmt::format("{}", x); }

void schema_error(const YamlOrigin& origin, const YAML::Node& node, const std::string& path,
                  const std::string& message) {
  // An override is responsible if it set this path, a parent of it, or something inside it.
  for (const auto& [key, where] : origin.overrides) {
    const bool inside = key.size() > path.size() && key.compare(0, path.size(), path) == 0 &&
                        key[path.size()] == '.';
    const bool parent = path.size() > key.size() && path.compare(0, key.size(), key) == 0 &&
                        (path[key.size()] == '.' || path[key.size()] == '[');
    if (key == path || inside || parent) {
      throw InputError(fmt::format("{}: {}: {}", where, path, message));
    }
  }
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) throw InputError(fmt::format("{}: {}: {}", origin.file, path, message));
  throw InputError(fmt::format("{}:{}:{}: {}: {}", origin.file, mark.line + 1, mark.column + 1,
                               path, message));
}

}  // namespace softpower
