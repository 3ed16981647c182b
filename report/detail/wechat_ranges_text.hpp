// The text of report/data/wechat_ranges.yaml, generated into the build tree by
// report/CMakeLists.txt from detail/wechat_ranges_text.cpp.in.
#pragma once

namespace softpower::report::detail {

extern const char* const kWechatRangesYaml;

}  // namespace softpower::report::detail
