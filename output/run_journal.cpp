// The run journal on disk. DIR holds:
//
//   manifest        three text lines: "softpower-run-journal 1", "fingerprint: FP",
//                   "identity: ID" (backslash and newline escaped as \\ and \n); written once,
//                   atomically, when DIR is created.
//   seg-N.runs      one per append, N the 20-digit zero-padded sequence number (append order).
//   .seg-N.tmp      an append in progress or interrupted; never read, deleted by replay.
//
// A segment, every integer little-endian:
//
//   offset      size  field
//   0           8     magic "SPJRNL01"
//   8           4     u32 segment format (2; format 1, without events, is read as damaged)
//   12          4     u32 F: fingerprint length in bytes (at most 4096)
//   16          F     fingerprint
//   16+F        8     u64 number of runs
//   24+F        8     u64 uncompressed payload size
//   32+F        8     u64 compressed payload size C (the file is exactly 48+F+C bytes)
//   40+F        4     u32 CRC-32 (zlib) of the C compressed bytes
//   44+F        4     u32 CRC-32 of bytes [0, 44+F) of the header
//   48+F        C     payload: one zlib stream (deflate level 1) of the runs, back to back
//
// One run in the payload ("vector<T>" is a u64 element count, then the elements; f64 and f32
// are stored as their IEEE-754 bit patterns, so NaN payloads survive):
//
//   u64 run, u64 seed, u32 institution, i64 steps_run,
//   u64 metric count, then per metric vector<i64>,
//   u64 series count, then per series vector<f64>,
//   vector<i64> snapshot_steps, vector<f32> snapshots,
//   u64 item count, then per item (89 bytes): u32 item, u32 push, u32 topic, f64 appeal,
//   f64 sensitivity, f64 valence, i64 publish_step, u8 blocked (0 or 1), i64 takedown_step,
//   u64 reads, u64 shares, u64 first_hop_shares, u64 reach, u32 depth,
//   then the run's events (all empty or 0 when it recorded none):
//   vector<i64> first_exposure,
//   u64 read count, then per read (27 bytes): u32 item, u32 user, i64 step, u32 parent,
//   u32 hop, u8 via (channel, below 5), u8 outcome (below 4), u8 share_channel (below 5),
//   vector<f32> attitude_initial, vector<f32> attitude_final, u64 graph_checksum.
//
// Reading trusts nothing: the header has its own checksum (so a damaged fingerprint reads as
// damage, not as another sweep), the payload checksum is verified, and every count is bounded
// by the bytes left before anything is allocated.
#include "output/run_journal.hpp"

#define ZLIB_CONST
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "sim/detail/atomic_file.hpp"
#include "sim/error.hpp"
#include "sim/output_path.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "SPJRNL01";
constexpr std::uint32_t kSegmentFormat = 2;
constexpr std::size_t kMaxFingerprintBytes = 4096;
constexpr std::size_t kHeaderFixedBytes = 48;  // plus the fingerprint
constexpr std::size_t kHeaderCrcOffset = 44;   // plus the fingerprint
constexpr int kDeflateLevel = 1;
constexpr std::size_t kIoChunk = std::size_t{1} << 20;
constexpr std::size_t kMaxZlibChunk = std::size_t{1} << 30;  // zlib counts in 32-bit uInt
constexpr std::size_t kItemBytes = 3 * 4 + 3 * 8 + 8 + 1 + 8 + 4 * 8 + 4;
constexpr std::size_t kReadBytes = 2 * 4 + 8 + 2 * 4 + 3 * 1;
constexpr std::size_t kMaxManifestBytes = 64 * 1024;
// Larger than any payload this process could hold; a header declaring more is damaged.
constexpr std::uint64_t kMaxPayload = std::numeric_limits<std::size_t>::max() / 2;

constexpr std::string_view kManifestName = "manifest";
constexpr std::string_view kManifestTemp = ".manifest.tmp";
constexpr std::string_view kManifestFormat = "softpower-run-journal";
constexpr std::string_view kManifestVersion = "1";
constexpr std::string_view kSegmentPrefix = "seg-";
constexpr std::string_view kSegmentSuffix = ".runs";
constexpr std::string_view kTempPrefix = ".seg-";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr std::size_t kSequenceDigits = 20;

std::string segment_name(std::uint64_t sequence) {
  return fmt::format("{}{:020}{}", kSegmentPrefix, sequence, kSegmentSuffix);
}

std::string temp_name(std::uint64_t sequence) {
  return fmt::format("{}{:020}{}", kTempPrefix, sequence, kTempSuffix);
}

/// The sequence number of PREFIX + 20 digits + SUFFIX; nothing for any other name.
std::optional<std::uint64_t> parse_sequence(std::string_view name, std::string_view prefix,
                                            std::string_view suffix) {
  if (name.size() != prefix.size() + kSequenceDigits + suffix.size() || !name.starts_with(prefix) ||
      !name.ends_with(suffix)) {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(prefix.size(), kSequenceDigits);
  if (!std::ranges::all_of(digits, [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

[[noreturn]] void fail_io(const fs::path& path, std::string_view what, int error) {
  const std::string full = full_disk_note(path, path, error, "");
  throw RuntimeFailure(fmt::format("{}: {}: {}{}", path.string(), what, std::strerror(error),
                                   full.empty() ? "" : "; " + full));
}

// ---- Little-endian encoding --------------------------------------------------------------

template <class U>
void store_le(unsigned char* out, U value) {
  static_assert(std::is_unsigned_v<U>);
  for (std::size_t i = 0; i < sizeof(U); ++i) {
    out[i] = static_cast<unsigned char>(value >> (8 * i));
  }
}

template <class U>
U load_le(const unsigned char* in) {
  static_assert(std::is_unsigned_v<U>);
  U value = 0;
  for (std::size_t i = 0; i < sizeof(U); ++i) value |= static_cast<U>(in[i]) << (8 * i);
  return value;
}

/// The unsigned integer a scalar field is stored as.
template <class T>
using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t,
                                std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint8_t>>;

template <class T>
Bits<T> to_bits(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::bit_cast<Bits<T>>(value);
  } else {
    return static_cast<Bits<T>>(value);
  }
}

template <class T>
T from_bits(Bits<T> bits) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::bit_cast<T>(bits);
  } else {
    return static_cast<T>(bits);
  }
}

std::uint32_t crc32_of(std::uint32_t crc, const unsigned char* data, std::size_t size) {
  while (size > 0) {
    const std::size_t chunk = std::min(size, kMaxZlibChunk);
    crc = static_cast<std::uint32_t>(::crc32(crc, data, static_cast<uInt>(chunk)));
    data += chunk;
    size -= chunk;
  }
  return crc;
}

// ---- Plain I/O ---------------------------------------------------------------------------

/// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  /// Closes now; false with errno set if close(2) reported an error.
  bool close() { return ::close(std::exchange(fd_, -1)) == 0; }

 private:
  int fd_ = -1;
};

/// write(2), or pwrite(2) at `offset` when one is given, until done; false with errno set on
/// failure.
bool write_all(int fd, const unsigned char* data, std::size_t size, std::optional<off_t> offset = {}) {
  while (size > 0) {
    const std::size_t chunk = std::min(size, kMaxZlibChunk);
    const ssize_t n = offset ? ::pwrite(fd, data, chunk, *offset) : ::write(fd, data, chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = ENOSPC;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
    if (offset) *offset += n;
  }
  return true;
}

/// read(2) until `size` bytes or end of file; the count read, or -1 with errno set.
std::ptrdiff_t read_up_to(int fd, unsigned char* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, data + done, std::min(size - done, kMaxZlibChunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<std::ptrdiff_t>(done);
}

/// A file created exclusively for writing, unlinked on destruction unless committed.
class TempFile {
 public:
  explicit TempFile(fs::path path)
      : path_(std::move(path)),
        fd_(::open(path_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644)) {
    if (!fd_.valid()) fail_io(path_, "cannot create", errno);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!committed_) {
      const int saved = errno;
      if (fd_.valid()) fd_.close();
      ::unlink(path_.c_str());
      errno = saved;
    }
  }

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const fs::path& path() const { return path_; }

  void write(const unsigned char* data, std::size_t size) {
    if (!write_all(fd_.get(), data, size)) fail_io(path_, "cannot write", errno);
  }

  /// fsync, close and rename to `final_path`; the file then belongs to its final name.
  void commit(const fs::path& final_path) {
    if (::fsync(fd_.get()) != 0) fail_io(path_, "cannot sync to disk", errno);
    if (!fd_.close()) fail_io(path_, "cannot close", errno);
    if (::rename(path_.c_str(), final_path.c_str()) != 0) {
      fail_io(path_, "cannot rename to " + final_path.string(), errno);
    }
    committed_ = true;
  }

 private:
  fs::path path_;
  Fd fd_;
  bool committed_ = false;
};

// ---- Manifest ----------------------------------------------------------------------------

std::string escape_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> unescape_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    if (text[i] == '\\') {
      out += '\\';
    } else if (text[i] == 'n') {
      out += '\n';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string manifest_text(std::string_view fingerprint, std::string_view identity) {
  return fmt::format("{} {}\nfingerprint: {}\nidentity: {}\n", kManifestFormat, kManifestVersion,
                     escape_line(fingerprint), escape_line(identity));
}

struct Manifest {
  std::string fingerprint;
  std::string identity;
};

std::string not_a_checkpoint(const fs::path& dir, std::string_view why) {
  return fmt::format("{}: not a softpower checkpoint ({}); delete it or use another output",
                     dir.string(), why);
}

/// Parses a manifest; InputError naming `dir` unless it is one this version reads.
Manifest parse_manifest(const fs::path& dir, std::string_view text) {
  const auto garbage = [&] {
    return InputError(not_a_checkpoint(dir, "its manifest is not a run journal manifest"));
  };
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) throw garbage();  // every line ends in a newline
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  if (lines.empty()) throw garbage();
  const std::string format_prefix = std::string(kManifestFormat) + " ";
  if (!lines[0].starts_with(format_prefix)) throw garbage();
  const std::string_view version = lines[0].substr(format_prefix.size());
  if (version != kManifestVersion) {
    throw InputError(fmt::format(
        "{}: checkpoint in run journal format {}, this softpower reads format {}; delete it or "
        "use another output",
        dir.string(), version.substr(0, 32), kManifestVersion));
  }
  constexpr std::string_view kFingerprintKey = "fingerprint: ";
  constexpr std::string_view kIdentityKey = "identity: ";
  if (lines.size() != 3 || !lines[1].starts_with(kFingerprintKey) ||
      !lines[2].starts_with(kIdentityKey)) {
    throw garbage();
  }
  std::optional<std::string> fingerprint = unescape_line(lines[1].substr(kFingerprintKey.size()));
  std::optional<std::string> identity = unescape_line(lines[2].substr(kIdentityKey.size()));
  if (!fingerprint || !identity) throw garbage();
  return {std::move(*fingerprint), std::move(*identity)};
}

/// The names in `dir`; RuntimeFailure naming `dir` if it cannot be listed.
std::vector<std::string> list_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  const fs::directory_iterator end;
  for (; !ec && it != end; it.increment(ec)) names.push_back(it->path().filename().string());
  if (ec) throw RuntimeFailure(dir.string() + ": cannot list the checkpoint: " + ec.message());
  return names;
}

// ---- Writing a segment -------------------------------------------------------------------

struct SegmentHeader {
  std::string fingerprint;
  std::uint64_t runs = 0;
  std::uint64_t uncompressed = 0;
  std::uint64_t compressed = 0;
  std::uint32_t payload_crc = 0;
};

std::size_t header_size(std::size_t fingerprint_size) {
  return kHeaderFixedBytes + fingerprint_size;
}

std::vector<unsigned char> encode_header(const SegmentHeader& header) {
  const std::size_t f = header.fingerprint.size();
  std::vector<unsigned char> out(header_size(f));
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  store_le<std::uint32_t>(out.data() + 8, kSegmentFormat);
  store_le<std::uint32_t>(out.data() + 12, static_cast<std::uint32_t>(f));
  std::memcpy(out.data() + 16, header.fingerprint.data(), f);
  store_le<std::uint64_t>(out.data() + 16 + f, header.runs);
  store_le<std::uint64_t>(out.data() + 24 + f, header.uncompressed);
  store_le<std::uint64_t>(out.data() + 32 + f, header.compressed);
  store_le<std::uint32_t>(out.data() + 40 + f, header.payload_crc);
  store_le<std::uint32_t>(out.data() + kHeaderCrcOffset + f,
                          crc32_of(0, out.data(), kHeaderCrcOffset + f));
  return out;
}

/// Where segment bytes go, and where they come from (read_up_to semantics: bytes read, fewer
/// only at the end, negative with errno on an error): a file or memory.
using ByteSink = std::function<void(const unsigned char*, std::size_t)>;
using ByteSource = std::function<std::ptrdiff_t(unsigned char*, std::size_t)>;

ByteSource file_source(int fd) {
  return [fd](unsigned char* data, std::size_t size) { return read_up_to(fd, data, size); };
}

/// Serializes runs into a zlib stream written to a sink as it fills, so memory stays at two
/// small buffers whatever the size of the runs; large arrays go to zlib without a copy.
class PayloadWriter {
 public:
  /// Compressed bytes go to `sink`; `name` (a file) is for messages.
  PayloadWriter(ByteSink sink, std::string name)
      : sink_(std::move(sink)), name_(std::move(name)), in_(kIoChunk), out_(kIoChunk) {
    if (deflateInit(&zs_, kDeflateLevel) != Z_OK) {
      throw RuntimeFailure(name_ + ": cannot initialize zlib");
    }
  }
  PayloadWriter(const PayloadWriter&) = delete;
  PayloadWriter& operator=(const PayloadWriter&) = delete;
  ~PayloadWriter() { deflateEnd(&zs_); }

  template <class T>
  void scalar(T value) {
    const Bits<T> bits = to_bits(value);
    if (in_.size() - used_ < sizeof bits) flush_input();
    store_le(in_.data() + used_, bits);
    used_ += sizeof bits;
  }

  template <class T>
  void array(const std::vector<T>& values) {
    scalar<std::uint64_t>(values.size());
    if constexpr (std::endian::native == std::endian::little) {
      bytes(reinterpret_cast<const unsigned char*>(values.data()), values.size() * sizeof(T));
    } else {
      for (const T value : values) scalar(value);
    }
  }

  void run(const RunResult& run) {
    scalar<std::uint64_t>(run.run);
    scalar<std::uint64_t>(run.seed);
    scalar<std::uint32_t>(run.institution);
    scalar<std::int64_t>(run.steps_run);
    scalar<std::uint64_t>(run.metrics.size());
    for (const auto& metric : run.metrics) array(metric);
    scalar<std::uint64_t>(run.series.size());
    for (const auto& series : run.series) array(series);
    array(run.snapshot_steps);
    array(run.snapshots);
    scalar<std::uint64_t>(run.items.size());
    for (const ItemRecord& item : run.items) {
      scalar<std::uint32_t>(item.item);
      scalar<std::uint32_t>(item.push);
      scalar<std::uint32_t>(item.topic);
      scalar<double>(item.appeal);
      scalar<double>(item.sensitivity);
      scalar<double>(item.valence);
      scalar<std::int64_t>(item.publish_step);
      scalar<std::uint8_t>(item.blocked ? 1 : 0);
      scalar<std::int64_t>(item.takedown_step);
      scalar<std::uint64_t>(item.reads);
      scalar<std::uint64_t>(item.shares);
      scalar<std::uint64_t>(item.first_hop_shares);
      scalar<std::uint64_t>(item.reach);
      scalar<std::uint32_t>(item.depth);
    }
    const UserEvents& events = run.events;
    array(events.first_exposure);
    scalar<std::uint64_t>(events.reads.size());
    for (const ReadEvent& read : events.reads) {
      scalar<std::uint32_t>(read.item);
      scalar<std::uint32_t>(read.user);
      scalar<std::int64_t>(read.step);
      scalar<std::uint32_t>(read.parent);
      scalar<std::uint32_t>(read.hop);
      scalar<std::uint8_t>(static_cast<std::uint8_t>(read.via));
      scalar<std::uint8_t>(static_cast<std::uint8_t>(read.outcome));
      scalar<std::uint8_t>(static_cast<std::uint8_t>(read.share_channel));
    }
    array(events.attitude_initial);
    array(events.attitude_final);
    scalar<std::uint64_t>(events.graph_checksum);
  }

  void finish() {
    flush_input();
    while (step(Z_FINISH) != Z_STREAM_END) {
    }
  }

  [[nodiscard]] std::uint64_t uncompressed() const { return uncompressed_; }
  [[nodiscard]] std::uint64_t compressed() const { return compressed_; }
  [[nodiscard]] std::uint32_t crc() const { return crc_; }

 private:
  void bytes(const unsigned char* data, std::size_t size) {
    if (size == 0) return;  // data() of an empty vector may be null
    if (size <= in_.size() - used_) {
      std::memcpy(in_.data() + used_, data, size);
      used_ += size;
      return;
    }
    flush_input();
    if (size < in_.size()) {
      std::memcpy(in_.data(), data, size);
      used_ = size;
    } else {
      deflate_input(data, size);
    }
  }

  void flush_input() {
    deflate_input(in_.data(), used_);
    used_ = 0;
  }

  void deflate_input(const unsigned char* data, std::size_t size) {
    uncompressed_ += size;
    while (size > 0) {
      const std::size_t chunk = std::min(size, kMaxZlibChunk);
      zs_.next_in = data;
      zs_.avail_in = static_cast<uInt>(chunk);
      do {
        step(Z_NO_FLUSH);
      } while (zs_.avail_out == 0);
      data += chunk;
      size -= chunk;
    }
  }

  /// One deflate call into an empty output buffer, whose bytes go to the file.
  int step(int flush) {
    zs_.next_out = out_.data();
    zs_.avail_out = static_cast<uInt>(out_.size());
    const int rc = ::deflate(&zs_, flush);
    if (rc == Z_STREAM_ERROR) {
      throw RuntimeFailure(name_ + ": zlib compression failed");
    }
    const std::size_t produced = out_.size() - zs_.avail_out;
    crc_ = crc32_of(crc_, out_.data(), produced);
    compressed_ += produced;
    sink_(out_.data(), produced);
    return rc;
  }

  ByteSink sink_;
  std::string name_;
  z_stream zs_{};
  std::vector<unsigned char> in_;
  std::size_t used_ = 0;
  std::vector<unsigned char> out_;
  std::uint64_t uncompressed_ = 0;
  std::uint64_t compressed_ = 0;
  std::uint32_t crc_ = 0;
};

// ---- Reading a segment -------------------------------------------------------------------

/// Why a segment cannot be used; replay turns it into a note.
struct Damaged {
  std::string reason;
};

/// Reads and checks the header of the open segment of `file_size` bytes. Throws Damaged.
SegmentHeader read_header(const ByteSource& read, std::uint64_t file_size) {
  constexpr std::size_t kPrefix = 16;
  unsigned char prefix[kPrefix];
  const std::ptrdiff_t got = read(prefix, kPrefix);
  if (got < 0) throw Damaged{std::string("cannot read: ") + std::strerror(errno)};
  if (static_cast<std::size_t>(got) < kMagic.size() ||
      std::memcmp(prefix, kMagic.data(), kMagic.size()) != 0) {
    throw Damaged{"not a segment: wrong magic bytes"};
  }
  if (static_cast<std::size_t>(got) < kPrefix) throw Damaged{"truncated header"};
  const auto format = load_le<std::uint32_t>(prefix + 8);
  if (format != kSegmentFormat) {
    throw Damaged{
        fmt::format("segment format {}, this softpower reads {}", format, kSegmentFormat)};
  }
  const auto f = load_le<std::uint32_t>(prefix + 12);
  if (f > kMaxFingerprintBytes) throw Damaged{"corrupt header (fingerprint length)"};
  const std::size_t size = header_size(f);
  if (file_size < size) throw Damaged{"truncated header"};
  std::vector<unsigned char> bytes(size);
  std::memcpy(bytes.data(), prefix, kPrefix);
  const std::ptrdiff_t rest = read(bytes.data() + kPrefix, size - kPrefix);
  if (rest < 0) throw Damaged{std::string("cannot read: ") + std::strerror(errno)};
  if (static_cast<std::size_t>(rest) != size - kPrefix) throw Damaged{"truncated header"};
  const auto stored_crc = load_le<std::uint32_t>(bytes.data() + kHeaderCrcOffset + f);
  if (crc32_of(0, bytes.data(), kHeaderCrcOffset + f) != stored_crc) {
    throw Damaged{"header checksum mismatch"};
  }
  SegmentHeader header;
  header.fingerprint.assign(reinterpret_cast<const char*>(bytes.data() + 16), f);
  header.runs = load_le<std::uint64_t>(bytes.data() + 16 + f);
  header.uncompressed = load_le<std::uint64_t>(bytes.data() + 24 + f);
  header.compressed = load_le<std::uint64_t>(bytes.data() + 32 + f);
  header.payload_crc = load_le<std::uint32_t>(bytes.data() + 40 + f);
  const std::uint64_t payload_size = file_size - size;
  if (header.uncompressed > kMaxPayload) throw Damaged{"corrupt header (payload size)"};
  if (payload_size != header.compressed) {
    throw Damaged{fmt::format("{}: {} payload bytes, the header says {}",
                              payload_size < header.compressed ? "truncated" : "trailing bytes",
                              payload_size, header.compressed)};
  }
  return header;
}

/// Reads the rest of the open segment (after its header): checks the payload checksum and
/// returns the decompressed payload. The buffer grows with what zlib actually produces, never
/// past the size the header declares, so a lying header cannot cause a large allocation.
std::vector<unsigned char> read_payload(const ByteSource& read, const SegmentHeader& header) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw Damaged{"cannot initialize zlib"};
  struct InflateEnd {
    z_stream* zs;
    ~InflateEnd() { inflateEnd(zs); }
  } inflate_end{&zs};

  // One byte past the declared size, to notice a stream that holds more than it says.
  const std::uint64_t cap = header.uncompressed + 1;
  std::vector<unsigned char> in(kIoChunk);
  std::vector<unsigned char> out(static_cast<std::size_t>(
      std::min(cap, std::max<std::uint64_t>(header.compressed * 4, kIoChunk))));
  std::size_t produced = 0;
  std::uint64_t left = header.compressed;
  std::uint32_t crc = 0;
  std::string inflate_error;  // checked after the checksum, which is the better diagnosis
  bool ended = false;
  while (left > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, in.size()));
    const std::ptrdiff_t got = read(in.data(), want);
    if (got < 0) throw Damaged{std::string("cannot read: ") + std::strerror(errno)};
    if (static_cast<std::size_t>(got) != want) throw Damaged{"truncated while being read"};
    left -= want;
    crc = crc32_of(crc, in.data(), want);
    if (!inflate_error.empty()) continue;
    if (ended) {
      inflate_error = "data after the end of the compressed stream";
      continue;
    }
    zs.next_in = in.data();
    zs.avail_in = static_cast<uInt>(want);
    while (zs.avail_in > 0 && inflate_error.empty() && !ended) {
      if (produced == out.size()) {
        if (out.size() >= cap) {
          inflate_error = "more data than the header declares";
          break;
        }
        out.resize(
            static_cast<std::size_t>(std::min(cap, static_cast<std::uint64_t>(out.size()) * 2)));
      }
      const std::size_t room = std::min(out.size() - produced, kMaxZlibChunk);
      zs.next_out = out.data() + produced;
      zs.avail_out = static_cast<uInt>(room);
      const int rc = ::inflate(&zs, Z_NO_FLUSH);
      produced += room - zs.avail_out;
      if (rc == Z_STREAM_END) {
        ended = true;
        if (zs.avail_in > 0) inflate_error = "data after the end of the compressed stream";
      } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0)) {
        inflate_error = std::string("cannot decompress: ") + (zs.msg ? zs.msg : "zlib error");
      }
    }
  }
  if (crc != header.payload_crc) throw Damaged{"payload checksum mismatch"};
  if (!inflate_error.empty()) throw Damaged{inflate_error};
  if (!ended) throw Damaged{"compressed stream ends early"};
  if (produced != header.uncompressed) throw Damaged{"decompressed size differs from the header"};
  out.resize(produced);
  return out;
}

/// Reads runs from a decompressed payload. Throws Damaged on anything that does not fit.
class PayloadReader {
 public:
  explicit PayloadReader(std::span<const unsigned char> data) : data_(data) {}

  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }

  template <class T>
  T scalar() {
    using U = Bits<T>;
    need(sizeof(U));
    const U bits = load_le<U>(data_.data() + pos_);
    pos_ += sizeof(U);
    return from_bits<T>(bits);
  }

  /// A count of elements that take at least `min_bytes` each, bounded by the bytes left.
  std::size_t count(std::size_t min_bytes) {
    const auto n = scalar<std::uint64_t>();
    if (n > remaining() / min_bytes) throw Damaged{"malformed run data (count past the end)"};
    return static_cast<std::size_t>(n);
  }

  /// Reads vector<T> into `out`, or skips it if `out` is null.
  template <class T>
  void array(std::vector<T>* out) {
    const std::size_t n = count(sizeof(Bits<T>));
    if (out != nullptr) {
      out->resize(n);
      if constexpr (std::endian::native == std::endian::little && sizeof(T) == sizeof(Bits<T>)) {
        if (n > 0) std::memcpy(out->data(), data_.data() + pos_, n * sizeof(T));
        pos_ += n * sizeof(T);
      } else {
        for (T& value : *out) value = scalar<T>();
      }
    } else {
      pos_ += n * sizeof(Bits<T>);
    }
  }

  /// Reads one run into `out`, or only checks its structure if `out` is null.
  void run(RunResult* out) {
    const auto id = scalar<std::uint64_t>();
    const auto seed = scalar<std::uint64_t>();
    const auto institution = scalar<std::uint32_t>();
    const auto steps_run = scalar<std::int64_t>();
    if (out != nullptr) {
      out->run = id;
      out->seed = seed;
      out->institution = institution;
      out->steps_run = steps_run;
    }
    const std::size_t metrics = count(sizeof(std::uint64_t));
    if (out != nullptr) out->metrics.resize(metrics);
    for (std::size_t k = 0; k < metrics; ++k) array(out ? &out->metrics[k] : nullptr);
    const std::size_t series = count(sizeof(std::uint64_t));
    if (out != nullptr) out->series.resize(series);
    for (std::size_t k = 0; k < series; ++k) array(out ? &out->series[k] : nullptr);
    array(out ? &out->snapshot_steps : nullptr);
    array(out ? &out->snapshots : nullptr);
    const std::size_t items = count(kItemBytes);
    if (out != nullptr) out->items.resize(items);
    for (std::size_t i = 0; i < items; ++i) {
      ItemRecord item;
      item.item = scalar<std::uint32_t>();
      item.push = scalar<std::uint32_t>();
      item.topic = scalar<std::uint32_t>();
      item.appeal = scalar<double>();
      item.sensitivity = scalar<double>();
      item.valence = scalar<double>();
      item.publish_step = scalar<std::int64_t>();
      const auto blocked = scalar<std::uint8_t>();
      if (blocked > 1) throw Damaged{"malformed run data (blocked flag)"};
      item.blocked = blocked == 1;
      item.takedown_step = scalar<std::int64_t>();
      item.reads = scalar<std::uint64_t>();
      item.shares = scalar<std::uint64_t>();
      item.first_hop_shares = scalar<std::uint64_t>();
      item.reach = scalar<std::uint64_t>();
      item.depth = scalar<std::uint32_t>();
      if (out != nullptr) out->items[i] = item;
    }
    UserEvents* events = out != nullptr ? &out->events : nullptr;
    array(events ? &events->first_exposure : nullptr);
    const std::size_t reads = count(kReadBytes);
    if (events != nullptr) events->reads.resize(reads);
    for (std::size_t i = 0; i < reads; ++i) {
      ReadEvent read;
      read.item = scalar<std::uint32_t>();
      read.user = scalar<std::uint32_t>();
      read.step = scalar<std::int64_t>();
      read.parent = scalar<std::uint32_t>();
      read.hop = scalar<std::uint32_t>();
      const auto via = scalar<std::uint8_t>();
      const auto outcome = scalar<std::uint8_t>();
      const auto share_channel = scalar<std::uint8_t>();
      // Codes outside the enums would be undefined values downstream: damage, not data.
      if (via >= kNumChannels || outcome > static_cast<std::uint8_t>(ReadOutcome::kSelfCensored) ||
          share_channel >= kNumChannels) {
        throw Damaged{"malformed run data (read event code)"};
      }
      read.via = static_cast<Channel>(via);
      read.outcome = static_cast<ReadOutcome>(outcome);
      read.share_channel = static_cast<Channel>(share_channel);
      if (events != nullptr) events->reads[i] = read;
    }
    array(events ? &events->attitude_initial : nullptr);
    array(events ? &events->attitude_final : nullptr);
    const auto graph_checksum = scalar<std::uint64_t>();
    if (events != nullptr) events->graph_checksum = graph_checksum;
  }

 private:
  void need(std::size_t size) const {
    if (size > remaining()) throw Damaged{"malformed run data (ends early)"};
  }

  std::span<const unsigned char> data_;
  std::size_t pos_ = 0;
};

/// Checks that the payload holds exactly `runs` runs and nothing else.
void check_payload(std::span<const unsigned char> payload, std::uint64_t runs) {
  PayloadReader reader(payload);
  for (std::uint64_t r = 0; r < runs; ++r) {
    if (reader.remaining() == 0) throw Damaged{"fewer runs than the header declares"};
    reader.run(nullptr);
  }
  if (reader.remaining() != 0) throw Damaged{"data after the last run"};
}

struct OpenSegment {
  Fd fd;
  SegmentHeader header;
};

/// Opens a segment and reads its header. Throws Damaged.
OpenSegment open_segment(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw Damaged{std::string("cannot open: ") + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    throw Damaged{std::string("cannot stat: ") + std::strerror(errno)};
  if (!S_ISREG(st.st_mode)) throw Damaged{"not a regular file"};
  SegmentHeader header = read_header(file_source(fd.get()), static_cast<std::uint64_t>(st.st_size));
  return {std::move(fd), std::move(header)};
}

}  // namespace

RunJournal::RunJournal(std::filesystem::path dir, std::string fingerprint, std::string identity)
    : dir_(std::move(dir)), fingerprint_(std::move(fingerprint)), identity_(std::move(identity)) {
  if (fingerprint_.size() > kMaxFingerprintBytes) {
    throw std::invalid_argument("RunJournal: fingerprint longer than 4096 bytes");
  }
  std::error_code ec;
  const fs::file_status status = fs::status(dir_, ec);
  if (ec && status.type() != fs::file_type::not_found) {
    throw RuntimeFailure(dir_.string() + ": cannot inspect the checkpoint: " + ec.message());
  }
  if (status.type() == fs::file_type::not_found) {
    detail::create_parent_directories(dir_);
    if (fs::create_directory(dir_, ec)) {
      create_manifest();
      return;
    }
    if (ec) throw RuntimeFailure(dir_.string() + ": cannot create directory: " + ec.message());
    // Created by someone else in between: open it like any existing directory.
  } else if (status.type() != fs::file_type::directory) {
    throw InputError(not_a_checkpoint(dir_, "it exists and is not a directory"));
  }
  check_manifest();

  std::optional<std::uint64_t> highest;
  for (const std::string& name : list_names(dir_)) {
    std::optional<std::uint64_t> sequence = parse_sequence(name, kSegmentPrefix, kSegmentSuffix);
    if (!sequence) sequence = parse_sequence(name, kTempPrefix, kTempSuffix);
    if (sequence && (!highest || *sequence > *highest)) highest = sequence;
  }
  if (highest) {
    if (*highest == std::numeric_limits<std::uint64_t>::max()) {
      throw InputError(dir_.string() + ": checkpoint segment numbers are exhausted; delete it");
    }
    next_segment_ = *highest + 1;
  }
}

void RunJournal::create_manifest() const {
  const fs::path final_path = dir_ / kManifestName;
  const fs::path temp_path = dir_ / kManifestTemp;
  ::unlink(temp_path.c_str());  // left by a creation that was killed
  {
    TempFile temp(temp_path);
    const std::string text = manifest_text(fingerprint_, identity_);
    temp.write(reinterpret_cast<const unsigned char*>(text.data()), text.size());
    temp.commit(final_path);
  }
  if (!detail::sync_to_disk(dir_)) fail_io(dir_, "cannot sync the checkpoint directory", errno);
  fs::path parent = dir_.parent_path();
  if (parent.empty()) parent = ".";
  if (!detail::sync_to_disk(parent)) fail_io(parent, "cannot sync the directory", errno);
}

void RunJournal::check_manifest() const {
  const fs::path path = dir_ / kManifestName;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno != ENOENT) fail_io(path, "cannot open", errno);
    // A creation killed before its manifest leaves DIR empty (or with the manifest's
    // temporary file): adopt it. Anything else is someone else's directory.
    const std::vector<std::string> names = list_names(dir_);
    if (std::ranges::all_of(names, [](const std::string& n) { return n == kManifestTemp; })) {
      create_manifest();
      return;
    }
    throw InputError(not_a_checkpoint(dir_, "no manifest"));
  }
  std::string text(kMaxManifestBytes + 1, '\0');
  const std::ptrdiff_t got =
      read_up_to(fd.get(), reinterpret_cast<unsigned char*>(text.data()), text.size());
  if (got < 0) fail_io(path, "cannot read", errno);
  if (static_cast<std::size_t>(got) > kMaxManifestBytes) {
    throw InputError(not_a_checkpoint(dir_, "its manifest is not a run journal manifest"));
  }
  text.resize(static_cast<std::size_t>(got));
  const Manifest manifest = parse_manifest(dir_, text);
  if (manifest.fingerprint != fingerprint_ || manifest.identity != identity_) {
    throw InputError(fmt::format(
        "{}: checkpoint of {} (sweep {}), not of {} (sweep {}); delete it or use another output",
        dir_.string(), manifest.identity, manifest.fingerprint, identity_, fingerprint_));
  }
}

void RunJournal::append(const std::vector<const RunResult*>& runs) {
  if (runs.empty()) return;
  if (std::ranges::any_of(runs, [](const RunResult* run) { return run == nullptr; })) {
    throw std::invalid_argument("RunJournal::append: null run");
  }
  const std::uint64_t sequence = next_segment_++;
  const fs::path final_path = dir_ / segment_name(sequence);
  TempFile temp(dir_ / temp_name(sequence));
  const std::size_t header_bytes = header_size(fingerprint_.size());
  if (::lseek(temp.fd(), static_cast<off_t>(header_bytes), SEEK_SET) < 0) {
    fail_io(temp.path(), "cannot seek", errno);
  }
  SegmentHeader header;
  {
    PayloadWriter payload([&](const unsigned char* data, std::size_t size) { temp.write(data, size); },
                          temp.path().string());
    for (const RunResult* run : runs) payload.run(*run);
    payload.finish();
    header = {fingerprint_, runs.size(), payload.uncompressed(), payload.compressed(),
              payload.crc()};
  }
  const std::vector<unsigned char> bytes = encode_header(header);
  if (!write_all(temp.fd(), bytes.data(), bytes.size(), off_t{0})) {
    fail_io(temp.path(), "cannot write", errno);
  }
  temp.commit(final_path);
  if (!detail::sync_to_disk(dir_)) fail_io(dir_, "cannot sync the checkpoint directory", errno);
}

std::vector<std::string> RunJournal::replay(const std::function<void(RunResult&&)>& visit) const {
  std::map<std::uint64_t, std::string> segments;  // by sequence: append order
  for (const std::string& name : list_names(dir_)) {
    if (const auto sequence = parse_sequence(name, kSegmentPrefix, kSegmentSuffix)) {
      segments.emplace(*sequence, name);
    } else if (parse_sequence(name, kTempPrefix, kTempSuffix)) {
      std::error_code ignored;  // an interrupted append; its runs were never acknowledged
      fs::remove(dir_ / name, ignored);
    }
  }

  // Headers first, so that a segment of another sweep stops the replay before any visit.
  for (const auto& [sequence, name] : segments) {
    const fs::path path = dir_ / name;
    try {
      const OpenSegment segment = open_segment(path);
      if (segment.header.fingerprint != fingerprint_) {
        throw InputError(fmt::format(
            "{}: segment of sweep {}, but {} is the checkpoint of {} (sweep {}); delete it or use "
            "another output",
            path.string(), segment.header.fingerprint, dir_.string(), identity_, fingerprint_));
      }
    } catch (const Damaged&) {
      // Reported by the second pass.
    }
  }

  std::vector<std::string> notes;
  std::unordered_set<RunId> seen;
  for (const auto& [sequence, name] : segments) {
    const fs::path path = dir_ / name;
    std::vector<unsigned char> payload;
    std::uint64_t runs = 0;
    try {
      OpenSegment segment = open_segment(path);
      payload = read_payload(file_source(segment.fd.get()), segment.header);
      runs = segment.header.runs;
      check_payload(payload, runs);
    } catch (const Damaged& damaged) {
      notes.push_back(fmt::format("{}: damaged checkpoint segment ({}); its runs will be run again",
                                  path.string(), damaged.reason));
      continue;
    }
    PayloadReader reader(payload);
    for (std::uint64_t r = 0; r < runs; ++r) {
      RunResult run;
      reader.run(&run);
      if (seen.insert(run.run).second) visit(std::move(run));
    }
  }
  return notes;
}

void RunJournal::remove() {
  // Renamed away first, in one step: remove_all deletes file by file, and a kill after the
  // manifest went would leave a folder that is no longer a checkpoint but still in the way.
  finish_interrupted_removal(dir_);
  const fs::path trash = removal_dir_for(dir_);
  fs::path doomed = dir_;
  if (::rename(dir_.c_str(), trash.c_str()) == 0) {
    fs::path parent = dir_.parent_path();
    if (parent.empty()) parent = ".";
    static_cast<void>(detail::sync_to_disk(parent));  // the rename is what must last; the rest is cleanup
    doomed = trash;
  }
  std::error_code ec;
  fs::remove_all(doomed, ec);
  if (ec) throw RuntimeFailure(doomed.string() + ": cannot delete the checkpoint: " + ec.message());
}

std::vector<unsigned char> encode_runs(const std::vector<const RunResult*>& runs,
                                       const std::string& fingerprint) {
  if (fingerprint.size() > kMaxFingerprintBytes) {
    throw std::invalid_argument("encode_runs: fingerprint longer than 4096 bytes");
  }
  std::vector<unsigned char> bytes(header_size(fingerprint.size()));
  PayloadWriter payload(
      [&](const unsigned char* data, std::size_t size) { bytes.insert(bytes.end(), data, data + size); },
      "encoded runs");
  for (const RunResult* run : runs) payload.run(*run);
  payload.finish();
  const SegmentHeader header{fingerprint, runs.size(), payload.uncompressed(), payload.compressed(),
                             payload.crc()};
  const std::vector<unsigned char> head = encode_header(header);
  std::copy(head.begin(), head.end(), bytes.begin());
  return bytes;
}

std::vector<RunResult> decode_runs(std::span<const unsigned char> bytes, const std::string& fingerprint,
                                   const std::string& origin) {
  std::size_t pos = 0;
  const ByteSource read = [&](unsigned char* data, std::size_t size) {
    const std::size_t n = std::min(size, bytes.size() - pos);
    if (n > 0) std::memcpy(data, bytes.data() + pos, n);
    pos += n;
    return static_cast<std::ptrdiff_t>(n);
  };
  std::vector<RunResult> runs;
  try {
    const SegmentHeader header = read_header(read, bytes.size());
    if (header.fingerprint != fingerprint) {
      throw InputError(fmt::format("{}: runs of sweep {}, expected sweep {}", origin, header.fingerprint,
                                   fingerprint));
    }
    const std::vector<unsigned char> payload = read_payload(read, header);
    check_payload(payload, header.runs);
    PayloadReader reader(payload);
    runs.resize(header.runs);
    for (RunResult& run : runs) reader.run(&run);
  } catch (const Damaged& damaged) {
    throw RuntimeFailure(fmt::format("{}: damaged run data ({})", origin, damaged.reason));
  }
  return runs;
}

std::filesystem::path journal_dir_for(const std::filesystem::path& final_path) {
  std::filesystem::path dir = final_path;
  dir += ".checkpoint";
  return dir;
}

std::filesystem::path removal_dir_for(const std::filesystem::path& dir) {
  std::filesystem::path trash = dir;
  trash += ".deleting";
  return trash;
}

void finish_interrupted_removal(const std::filesystem::path& dir) {
  const fs::path trash = removal_dir_for(dir);
  std::error_code ec;
  fs::remove_all(trash, ec);
  if (ec) throw RuntimeFailure(trash.string() + ": cannot delete the rest of a checkpoint: " + ec.message());
}

}  // namespace softpower
