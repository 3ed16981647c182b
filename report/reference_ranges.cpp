#include "report/reference_ranges.hpp"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "report/detail/wechat_ranges_text.hpp"

namespace softpower::report {

const std::vector<ReferenceRange>& reference_ranges() {
  static const std::vector<ReferenceRange> ranges = [] {
    std::vector<ReferenceRange> out;
    try {
      const YAML::Node root = YAML::Load(detail::kWechatRangesYaml);
      for (const YAML::Node& n : root["ranges"]) {
        out.push_back({.id = n["id"].as<std::string>(),
                       .quantity = n["quantity"].as<std::string>(),
                       .low = n["low"].as<double>(),
                       .high = n["high"].as<double>(),
                       .label = n["label"].as<std::string>(),
                       .source = n["source"].as<std::string>(),
                       .grade = n["grade"].as<std::string>()});
      }
    } catch (const YAML::Exception& e) {
      throw std::runtime_error(std::string("report/data/wechat_ranges.yaml: ") + e.what());
    }
    return out;
  }();
  return ranges;
}

}  // namespace softpower::report
