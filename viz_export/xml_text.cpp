#include "viz_export/xml_text.hpp"

#include <cmath>
#include <stdexcept>

namespace softpower::viz {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length (1 to 4) of the well-formed UTF-8 sequence that starts at text[i] (Unicode
// Table 3-7), or minus the length of the maximal ill-formed subpart there (at least 1).
int sequence_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return 1;
  int length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead == 0xE0) {
    length = 3;
    low = 0xA0;  // no overlong forms
  } else if (lead == 0xED) {
    length = 3;
    high = 0x9F;  // no surrogates
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    length = 3;
  } else if (lead == 0xF0) {
    length = 4;
    low = 0x90;  // no overlong forms
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    length = 4;
  } else if (lead == 0xF4) {
    length = 4;
    high = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;  // a continuation byte, C0, C1 or F5..FF
  }
  for (int k = 1; k < length; ++k) {
    if (i + k >= text.size()) return -k;
    const auto byte = static_cast<unsigned char>(text[i + k]);
    if (byte < low || byte > high) return -k;
    low = 0x80;
    high = 0xBF;
  }
  return length;
}

// U+FFFE and U+FFFF (EF BF BE, EF BF BF): well-formed UTF-8, but not XML 1.0 characters.
bool is_xml_noncharacter(std::string_view text, std::size_t i, int length) {
  return length == 3 && static_cast<unsigned char>(text[i]) == 0xEF &&
         static_cast<unsigned char>(text[i + 1]) == 0xBF &&
         static_cast<unsigned char>(text[i + 2]) >= 0xBE;
}

// What append_escaped writes for an ASCII character: its escape, kReplacement, or nothing
// (empty) when the character stands for itself.
std::string_view ascii_escape(unsigned char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&apos;";
    case '\t':
      return "&#9;";
    case '\n':
      return "&#10;";
    case '\r':
      return "&#13;";
    default:
      return c < 0x20 ? kReplacement : std::string_view{};
  }
}

}  // namespace

void append_escaped(std::string& out, std::string_view text) {
  std::size_t kept = 0;  // text[kept, i) is copied unchanged
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::string_view replacement;
    std::size_t consumed = 1;
    if (c < 0x80) {
      replacement = ascii_escape(c);
      if (replacement.empty()) {
        ++i;
        continue;
      }
    } else {
      const int length = sequence_length(text, i);
      if (length > 0 && !is_xml_noncharacter(text, i, length)) {
        i += static_cast<std::size_t>(length);
        continue;
      }
      replacement = kReplacement;
      consumed = static_cast<std::size_t>(length > 0 ? length : -length);
    }
    out.append(text, kept, i - kept);
    out.append(replacement);
    i += consumed;
    kept = i;
  }
  out.append(text, kept, text.size() - kept);
}

std::string escaped(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

bool is_xml_text(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      ++i;
      continue;
    }
    const int length = sequence_length(text, i);
    if (length < 0 || is_xml_noncharacter(text, i, length)) return false;
    i += static_cast<std::size_t>(length);
  }
  return true;
}

void append_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    throw std::invalid_argument(std::isnan(value) ? "number is NaN" : "number is infinite");
  }
  char digits[32];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

XmlOutput::XmlOutput(std::ostream& out, std::size_t block) : out_(out), block_(block) {
  buffer_.reserve(block_ + block_ / 4);
}

void XmlOutput::write_buffer() {
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (!out_) throw std::runtime_error("graph writer: the output stream failed");
  buffer_.clear();
}

void XmlOutput::flush() {
  write_buffer();
  out_.flush();
  if (!out_) throw std::runtime_error("graph writer: the output stream failed");
}

}  // namespace softpower::viz
