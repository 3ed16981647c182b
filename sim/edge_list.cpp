#include "sim/edge_list.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/error.hpp"
#include "sim/output_path.hpp"

namespace softpower {
namespace {

// Large enough that a read() per chunk costs nothing next to parsing; lines longer than this
// grow the buffer.
constexpr std::size_t kChunkBytes = std::size_t{1} << 24;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// The first buffer: a small file's size (plus one byte, to see the end), else kChunkBytes; so a
// small file does not cost a zero-filled 16 MiB buffer.
std::size_t first_buffer_size(std::FILE* file) {
  struct stat st {};
  if (::fstat(::fileno(file), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
      static_cast<std::uint64_t>(st.st_size) < kChunkBytes) {
    return std::max<std::size_t>(static_cast<std::size_t>(st.st_size) + 1, 4096);
  }
  return kChunkBytes;
}

// Calls fn(line, line_number) for each line, without the '\n'. Reads the file in big chunks so
// a 10M-line file costs a handful of read() calls and no per-line allocation; each line view is
// valid only during its call.
template <class Fn>
std::uint64_t for_each_line(std::FILE* file, const std::string& name, Fn&& fn) {
  std::vector<char> buf(first_buffer_size(file));
  std::size_t begin = 0;
  std::size_t end = 0;
  std::uint64_t line_no = 0;
  bool eof = false;
  for (;;) {
    if (begin < end) {
      const auto* nl = static_cast<const char*>(std::memchr(buf.data() + begin, '\n', end - begin));
      if (nl != nullptr) {
        const auto len = static_cast<std::size_t>(nl - (buf.data() + begin));
        fn(std::string_view(buf.data() + begin, len), ++line_no);
        begin += len + 1;
        continue;
      }
    }
    if (eof) {
      if (begin < end) fn(std::string_view(buf.data() + begin, end - begin), ++line_no);
      return line_no;
    }
    std::memmove(buf.data(), buf.data() + begin, end - begin);
    end -= begin;
    begin = 0;
    if (end == buf.size()) buf.resize(buf.size() * 2);
    const std::size_t got = std::fread(buf.data() + end, 1, buf.size() - end, file);
    end += got;
    if (got == 0) {
      if (std::ferror(file)) {
        const int err = errno;
        throw InputError("cannot read " + name + ": " + std::strerror(err));
      }
      eof = true;
    }
  }
}

// Calls fn(text, first_line_no) for consecutive blocks of whole lines (each ending with '\n',
// except the file's last line if it has none), about kChunkBytes each, so they can be parsed in
// parallel while memory stays bounded. Returns the number of lines, counted as for_each_line.
template <class Fn>
std::uint64_t for_each_block(std::FILE* file, const std::string& name, Fn&& fn) {
  std::vector<char> buf(first_buffer_size(file));
  std::size_t end = 0;
  std::uint64_t line_no = 0;  // lines before the current block
  for (;;) {
    const std::size_t got = std::fread(buf.data() + end, 1, buf.size() - end, file);
    if (got == 0 && std::ferror(file)) {
      const int err = errno;
      throw InputError("cannot read " + name + ": " + std::strerror(err));
    }
    end += got;
    const bool eof = got == 0;
    const std::string_view filled(buf.data(), end);
    const std::size_t last_newline = filled.rfind('\n');
    const std::size_t whole = eof ? end : last_newline == std::string_view::npos ? 0 : last_newline + 1;
    if (whole > 0) {
      const std::string_view block = filled.substr(0, whole);
      fn(block, line_no + 1);
      line_no += static_cast<std::uint64_t>(std::count(block.begin(), block.end(), '\n'));
      if (block.back() != '\n') ++line_no;
    }
    if (eof) return line_no;
    std::memmove(buf.data(), buf.data() + whole, end - whole);
    end -= whole;
    if (end == buf.size()) buf.resize(buf.size() * 2);  // one line longer than the buffer
  }
}

// Splits one data line into columns: comma-separated when the line contains a comma (fields
// trimmed, so "u, v" works and ids may contain inner spaces), otherwise on runs of blanks.
// Keeps the first three columns and counts all of them.
struct Columns {
  std::array<std::string_view, 3> field{};
  std::size_t count = 0;
};

Columns split_columns(std::string_view line) {
  Columns c;
  auto keep = [&c](std::string_view f) {
    if (c.count < c.field.size()) c.field[c.count] = f;
    ++c.count;
  };
  if (line.find(',') != std::string_view::npos) {
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = line.find(',', start);
      if (comma == std::string_view::npos) {
        keep(trim(line.substr(start)));
        return c;
      }
      keep(trim(line.substr(start, comma - start)));
      start = comma + 1;
    }
  }
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i == line.size()) break;
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    keep(line.substr(start, i - start));
  }
  return c;
}

std::string describe(const std::filesystem::path& path, const EdgeListOptions& opt) {
  std::string d = "edgelist path=" + path.string();
  d += opt.directed ? " directed=true" : " directed=false";
  d += opt.weighted ? " weighted=true" : " weighted=false";
  if (opt.ignore_extra_columns) d += " ignore_extra_columns=true";
  if (opt.comment != '#') d += std::string(" comment=") + opt.comment;
  if (!opt.nodes_path.empty()) d += " nodes=" + opt.nodes_path.string();
  return d;
}

FilePtr open_file(const std::string& name) {
  require_regular_input(name, "the file");  // a FIFO would block the open
  FilePtr file(std::fopen(name.c_str(), "rb"));
  if (!file) {
    const int err = errno;
    throw InputError("cannot open " + name + ": " + std::strerror(err));
  }
  return file;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The node table of an edge list: a region and/or a community per id, the ids numbered as the
// edge list numbered them. Its columns are `id region [community]`, or those a header names.
VertexAttributes read_node_table(const std::filesystem::path& path, const std::string& edges_name,
                                 const detail::IdMap& ids, char comment,
                                 std::vector<std::string>& notes) {
  const std::string name = path.string();
  const FilePtr file = open_file(name);
  const std::string source = "node table " + name;
  detail::AttributeCollector collector(name, "id", source, source);
  std::size_t columns = 0;  // fixed by the header or by the first data line
  std::size_t region_column = 0;
  std::size_t community_column = 0;  // 0: no such column (column 0 is the id)
  std::uint64_t listed = 0;

  auto fail = [&name](std::uint64_t line_no, const std::string& what, std::string_view text) {
    throw InputError(name + ":" + std::to_string(line_no) + ": " + what + " (" +
                     detail::excerpt(text) + ")");
  };
  auto layout = [&] {
    std::array<std::string, 3> names{"id", "", ""};
    if (region_column != 0) names[region_column] = "region";
    if (community_column != 0) names[community_column] = "community";
    std::string out = names[0];
    for (std::size_t k = 1; k < columns; ++k) out += " " + names[k];
    return out;
  };
  auto header = [&](const Columns& cols, std::uint64_t line_no, std::string_view line) {
    if (cols.count > 3) {
      fail(line_no,
           "a header has at most 3 columns (id region community), found " +
               std::to_string(cols.count),
           line);
    }
    for (std::size_t k = 1; k < cols.count; ++k) {
      const std::string column = lower(cols.field[k]);
      std::size_t* slot = column == "region"      ? &region_column
                          : column == "community" ? &community_column
                                                  : nullptr;
      if (slot == nullptr) {
        fail(line_no, "unknown column; expected region or community", cols.field[k]);
      }
      if (*slot != 0) fail(line_no, "column named twice", cols.field[k]);
      *slot = k;
    }
    if (region_column == 0 && community_column == 0) {
      fail(line_no, "the header names neither a region nor a community column", line);
    }
    columns = cols.count;
  };

  for_each_line(file.get(), name, [&](std::string_view raw, std::uint64_t line_no) {
    if (line_no == 1 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == comment || line.front() == '%') return;
    const Columns cols = split_columns(line);
    if (columns == 0) {
      if (lower(cols.field[0]) == "id") {
        header(cols, line_no, line);
        return;
      }
      if (cols.count != 2 && cols.count != 3) {
        fail(line_no,
             "expected 2 or 3 columns (id region [community]), found " + std::to_string(cols.count),
             line);
      }
      columns = cols.count;
      region_column = 1;
      community_column = columns == 3 ? 2 : 0;
    }
    if (cols.count != columns) {
      fail(line_no,
           "expected " + std::to_string(columns) + " columns (" + layout() + "), found " +
               std::to_string(cols.count),
           line);
    }
    for (std::size_t k = 0; k < columns; ++k) {
      if (cols.field[k].empty()) {
        fail(line_no, "column " + std::to_string(k + 1) + " is empty", line);
      }
    }
    const VertexId v = ids.find(cols.field[0]);
    if (v == kNoVertex) fail(line_no, "id not found in the edge list " + edges_name, cols.field[0]);
    bool repeated = false;
    if (region_column != 0) {
      const auto region = detail::parse_region(cols.field[region_column]);
      if (!region) fail(line_no, detail::kRegionError, cols.field[region_column]);
      repeated = !collector.set_region(v, *region);
    }
    if (community_column != 0) {
      const auto community = detail::parse_community(cols.field[community_column]);
      if (!community) fail(line_no, detail::kCommunityError, cols.field[community_column]);
      repeated = !collector.set_community(v, *community, line_no) || repeated;
    }
    if (repeated) fail(line_no, "id listed twice", cols.field[0]);
    ++listed;
  });

  if (listed == 0) notes.push_back(source + " lists no users");
  return collector.finish(static_cast<VertexId>(ids.size()), ids, notes);
}

// One data line of the edge list, parsed without the importer's state: what the serial pass
// needs to number the ids and add the arcs.
struct DataLine {
  std::string_view source, target;
  float weight = 1.0f;
  std::uint64_t line = 0;  // within its piece, from 1
};

// A piece of a block, parsed on its own. The parse stops at the first line that is not a valid
// data line, blank line or comment, and leaves it to the serial handler to report.
struct ParsedPiece {
  std::vector<DataLine> data;
  std::uint64_t lines = 0;  // lines in the piece
  std::uint64_t extra_column_lines = 0;
  std::uint64_t stop_line = 0;  // 0: parsed to the end
  std::string_view stop_text;
};

ParsedPiece parse_piece(std::string_view text, const EdgeListOptions& opt, std::size_t needed) {
  ParsedPiece piece;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view raw = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++piece.lines;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == opt.comment || line.front() == '%') continue;
    const Columns cols = split_columns(line);
    bool valid = cols.count >= needed && (cols.count == needed || opt.ignore_extra_columns) &&
                 !cols.field[0].empty() && !cols.field[1].empty();
    float weight = 1.0f;
    if (valid && opt.weighted) {
      const detail::WeightParse p = detail::parse_weight(cols.field[2]);
      valid = !cols.field[2].empty() && p.error == nullptr;
      weight = p.value;
    }
    if (!valid) {
      piece.stop_line = piece.lines;
      piece.stop_text = raw;
      return piece;
    }
    if (cols.count > needed) ++piece.extra_column_lines;
    piece.data.push_back({cols.field[0], cols.field[1], weight, piece.lines});
  }
  return piece;
}

// Cuts a block of whole lines into pieces at line ends and parses them in parallel. The pieces
// depend on the block alone, not on the thread count, and are consumed in order, so ids are
// numbered in order of first appearance as a serial read numbers them.
std::vector<ParsedPiece> parse_in_parallel(std::string_view block, const EdgeListOptions& opt,
                                           std::size_t needed) {
  constexpr std::size_t kPieceBytes = std::size_t{1} << 18;
  std::vector<std::string_view> texts;
  while (!block.empty()) {
    std::size_t cut = std::min(block.size(), kPieceBytes);
    if (cut < block.size()) {
      const std::size_t newline = block.find('\n', cut - 1);
      cut = newline == std::string_view::npos ? block.size() : newline + 1;
    }
    texts.push_back(block.substr(0, cut));
    block.remove_prefix(cut);
  }
  std::vector<ParsedPiece> pieces(texts.size());
  tbb::parallel_for(std::size_t{0}, texts.size(),
                    [&](std::size_t i) { pieces[i] = parse_piece(texts[i], opt, needed); });
  return pieces;
}

}  // namespace

namespace detail {

SocialGraph import_edge_list(const std::filesystem::path& path, const EdgeListOptions& opt,
                             ImportReport* report, std::uint64_t max_vertices,
                             VertexAttributes* attributes) {
  const std::string name = path.string();
  const FilePtr file = open_file(name);

  const std::size_t needed = opt.weighted ? 3 : 2;
  IdMap ids(max_vertices);
  std::vector<ArcInput> arcs;
  std::vector<float> weights;
  std::uint64_t data_lines = 0;
  std::uint64_t lines_with_extra_columns = 0;

  auto fail = [&name](std::uint64_t line_no, const std::string& what, std::string_view text) {
    throw InputError(name + ":" + std::to_string(line_no) + ": " + what + " (" + excerpt(text) +
                     ")");
  };
  auto vertex = [&](std::string_view token, std::uint64_t line_no, int column) {
    if (const std::string wrong = id_problem(token); !wrong.empty()) {
      throw InputError(name + ":" + std::to_string(line_no) + ": the id in column " + std::to_string(column) + " " +
                       wrong);
    }
    const VertexId v = ids.intern(token);
    if (v == kNoVertex) {
      fail(line_no, "more than " + std::to_string(max_vertices) + " vertices", token);
    }
    return v;
  };

  const auto add_edge = [&](std::string_view source, std::string_view target, float w, std::uint64_t line_no) {
    const VertexId s = vertex(source, line_no, 1);
    const VertexId t = vertex(target, line_no, 2);
    ++data_lines;
    arcs.push_back({s, t});
    if (opt.weighted) weights.push_back(w);
    // An undirected self-loop is its own reverse: one arc, not two.
    if (!opt.directed && s != t) {
      arcs.push_back({t, s});
      if (opt.weighted) weights.push_back(w);
    }
  };

  // A block whose ids are all canonical integers that fit the direct table (SNAP-style lists)
  // is numbered in four passes instead of one token at a time, which on a large graph is one
  // serial cache miss per token: in parallel, each piece reads its values and lists those not
  // numbered before the block (the first occurrence of each, in order); serially, those few are
  // numbered in file order; in parallel, each piece writes its arcs into its own range. The ids,
  // arcs and errors are those of the serial pass. Returns false, having changed nothing that
  // shows, when the block needs the serial pass: another kind of id, or a line the parallel
  // parse left to it.
  const auto number_in_parallel = [&](const std::vector<ParsedPiece>& pieces, std::uint64_t lines_before) {
    struct Values {
      std::vector<std::uint64_t> value;  // source and target of each data line
      std::vector<std::uint32_t> fresh;  // positions in `value` of values first seen here
      std::uint64_t max = 0;
      std::uint64_t arcs = 0;
      bool canonical = true;
    };
    if (!ids.dense_mode()) return false;
    for (const ParsedPiece& piece : pieces) {
      if (piece.stop_line != 0) return false;
    }
    std::vector<Values> values(pieces.size());
    tbb::parallel_for(std::size_t{0}, pieces.size(), [&](std::size_t i) {
      Values& own = values[i];
      own.value.resize(2 * pieces[i].data.size());
      for (std::size_t k = 0; k < pieces[i].data.size() && own.canonical; ++k) {
        const DataLine& d = pieces[i].data[k];
        std::uint64_t& source = own.value[2 * k];
        std::uint64_t& target = own.value[2 * k + 1];
        own.canonical = IdMap::canonical_integer(d.source, source) && IdMap::canonical_integer(d.target, target);
        own.max = std::max({own.max, source, target});
        own.arcs += !opt.directed && source != target ? 2 : 1;
      }
    });
    std::uint64_t max_value = 0;
    for (const Values& own : values) {
      if (!own.canonical) return false;
      max_value = std::max(max_value, own.max);
    }
    if (!ids.make_dense_room(max_value)) return false;

    tbb::parallel_for(std::size_t{0}, pieces.size(), [&](std::size_t i) {
      Values& own = values[i];
      std::vector<std::pair<std::uint64_t, std::uint32_t>> unseen;  // value, position
      for (std::size_t k = 0; k < own.value.size(); ++k) {
        if (ids.find_dense(own.value[k]) == kNoVertex) unseen.emplace_back(own.value[k], static_cast<std::uint32_t>(k));
      }
      std::sort(unseen.begin(), unseen.end());
      unseen.erase(std::unique(unseen.begin(), unseen.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                   unseen.end());
      own.fresh.reserve(unseen.size());
      for (const auto& entry : unseen) own.fresh.push_back(entry.second);
      std::sort(own.fresh.begin(), own.fresh.end());
    });
    std::uint64_t piece_first_line = lines_before;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      for (const std::uint32_t k : values[i].fresh) {
        const std::uint64_t value = values[i].value[k];
        if (ids.find_dense(value) != kNoVertex) continue;  // first seen in an earlier piece
        const DataLine& d = pieces[i].data[k / 2];
        const std::string_view token = k % 2 == 0 ? d.source : d.target;
        if (ids.add_dense(value, token) == kNoVertex) {
          fail(piece_first_line + d.line, "more than " + std::to_string(max_vertices) + " vertices", token);
        }
      }
      piece_first_line += pieces[i].lines;
    }

    std::vector<std::uint64_t> first_arc(pieces.size() + 1, arcs.size());
    for (std::size_t i = 0; i < pieces.size(); ++i) first_arc[i + 1] = first_arc[i] + values[i].arcs;
    const std::uint64_t total = first_arc.back();
    if (total > arcs.capacity()) arcs.reserve(std::max<std::uint64_t>(total, 2 * arcs.capacity()));
    arcs.resize(total);
    if (opt.weighted) {
      if (total > weights.capacity()) weights.reserve(std::max<std::uint64_t>(total, 2 * weights.capacity()));
      weights.resize(total);
    }
    tbb::parallel_for(std::size_t{0}, pieces.size(), [&](std::size_t i) {
      std::uint64_t at = first_arc[i];
      for (std::size_t k = 0; k < pieces[i].data.size(); ++k) {
        const VertexId source = ids.find_dense(values[i].value[2 * k]);
        const VertexId target = ids.find_dense(values[i].value[2 * k + 1]);
        const float w = pieces[i].data[k].weight;
        arcs[at] = {source, target};
        if (opt.weighted) weights[at] = w;
        ++at;
        if (!opt.directed && source != target) {
          arcs[at] = {target, source};
          if (opt.weighted) weights[at] = w;
          ++at;
        }
      }
    });
    for (const ParsedPiece& piece : pieces) {
      data_lines += piece.data.size();
      lines_with_extra_columns += piece.extra_column_lines;
    }
    return true;
  };

  // Every line goes through this, in file order, when parsed serially: the first line (it may
  // start with a byte-order mark) and the line where a block's parallel parse stopped, which it
  // reports with the message it deserves.
  const auto handle_line = [&](std::string_view raw, std::uint64_t line_no) {
        // A UTF-8 byte order mark (Excel CSV exports) is not part of the first id.
        if (line_no == 1 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);
        const std::string_view line = trim(raw);
        if (line.empty() || line.front() == opt.comment || line.front() == '%') return;

        const Columns cols = split_columns(line);
        if (cols.count < needed || (cols.count > needed && !opt.ignore_extra_columns)) {
          std::string what =
              "expected " + std::to_string(needed) +
              (opt.weighted ? " columns (source target weight)" : " columns (source target)") +
              ", found " + std::to_string(cols.count);
          if (cols.count > needed) {
            what += opt.weighted ? "; set ignore_extra_columns to skip the rest"
                                 : "; set weighted or ignore_extra_columns";
          }
          fail(line_no, what, line);
        }
        for (std::size_t k = 0; k < needed; ++k) {
          if (cols.field[k].empty())
            fail(line_no, "column " + std::to_string(k + 1) + " is empty", line);
        }
        if (cols.count > needed) ++lines_with_extra_columns;

        float w = 1.0f;
        if (opt.weighted) {
          const WeightParse p = parse_weight(cols.field[2]);
          if (p.error != nullptr) {
            std::string what = p.error;
            // The usual cause on the first line is a header, which this format cannot tell
            // from an edge between two vertices named like columns.
            if (data_lines == 0 && !p.is_number) {
              what += "; comment out a header line with ";
              what += opt.comment;
            }
            fail(line_no, what, cols.field[2]);
          }
          w = p.value;
        }
        add_edge(cols.field[0], cols.field[1], w, line_no);
      };

  const std::uint64_t lines = for_each_block(file.get(), name, [&](std::string_view block, std::uint64_t first_line) {
    if (first_line == 1) {
      const std::size_t newline = block.find('\n');
      handle_line(block.substr(0, newline), 1);
      if (newline == std::string_view::npos) return;
      block.remove_prefix(newline + 1);
      first_line = 2;
    }
    std::vector<ParsedPiece> pieces = parse_in_parallel(block, opt, needed);
    if (number_in_parallel(pieces, first_line - 1)) return;
    std::uint64_t line_no = first_line - 1;  // lines before the current piece
    for (const ParsedPiece& piece : pieces) {
      for (const DataLine& d : piece.data) add_edge(d.source, d.target, d.weight, line_no + d.line);
      lines_with_extra_columns += piece.extra_column_lines;
      if (piece.stop_line != 0) {
        handle_line(piece.stop_text, line_no + piece.stop_line);
        throw std::logic_error(fmt::format("{}:{}: the parallel edge-list parser refused a line the serial one accepts",
                                           name, line_no + piece.stop_line));
      }
      line_no += piece.lines;
    }
  });

  if (data_lines == 0) {
    throw InputError(name + ": no edges found (" + std::to_string(lines) +
                     " lines, all blank or comments)");
  }

  ImportReport local;
  local.lines = lines;
  local.arcs_read = arcs.size();
  if (lines_with_extra_columns > 0) {
    local.notes.push_back("ignored extra columns on " + std::to_string(lines_with_extra_columns) +
                          " lines");
  }
  VertexAttributes read;
  if (!opt.nodes_path.empty())
    read = read_node_table(opt.nodes_path, name, ids, opt.comment, local.notes);
  if (attributes != nullptr) *attributes = std::move(read);
  const auto n = static_cast<VertexId>(ids.size());
  BuildReport build;
  SocialGraph g = SocialGraph::from_arcs(n, std::move(arcs), std::move(weights), ids.take_labels(),
                                         BuildOptions{.mutual = !opt.directed}, &build);
  local.self_loops_dropped = build.self_loops_dropped;
  local.duplicate_arcs_merged = build.duplicate_arcs_merged;
  if (g.num_arcs() == 0) local.notes.push_back("every edge was a self-loop; the graph has no arcs");
  g.set_description(describe(path, opt));
  if (report != nullptr) *report = std::move(local);
  return g;
}

}  // namespace detail

SocialGraph import_edge_list(const std::filesystem::path& path, const EdgeListOptions& opt,
                             ImportReport* report, VertexAttributes* attributes) {
  return detail::import_edge_list(path, opt, report, detail::kMaxImportVertices, attributes);
}

}  // namespace softpower
