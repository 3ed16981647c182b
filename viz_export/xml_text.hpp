// XML text for the graph writers: escaping with one fixed rule for text XML 1.0 cannot hold,
// shortest round-trip numbers, and a buffered writer over std::ostream.
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace softpower::viz {

/// Appends UTF-8 `text` escaped for an XML 1.0 attribute value or element content:
/// - `&` `<` `>` `"` `'` become `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`;
/// - tab, newline and carriage return become `&#9;` `&#10;` `&#13;`, so that attribute-value and
///   line-end normalization give them back unchanged;
/// - what XML 1.0 cannot hold becomes U+FFFD (the replacement character): each maximal ill-formed
///   UTF-8 subsequence (Unicode ch. 3, "U+FFFD Substitution of Maximal Subparts", as Python's
///   `decode(errors="replace")` does), the other C0 controls U+0000-U+001F, and the
///   non-characters U+FFFE and U+FFFF. Everything else, C1 controls included, is kept.
void append_escaped(std::string& out, std::string_view text);
[[nodiscard]] std::string escaped(std::string_view text);

/// True if `text` is well-formed UTF-8 of characters XML 1.0 allows: append_escaped replaces
/// nothing in it.
[[nodiscard]] bool is_xml_text(std::string_view text) noexcept;

/// Appends the shortest decimal text that reads back as exactly `value` (std::to_chars), e.g.
/// "0.1", "2", "1e+21", "1e-07", "-0". Throws std::invalid_argument for NaN and infinities:
/// GEXF and GraphML readers spell and parse them differently, or not at all.
void append_number(std::string& out, double value);

template <std::integral T>
requires(!std::same_as<T, bool>) void append_number(std::string& out, T value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

/// Collects a document in memory and hands it to the stream in blocks of about `block` bytes,
/// so the stream sees few large writes and memory stays at one block whatever the document's
/// size. Throws std::runtime_error as soon as the stream fails.
class XmlOutput {
 public:
  explicit XmlOutput(std::ostream& out, std::size_t block = std::size_t{1} << 16);

  /// Markup, written as is.
  XmlOutput& raw(std::string_view markup) {
    buffer_.append(markup);
    return *this;
  }
  /// Text, escaped with append_escaped.
  XmlOutput& text(std::string_view text) {
    append_escaped(buffer_, text);
    return *this;
  }
  XmlOutput& number(double value) {
    append_number(buffer_, value);
    return *this;
  }
  template <std::integral T>
  requires(!std::same_as<T, bool>) XmlOutput& number(T value) {
    append_number(buffer_, value);
    return *this;
  }

  /// Ends a record: writes the buffer to the stream once it holds a block.
  void commit() {
    if (buffer_.size() >= block_) write_buffer();
  }
  /// Writes everything buffered and flushes the stream.
  void flush();

 private:
  void write_buffer();

  std::ostream& out_;
  std::string buffer_;
  std::size_t block_;
};

}  // namespace softpower::viz
