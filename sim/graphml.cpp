#include "sim/graphml.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/error.hpp"
#include "sim/output_path.hpp"

namespace softpower {
namespace {

constexpr std::string_view kGraphmlNamespace = "http://graphml.graphdrawing.org/xmlns";
constexpr std::size_t kReadChunk = std::size_t{1} << 22;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string in_quotes(std::string_view s) { return "'" + detail::excerpt(s) + "'"; }

std::string read_whole_file(const std::string& name) {
  require_regular_input(name, "the file");  // a FIFO would block the open
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(name.c_str(), "rb"));
  if (!file) {
    const int err = errno;
    throw InputError("cannot open " + name + ": " + std::strerror(err));
  }
  std::string data;
  std::error_code size_error;
  const auto size = std::filesystem::file_size(name, size_error);
  if (!size_error) data.reserve(static_cast<std::size_t>(size));
  // A small file is read in one chunk of its own size (plus one byte, to see the end), not in
  // chunks of 4 MiB that are zero-filled first.
  std::size_t chunk = size_error ? kReadChunk : static_cast<std::size_t>(std::clamp<std::uintmax_t>(size + 1, 4096, kReadChunk));
  for (;; chunk = kReadChunk) {
    const std::size_t old = data.size();
    data.resize(old + chunk);
    const std::size_t got = std::fread(data.data() + old, 1, chunk, file.get());
    data.resize(old + got);
    if (got < chunk) {
      if (std::ferror(file.get())) {
        const int err = errno;
        throw InputError("cannot read " + name + ": " + std::strerror(err));
      }
      return data;
    }
  }
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct XmlAttr {
  std::string_view name;
  std::string_view raw;  // undecoded, between the quotes
};

// A pull parser for the XML that graph tools write: elements, attributes, text, CDATA and the
// predefined and numeric entities; comments, processing instructions and DOCTYPE are skipped.
// It checks nesting, so truncated or hand-edited files fail with a line number instead of
// importing half a graph. Namespaces are left to the caller. Views it returns point into the
// document or into buffers reused by the next event.
class XmlReader {
 public:
  enum class Kind { start, end, text, eof };

  XmlReader(std::string_view doc, const std::string& file) : doc_(doc), file_(file) {}

  Kind next() {
    if (pending_end_) {
      pending_end_ = false;
      return close_top();
    }
    for (;;) {
      const std::size_t p = pos_;
      if (p == doc_.size()) {
        // Report the last line that exists, not the empty one after the final newline.
        const std::size_t last = p == 0 ? 0 : p - 1;
        if (!open_.empty()) {
          fail_at(last, "the file ends inside <" + std::string(open_.back().name) +
                            "> opened at line " + std::to_string(open_.back().line));
        }
        if (!root_done_) fail_at(last, "no root element");
        return Kind::eof;
      }
      event_line_ = line_at(p);
      if (doc_[p] != '<') {
        const std::size_t lt = std::min(doc_.find('<', p), doc_.size());
        const std::string_view raw = doc_.substr(p, lt - p);
        pos_ = lt;
        if (open_.empty()) {
          if (!trim_space(raw).empty()) {
            fail_at(p, root_done_ ? "text after the root element" : "text before the root element");
          }
          continue;
        }
        text_ = decode(raw, text_buf_);
        return Kind::text;
      }
      const std::string_view rest = doc_.substr(p);
      if (rest.starts_with("<!--")) {
        pos_ = skip_past(p + 4, "-->", p, "unterminated comment");
      } else if (rest.starts_with("<![CDATA[")) {
        const std::size_t close = skip_past(p + 9, "]]>", p, "unterminated CDATA section");
        if (open_.empty()) fail_at(p, "CDATA outside the root element");
        text_ = doc_.substr(p + 9, close - 3 - (p + 9));
        pos_ = close;
        return Kind::text;
      } else if (rest.starts_with("<?")) {
        pos_ = skip_past(p + 2, "?>", p, "unterminated processing instruction");
      } else if (rest.starts_with("<!")) {
        skip_declaration(p);
      } else if (rest.starts_with("</")) {
        return end_tag(p);
      } else {
        start_tag(p);
        return Kind::start;
      }
    }
  }

  [[nodiscard]] std::string_view name() const { return name_; }
  [[nodiscard]] std::uint64_t line() const { return event_line_; }
  [[nodiscard]] std::string_view text() const { return text_; }
  [[nodiscard]] const std::vector<XmlAttr>& attrs() const { return attrs_; }

  /// Decoded value of attribute `key` of the current start tag; `storage` holds the value when
  /// entities had to be expanded, so each attribute the caller keeps needs its own.
  std::optional<std::string_view> attr(std::string_view key, std::string& storage) {
    for (const XmlAttr& a : attrs_) {
      if (a.name == key) return decode(a.raw, storage);
    }
    return std::nullopt;
  }

 private:
  struct Open {
    std::string_view name;
    std::uint64_t line;
  };

  [[noreturn]] void fail_at(std::size_t pos, const std::string& what) {
    throw InputError(file_ + ":" + std::to_string(line_at(pos)) + ": malformed XML: " + what);
  }

  // Lines are counted lazily between the positions asked for, so the whole file is scanned
  // for newlines once rather than per event.
  std::uint64_t line_at(std::size_t pos) {
    const char* base = doc_.data();
    if (pos >= counted_) {
      line_ += static_cast<std::uint64_t>(std::count(base + counted_, base + pos, '\n'));
    } else {
      line_ -= static_cast<std::uint64_t>(std::count(base + pos, base + counted_, '\n'));
    }
    counted_ = pos;
    return line_;
  }

  // Position just after the first `terminator` at or after `from`.
  std::size_t skip_past(std::size_t from, std::string_view terminator, std::size_t start,
                        const char* what) {
    const std::size_t at = doc_.find(terminator, from);
    if (at == std::string_view::npos) fail_at(start, what);
    return at + terminator.size();
  }

  // <!DOCTYPE ...> with an optional [internal subset]; its declarations are not applied.
  void skip_declaration(std::size_t p) {
    int brackets = 0;
    for (std::size_t i = p + 2; i < doc_.size(); ++i) {
      const char c = doc_[i];
      if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        --brackets;
      } else if (c == '>' && brackets <= 0) {
        pos_ = i + 1;
        return;
      }
    }
    fail_at(p, "unterminated <!...> declaration");
  }

  std::size_t name_end(std::size_t i) const {
    while (i < doc_.size() && !is_space(doc_[i]) && doc_[i] != '>' && doc_[i] != '/' &&
           doc_[i] != '=') {
      ++i;
    }
    return i;
  }

  std::size_t skip_spaces(std::size_t i) const {
    while (i < doc_.size() && is_space(doc_[i])) ++i;
    return i;
  }

  void start_tag(std::size_t p) {
    std::size_t i = name_end(p + 1);
    if (i == p + 1) fail_at(p, "expected an element name after '<'");
    name_ = doc_.substr(p + 1, i - (p + 1));
    if (root_done_) fail_at(p, "a second root element <" + std::string(name_) + ">");
    attrs_.clear();
    for (;;) {
      i = skip_spaces(i);
      if (i == doc_.size()) fail_at(p, "unterminated tag <" + std::string(name_) + ">");
      if (doc_[i] == '>') {
        ++i;
        break;
      }
      if (doc_[i] == '/') {
        if (i + 1 < doc_.size() && doc_[i + 1] == '>') {
          i += 2;
          pending_end_ = true;
          break;
        }
        fail_at(i, "expected '>' after '/' in <" + std::string(name_) + ">");
      }
      const std::size_t name_start = i;
      i = name_end(i);
      if (i == name_start) fail_at(i, "expected an attribute name in <" + std::string(name_) + ">");
      const std::string_view attr_name = doc_.substr(name_start, i - name_start);
      i = skip_spaces(i);
      if (i == doc_.size() || doc_[i] != '=') {
        fail_at(i, "attribute " + std::string(attr_name) + " has no value");
      }
      i = skip_spaces(i + 1);
      if (i == doc_.size() || (doc_[i] != '"' && doc_[i] != '\'')) {
        fail_at(i, "the value of attribute " + std::string(attr_name) + " is not quoted");
      }
      const std::size_t close = doc_.find(doc_[i], i + 1);
      if (close == std::string_view::npos) {
        fail_at(i, "unterminated value of attribute " + std::string(attr_name));
      }
      attrs_.push_back({attr_name, doc_.substr(i + 1, close - (i + 1))});
      i = close + 1;
    }
    open_.push_back({name_, event_line_});
    pos_ = i;
  }

  Kind end_tag(std::size_t p) {
    const std::size_t e = name_end(p + 2);
    const std::string_view closing = doc_.substr(p + 2, e - (p + 2));
    const std::size_t gt = skip_spaces(e);
    if (gt == doc_.size() || doc_[gt] != '>')
      fail_at(p, "unterminated end tag </" + std::string(closing));
    if (open_.empty()) fail_at(p, "</" + std::string(closing) + "> closes nothing");
    if (open_.back().name != closing) {
      fail_at(p, "</" + std::string(closing) + "> does not close <" +
                     std::string(open_.back().name) + "> opened at line " +
                     std::to_string(open_.back().line));
    }
    pos_ = gt + 1;
    return close_top();
  }

  Kind close_top() {
    name_ = open_.back().name;
    open_.pop_back();
    if (open_.empty()) root_done_ = true;
    return Kind::end;
  }

  std::string_view decode(std::string_view raw, std::string& out) {
    std::size_t amp = raw.find('&');
    if (amp == std::string_view::npos) return raw;
    out.assign(raw.substr(0, amp));
    while (amp != std::string_view::npos) {
      const std::size_t where = static_cast<std::size_t>(raw.data() - doc_.data()) + amp;
      const std::size_t semi = raw.find(';', amp);
      if (semi == std::string_view::npos) fail_at(where, "unterminated entity reference");
      const std::string_view entity = raw.substr(amp + 1, semi - amp - 1);
      if (entity == "lt") {
        out += '<';
      } else if (entity == "gt") {
        out += '>';
      } else if (entity == "amp") {
        out += '&';
      } else if (entity == "quot") {
        out += '"';
      } else if (entity == "apos") {
        out += '\'';
      } else if (entity.size() > 1 && entity[0] == '#') {
        const bool hex = entity[1] == 'x';
        const std::string_view digits = entity.substr(hex ? 2 : 1);
        std::uint32_t cp = 0;
        auto [ptr, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
        if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() ||
            cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          fail_at(where, "bad character reference &" + std::string(entity) + ";");
        }
        append_utf8(out, cp);
      } else {
        fail_at(where, "unknown entity &" + detail::excerpt(entity, 20) +
                           "; (only &lt; &gt; &amp; &quot; &apos; and numeric references are "
                           "supported)");
      }
      amp = raw.find('&', semi + 1);
      out.append(raw.substr(
          semi + 1, amp == std::string_view::npos ? std::string_view::npos : amp - semi - 1));
    }
    return out;
  }

  std::string_view doc_;
  const std::string& file_;
  std::size_t pos_ = 0;
  std::size_t counted_ = 0;
  std::uint64_t line_ = 1;
  std::uint64_t event_line_ = 1;
  std::vector<Open> open_;
  bool pending_end_ = false;
  bool root_done_ = false;
  std::string_view name_;
  std::string_view text_;
  std::string text_buf_;
  std::vector<XmlAttr> attrs_;
};

// Where the importer is in the GraphML tree. Everything inside <data>, <default> or a foreign
// or unknown element is `skip`: yEd's graphics live there and are never interpreted.
enum class Ctx : std::uint8_t {
  root,
  key,
  key_default,
  graph,
  node,
  edge,
  data,
  weight_data,
  region_data,
  community_data,
  skip
};

struct Frame {
  Ctx ctx;
  std::uint64_t line;
  VertexId vertex;  // node frames and the <data> inside them; kNoVertex elsewhere
};

bool captures_text(Ctx ctx) {
  return ctx == Ctx::weight_data || ctx == Ctx::key_default || ctx == Ctx::region_data ||
         ctx == Ctx::community_data;
}

struct Key {
  std::string id;
  std::string domain;  // the `for` attribute
  std::string name;    // attr.name
  std::string type;    // attr.type
  std::string yfiles_type;
  std::string default_value;
  bool has_default = false;
  std::uint64_t line = 0;
};

class GraphmlImporter {
 public:
  GraphmlImporter(std::string_view doc, const std::string& file, const GraphmlOptions& opt,
                  std::uint64_t max_vertices, VertexAttributes* attributes)
      : xml_(doc, file),
        file_(file),
        opt_(opt),
        ids_(max_vertices),
        max_vertices_(max_vertices),
        attributes_out_(attributes),
        attributes_(file, "node", "node attribute " + in_quotes(opt.region_key),
                    "node attribute " + in_quotes(opt.community_key)) {}

  SocialGraph run(ImportReport& report) {
    for (;;) {
      switch (xml_.next()) {
        case XmlReader::Kind::start:
          on_start();
          break;
        case XmlReader::Kind::end:
          on_end();
          break;
        case XmlReader::Kind::text:
          if (!frames_.empty() && captures_text(frames_.back().ctx)) capture_.append(xml_.text());
          break;
        case XmlReader::Kind::eof:
          return finish(report);
      }
    }
  }

 private:
  [[noreturn]] void fail(std::uint64_t line, const std::string& what) const {
    throw InputError(file_ + ":" + std::to_string(line) + ": " + what);
  }

  void note_once(std::set<std::string>& seen, std::string_view what, std::string message) {
    if (seen.emplace(what).second) notes_.push_back(std::move(message));
  }

  static std::string_view local_name(std::string_view qname) {
    const std::size_t colon = qname.find(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
  }

  bool is_graphml_element(std::string_view qname) const {
    const std::size_t colon = qname.find(':');
    if (colon == std::string_view::npos) return true;
    return std::find(graphml_prefixes_.begin(), graphml_prefixes_.end(), qname.substr(0, colon)) !=
           graphml_prefixes_.end();
  }

  void push(Ctx ctx, VertexId vertex = kNoVertex) { frames_.push_back({ctx, xml_.line(), vertex}); }

  void on_start() {
    const std::string_view qname = xml_.name();
    const std::uint64_t line = xml_.line();
    // Prefixes are collected globally rather than scoped: tools declare them once on the root.
    for (const XmlAttr& a : xml_.attrs()) {
      if (a.name.starts_with("xmlns:") && a.raw == kGraphmlNamespace) {
        graphml_prefixes_.emplace_back(a.name.substr(6));
      }
    }
    const std::string_view local = local_name(qname);
    if (frames_.empty()) {
      if (local != "graphml" || !is_graphml_element(qname)) {
        fail(line, "not a GraphML file: the root element is <" + std::string(qname) + ">");
      }
      push(Ctx::root);
      return;
    }
    const Ctx parent = frames_.back().ctx;
    if (parent == Ctx::data || parent == Ctx::skip || captures_text(parent) ||
        !is_graphml_element(qname)) {
      push(Ctx::skip);
      return;
    }
    if (local == "desc") {
      push(Ctx::skip);
    } else if (local == "data" && parent != Ctx::key) {
      start_data(parent);
    } else if (parent == Ctx::root && local == "key") {
      start_key();
    } else if (parent == Ctx::root && local == "graph") {
      start_graph(false);
    } else if (parent == Ctx::node && local == "graph") {
      start_graph(true);
    } else if (parent == Ctx::edge && local == "graph") {
      fail(line, "a <graph> inside an <edge> is not supported");
    } else if (parent == Ctx::key && local == "default") {
      capture_.clear();
      push(Ctx::key_default);
    } else if (parent == Ctx::graph && local == "node") {
      start_node();
    } else if (parent == Ctx::graph && local == "edge") {
      start_edge();
    } else if (local == "hyperedge") {
      fail(line,
           "hyperedges are not supported (<hyperedge> connects more than two nodes; "
           "replace it with ordinary edges)");
    } else if (local == "port") {
      fail(line, "ports are not supported (<port> inside <node>)");
    } else if (local == "locator") {
      fail(line, "<locator> (a graph stored in another file) is not supported");
    } else {
      note_once(unknown_elements_, local,
                "skipped unknown GraphML element <" + std::string(local) + "> (first at line " +
                    std::to_string(line) + ")");
      push(Ctx::skip);
    }
  }

  void on_end() {
    const Frame f = frames_.back();
    frames_.pop_back();
    switch (f.ctx) {
      case Ctx::key_default:
        keys_.back().default_value = std::string(trim_space(capture_));
        keys_.back().has_default = true;
        break;
      case Ctx::weight_data: {
        const std::string_view text = trim_space(capture_);
        const detail::WeightParse p = detail::parse_weight(text);
        if (p.error != nullptr)
          fail(f.line, edge_name() + ": " + p.error + " (" + detail::excerpt(text) + ")");
        edge_.weight = p.value;
        break;
      }
      case Ctx::region_data: {
        const std::string_view text = trim_space(capture_);
        const auto region = detail::parse_region(text);
        if (!region) {
          fail(f.line, node_name(f.vertex) + ": " + detail::kRegionError + " (" +
                           detail::excerpt(text) + ")");
        }
        if (!attributes_.set_region(f.vertex, *region)) {
          fail(f.line,
               node_name(f.vertex) + " has a second region value (" + detail::excerpt(text) + ")");
        }
        break;
      }
      case Ctx::community_data: {
        const std::string_view text = trim_space(capture_);
        const auto community = detail::parse_community(text);
        if (!community) {
          fail(f.line, node_name(f.vertex) + ": " + detail::kCommunityError + " (" +
                           detail::excerpt(text) + ")");
        }
        if (!attributes_.set_community(f.vertex, *community, f.line)) {
          fail(f.line, node_name(f.vertex) + " has a second community value (" +
                           detail::excerpt(text) + ")");
        }
        break;
      }
      case Ctx::edge:
        emit_edge();
        break;
      case Ctx::graph:
        graph_directed_.pop_back();
        break;
      default:
        break;
    }
  }

  void start_key() {
    const std::uint64_t line = xml_.line();
    if (graph_seen_) fail(line, "<key> after <graph>: GraphML declares keys before the graph");
    Key k;
    std::string s;
    const auto id = xml_.attr("id", s);
    if (!id) fail(line, "<key> without id");
    k.id = *id;
    k.domain = xml_.attr("for", s).value_or("all");
    k.name = xml_.attr("attr.name", s).value_or("");
    k.type = xml_.attr("attr.type", s).value_or("");
    k.yfiles_type = xml_.attr("yfiles.type", s).value_or("");
    k.line = line;
    const auto [it, inserted] = key_index_.emplace(k.id, keys_.size());
    if (!inserted) {
      fail(line, "duplicate key id " + in_quotes(k.id) + " (first declared at line " +
                     std::to_string(keys_[it->second].line) + ")");
    }
    keys_.push_back(std::move(k));
    push(Ctx::key);
  }

  void start_graph(bool nested) {
    const std::uint64_t line = xml_.line();
    std::string s;
    const auto edgedefault = xml_.attr("edgedefault", s);
    bool directed = true;
    if (edgedefault) {
      if (*edgedefault == "directed") {
        directed = true;
      } else if (*edgedefault == "undirected") {
        directed = false;
      } else {
        fail(line,
             "edgedefault must be directed or undirected (" + detail::excerpt(*edgedefault) + ")");
      }
    } else if (nested) {
      directed = graph_directed_.back();
    } else {
      notes_.push_back("<graph> at line " + std::to_string(line) +
                       " has no edgedefault; assumed directed (the GraphML default)");
    }
    if (nested) {
      ++nested_graphs_;
    } else {
      if (graph_seen_) {
        fail(line, "a second top-level <graph>; softpower imports one graph per file");
      }
      graph_seen_ = true;
      resolve_weight_key();
      resolve_attribute_keys();
    }
    graph_directed_.push_back(directed);
    push(Ctx::graph);
  }

  // Keys precede the graph, so the weight keys are known before the first edge. There can be
  // several: NetworkX declares one key per value type ("weight" as long and as double) when a
  // graph mixes integer and float weights.
  void resolve_weight_key() {
    if (opt_.weight_key.empty()) return;
    for (const Key& k : keys_) {
      if (k.name != opt_.weight_key || (k.domain != "edge" && k.domain != "all")) continue;
      weight_key_ids_.push_back(k.id);
      if (!k.has_default || has_weight_default_) continue;
      const detail::WeightParse p = detail::parse_weight(k.default_value);
      if (p.error != nullptr) {
        fail(k.line, "default of key " + in_quotes(k.id) + ": " + p.error + " (" +
                         detail::excerpt(k.default_value) + ")");
      }
      weight_default_ = p.value;
      has_weight_default_ = true;
    }
    if (weight_key_ids_.empty()) {
      notes_.push_back("no edge attribute named " + in_quotes(opt_.weight_key) +
                       " is declared; every arc weighs 1");
    }
  }

  // The node keys holding regions and communities (several per name, as for weights) and the
  // <default> of the first of each that has one; only when the caller asked for attributes.
  void resolve_attribute_keys() {
    if (attributes_out_ == nullptr) return;
    for (const Key& k : keys_) {
      if (k.domain != "node" && k.domain != "all") continue;
      if (!opt_.region_key.empty() && k.name == opt_.region_key) {
        region_key_ids_.push_back(k.id);
        if (k.has_default && !attributes_.region_default) {
          attributes_.region_default = detail::parse_region(k.default_value);
          if (!attributes_.region_default) {
            fail(k.line, "default of key " + in_quotes(k.id) + ": " + detail::kRegionError + " (" +
                             detail::excerpt(k.default_value) + ")");
          }
        }
      }
      if (!opt_.community_key.empty() && k.name == opt_.community_key) {
        community_key_ids_.push_back(k.id);
        if (k.has_default && !attributes_.community_default) {
          attributes_.community_default = detail::parse_community(k.default_value);
          if (!attributes_.community_default) {
            fail(k.line, "default of key " + in_quotes(k.id) + ": " + detail::kCommunityError +
                             " (" + detail::excerpt(k.default_value) + ")");
          }
          community_default_key_ = &k;
        }
      }
    }
  }

  static bool contains(const std::vector<std::string>& ids, std::string_view id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }

  std::string node_name(VertexId v) const { return "node " + in_quotes(ids_.label(v)); }

  bool weighted() const { return !weight_key_ids_.empty(); }

  bool is_weight_key(std::string_view id) const {
    return std::find(weight_key_ids_.begin(), weight_key_ids_.end(), id) != weight_key_ids_.end();
  }

  VertexId intern(std::string_view token, std::uint64_t line, const char* attribute) {
    if (const std::string wrong = detail::id_problem(token); !wrong.empty()) {
      fail(line, "the " + std::string(attribute) + " " + wrong);
    }
    const VertexId v = ids_.intern(token);
    if (v == kNoVertex) {
      fail(line, "more than " + std::to_string(max_vertices_) + " nodes (" +
                     detail::excerpt(token) + ")");
    }
    if (declared_line_.size() < ids_.size()) declared_line_.push_back(0);
    return v;
  }

  void start_node() {
    const std::uint64_t line = xml_.line();
    const auto id = xml_.attr("id", id_storage_);
    if (!id) fail(line, "<node> without id");
    const VertexId v = intern(*id, line, "<node> id");
    if (declared_line_[v] != 0) {
      fail(line, "duplicate node id " + in_quotes(*id) + " (first declared at line " +
                     std::to_string(declared_line_[v]) + ")");
    }
    declared_line_[v] = line;
    push(Ctx::node, v);
  }

  void start_edge() {
    const std::uint64_t line = xml_.line();
    const auto id = xml_.attr("id", id_storage_);
    edge_.id.assign(id.value_or(""));
    const std::string shown = edge_.id.empty() ? "<edge>" : "<edge id=" + in_quotes(edge_.id) + ">";
    if (xml_.attr("sourceport", port_storage_) || xml_.attr("targetport", port_storage_)) {
      fail(line, "ports are not supported (" + shown + " has sourceport or targetport)");
    }
    const auto source = xml_.attr("source", source_storage_);
    if (!source) fail(line, shown + " has no source");
    const auto target = xml_.attr("target", target_storage_);
    if (!target) fail(line, shown + " has no target");
    bool directed = graph_directed_.back();
    if (const auto d = xml_.attr("directed", port_storage_)) {
      if (*d == "true" || *d == "1") {
        directed = true;
      } else if (*d == "false" || *d == "0") {
        directed = false;
      } else {
        fail(line, shown + ": directed must be true or false (" + detail::excerpt(*d) + ")");
      }
    }
    edge_.directed = opt_.directed.value_or(directed);
    edge_.source = intern(*source, line, "<edge> source");
    edge_.target = intern(*target, line, "<edge> target");
    edge_.weight = weight_default_;
    push(Ctx::edge);
  }

  void start_data(Ctx parent) {
    const std::uint64_t line = xml_.line();
    std::string s;
    const auto key = xml_.attr("key", s);
    if (!key) fail(line, "<data> without key");
    if (parent == Ctx::edge && is_weight_key(*key)) {
      capture_.clear();
      push(Ctx::weight_data);
      return;
    }
    if (parent == Ctx::node &&
        (contains(region_key_ids_, *key) || contains(community_key_ids_, *key))) {
      capture_.clear();
      push(contains(region_key_ids_, *key) ? Ctx::region_data : Ctx::community_data,
           frames_.back().vertex);
      return;
    }
    if (key_index_.find(std::string(*key)) == key_index_.end()) {
      note_once(undeclared_keys_, *key,
                "skipped <data> for undeclared key " + in_quotes(*key) + " (first at line " +
                    std::to_string(line) + ")");
    }
    push(Ctx::data);
  }

  std::string edge_name() const {
    if (!edge_.id.empty()) return "edge " + in_quotes(edge_.id);
    return "edge " + in_quotes(ids_.label(edge_.source)) + " -> " +
           in_quotes(ids_.label(edge_.target));
  }

  void emit_edge() {
    ++edges_;
    every_edge_undirected_ = every_edge_undirected_ && !edge_.directed;
    arcs_.push_back({edge_.source, edge_.target});
    if (weighted()) weights_.push_back(edge_.weight);
    // An undirected self-loop is its own reverse: one arc, not two.
    if (!edge_.directed && edge_.source != edge_.target) {
      arcs_.push_back({edge_.target, edge_.source});
      if (weighted()) weights_.push_back(edge_.weight);
    }
  }

  SocialGraph finish(ImportReport& report) {
    if (!graph_seen_) throw InputError(file_ + ": no <graph> element");
    if (edges_ == 0) throw InputError(file_ + ": no edges found");

    for (const Key& k : keys_) {
      if (is_weight_key(k.id) || contains(region_key_ids_, k.id) ||
          contains(community_key_ids_, k.id)) {
        continue;
      }
      std::string what = "skipped attribute key " + in_quotes(k.id) + " (";
      what += k.name.empty() ? "yfiles.type=" + k.yfiles_type : "attr.name=" + k.name;
      what += ", for=" + k.domain + ")";
      notes_.push_back(std::move(what));
    }
    if (nested_graphs_ > 0) {
      notes_.push_back("flattened " + std::to_string(nested_graphs_) +
                       " nested <graph> elements (yEd groups): their nodes and edges are imported, "
                       "group nodes stay as vertices");
    }
    std::uint64_t undeclared = 0;
    std::string examples;
    for (std::size_t v = 0; v < declared_line_.size(); ++v) {
      if (declared_line_[v] != 0) continue;
      if (++undeclared <= 3)
        examples += (undeclared > 1 ? ", " : "") + in_quotes(ids_.label(static_cast<VertexId>(v)));
    }
    if (undeclared > 0) {
      notes_.push_back(std::to_string(undeclared) +
                       " edge endpoints were never declared as <node>; created them (" + examples +
                       (undeclared > 3 ? ", ...)" : ")"));
    }

    const auto n = static_cast<VertexId>(ids_.size());
    if (attributes_out_ != nullptr) finish_attributes(n);

    report.arcs_read = arcs_.size();
    BuildReport build;
    SocialGraph g = SocialGraph::from_arcs(n, std::move(arcs_), std::move(weights_),
                                           ids_.take_labels(), BuildOptions{.mutual = every_edge_undirected_}, &build);
    report.self_loops_dropped = build.self_loops_dropped;
    report.duplicate_arcs_merged = build.duplicate_arcs_merged;
    report.notes = std::move(notes_);
    return g;
  }

  void finish_attributes(VertexId n) {
    if (community_default_key_ != nullptr && *attributes_.community_default >= n) {
      fail(community_default_key_->line, "default of key " + in_quotes(community_default_key_->id) +
                                             ": community " +
                                             std::to_string(*attributes_.community_default) +
                                             " is not below the number of users (" +
                                             std::to_string(n) + "); number communities from 0");
    }
    *attributes_out_ = attributes_.finish(n, ids_, notes_);
    if (!region_key_ids_.empty() && attributes_out_->region.empty()) {
      notes_.push_back("no node has a value of node attribute " + in_quotes(opt_.region_key) +
                       "; every user is domestic");
    }
    if (!community_key_ids_.empty() && attributes_out_->community.empty()) {
      notes_.push_back("no node has a value of node attribute " + in_quotes(opt_.community_key) +
                       "; users have no communities");
    }
  }

  struct Edge {
    VertexId source = 0;
    VertexId target = 0;
    bool directed = true;
    float weight = 1.0f;
    std::string id;
  };

  XmlReader xml_;
  const std::string& file_;
  const GraphmlOptions& opt_;
  detail::IdMap ids_;
  std::uint64_t max_vertices_;

  std::vector<Frame> frames_;
  std::vector<std::string> graphml_prefixes_;
  std::vector<Key> keys_;
  std::unordered_map<std::string, std::size_t> key_index_;
  std::vector<bool> graph_directed_;
  bool graph_seen_ = false;
  std::uint64_t nested_graphs_ = 0;

  std::vector<std::string> weight_key_ids_;
  float weight_default_ = 1.0f;
  bool has_weight_default_ = false;  // the first weight key with a <default> sets it

  VertexAttributes* attributes_out_;  // null: the caller wants no attributes
  detail::AttributeCollector attributes_;
  std::vector<std::string> region_key_ids_;
  std::vector<std::string> community_key_ids_;
  const Key* community_default_key_ = nullptr;

  std::vector<std::uint64_t> declared_line_;  // per vertex; 0: only seen as an edge endpoint
  Edge edge_;
  std::uint64_t edges_ = 0;
  std::vector<ArcInput> arcs_;
  bool every_edge_undirected_ = true;  // then every arc comes with its reverse
  std::vector<float> weights_;

  std::string capture_;  // text of the <data> or <default> being read
  std::string id_storage_, source_storage_, target_storage_, port_storage_;
  std::vector<std::string> notes_;
  std::set<std::string> unknown_elements_;
  std::set<std::string> undeclared_keys_;
};

std::string describe(const std::filesystem::path& path, const GraphmlOptions& opt,
                     bool with_attributes) {
  std::string d = "graphml path=" + path.string();
  d += " directed=";
  d += !opt.directed ? "auto" : (*opt.directed ? "true" : "false");
  d += " weight_key=" + opt.weight_key;
  // Only when read and not the defaults, so descriptions of plain imports stay as they were.
  if (with_attributes && opt.region_key != "region") d += " region_key=" + opt.region_key;
  if (with_attributes && opt.community_key != "community")
    d += " community_key=" + opt.community_key;
  return d;
}

}  // namespace

namespace detail {

SocialGraph import_graphml(const std::filesystem::path& path, const GraphmlOptions& opt,
                           ImportReport* report, std::uint64_t max_vertices,
                           VertexAttributes* attributes) {
  const std::string name = path.string();
  const std::string data = read_whole_file(name);
  std::string_view doc = data;
  if (doc.starts_with("\xFF\xFE") || doc.starts_with("\xFE\xFF")) {
    throw InputError(name + ": the file is UTF-16 encoded; save it as UTF-8");
  }
  if (doc.starts_with("\xEF\xBB\xBF")) doc.remove_prefix(3);

  ImportReport local;
  local.lines = static_cast<std::uint64_t>(std::count(doc.begin(), doc.end(), '\n'));
  if (!doc.empty() && doc.back() != '\n') ++local.lines;

  GraphmlImporter importer(doc, name, opt, max_vertices, attributes);
  SocialGraph g = importer.run(local);
  g.set_description(describe(path, opt, attributes != nullptr));
  if (report != nullptr) *report = std::move(local);
  return g;
}

}  // namespace detail

SocialGraph import_graphml(const std::filesystem::path& path, const GraphmlOptions& opt,
                           ImportReport* report, VertexAttributes* attributes) {
  return detail::import_graphml(path, opt, report, detail::kMaxImportVertices, attributes);
}

}  // namespace softpower
