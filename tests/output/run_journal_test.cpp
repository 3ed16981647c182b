// RunJournal: round trips of every RunResult field, reopening, damaged and foreign segments,
// directories that are not journals, a full disk, and garbage that must never crash replay.
// Segments are also built here from the format documented in output/run_journal.cpp (stored,
// uncompressed deflate blocks), so the documentation is checked against the code.
#include "output/run_journal.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sim/error.hpp"
#include "tests/output/event_fixtures.hpp"
#include "tests/support/run_result_checks.hpp"

namespace softpower {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<unsigned char>;

// ---- Runs --------------------------------------------------------------------------------

/// A run whose every field holds values that depend on `id`; sizes as given.
RunResult make_run(RunId id, std::size_t steps, std::size_t users, std::size_t items) {
  std::mt19937_64 rng(id * 7919 + 17);
  RunResult run;
  run.run = id;
  run.seed = 0xfedcba9876543210ULL ^ id;
  run.institution = static_cast<VertexId>(1000 + id);
  run.steps_run = static_cast<Step>(steps) - 1;
  for (int k = 0; k < 3; ++k) {
    std::vector<std::int64_t> metric(steps);
    for (auto& v : metric) v = static_cast<std::int64_t>(rng()) >> (k * 20);
    if (!metric.empty()) metric[0] = std::numeric_limits<std::int64_t>::min();
    run.metrics.push_back(std::move(metric));
  }
  run.metrics.emplace_back();  // an empty metric
  for (int k = 0; k < 2; ++k) {
    std::vector<double> series(steps * (k == 0 ? 1 : 5));
    for (auto& v : series) v = std::ldexp(static_cast<double>(rng() >> 11), -53) - 0.5;
    if (series.size() >= 4) {
      series[0] = std::bit_cast<double>(0x7ff8dead0000beefULL);  // NaN with a payload
      series[1] = -0.0;
      series[2] = std::numeric_limits<double>::infinity();
      series[3] = std::numeric_limits<double>::denorm_min();
    }
    run.series.push_back(std::move(series));
  }
  if (users > 0) {
    run.snapshot_steps = {0, static_cast<Step>(steps / 2), -5};
    run.snapshots.resize(users * run.snapshot_steps.size());
    for (auto& v : run.snapshots) v = static_cast<float>(static_cast<double>(rng() >> 40) / 1e6);
    run.snapshots[0] = std::bit_cast<float>(0x7fc0abcdU);  // float NaN with a payload
  }
  for (std::size_t i = 0; i < items; ++i) {
    ItemRecord item;
    item.item = static_cast<ItemId>(i * 3 + id);
    item.push = static_cast<std::uint32_t>(rng());
    item.topic = static_cast<std::uint32_t>(rng() % 7);
    item.appeal = 0.125 + static_cast<double>(i);
    item.sensitivity = -static_cast<double>(rng() % 1000) / 7.0;
    item.valence = std::bit_cast<double>(rng());
    item.publish_step = static_cast<Step>(rng() % 1000) - 3;
    item.blocked = i % 2 == 1;
    item.takedown_step = i % 3 == 0 ? -1 : static_cast<Step>(i * 11);
    item.reads = rng();
    item.shares = rng();
    item.first_hop_shares = rng();
    item.reach = std::numeric_limits<std::uint64_t>::max() - i;
    item.depth = static_cast<std::uint32_t>(rng());
    run.items.push_back(item);
  }
  if (items > 0) {  // events of every code, a user attitude per snapshot user
    const auto vertices = static_cast<VertexId>(4 + id % 5);
    run.events = test::sample_events(
        id, items, {.vertices = vertices, .attitude_users = static_cast<VertexId>(users)});
    run.events.first_exposure[0] = std::numeric_limits<Step>::min();
    if (users > 0) run.events.attitude_initial[0] = std::bit_cast<float>(0x7fc01234U);
  }
  return run;
}

using test::expect_same_run;

struct Replayed {
  std::vector<RunResult> runs;
  std::vector<std::string> notes;
};

Replayed replay_all(const RunJournal& journal) {
  Replayed out;
  out.notes = journal.replay([&](RunResult&& run) { out.runs.push_back(std::move(run)); });
  return out;
}

std::vector<RunId> ids(const std::vector<RunResult>& runs) {
  std::vector<RunId> out;
  for (const RunResult& run : runs) out.push_back(run.run);
  return out;
}

// ---- Files -------------------------------------------------------------------------------

Bytes read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::ranges::sort(names);
  return names;
}

std::string segment(std::uint64_t sequence) {
  std::string digits = std::to_string(sequence);
  return "seg-" + std::string(20 - digits.size(), '0') + digits + ".runs";
}

// ---- The documented format, written independently ----------------------------------------

std::uint32_t crc32(const Bytes& data, std::size_t size) {
  std::uint32_t crc = 0xffffffffU;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

class Encoder {
 public:
  template <class U>
  void le(U value) {
    for (std::size_t i = 0; i < sizeof(U); ++i)
      bytes.push_back(static_cast<unsigned char>(value >> (8 * i)));
  }
  void u8(std::uint8_t v) { le(v); }
  void u32(std::uint32_t v) { le(v); }
  void u64(std::uint64_t v) { le(v); }
  void i64(std::int64_t v) { le(static_cast<std::uint64_t>(v)); }
  void f64(double v) { le(std::bit_cast<std::uint64_t>(v)); }
  void f32(float v) { le(std::bit_cast<std::uint32_t>(v)); }
  void raw(const Bytes& data) { bytes.insert(bytes.end(), data.begin(), data.end()); }

  Bytes bytes;
};

void encode_run(Encoder& e, const RunResult& run) {
  e.u64(run.run);
  e.u64(run.seed);
  e.u32(run.institution);
  e.i64(run.steps_run);
  e.u64(run.metrics.size());
  for (const auto& metric : run.metrics) {
    e.u64(metric.size());
    for (const auto v : metric) e.i64(v);
  }
  e.u64(run.series.size());
  for (const auto& series : run.series) {
    e.u64(series.size());
    for (const auto v : series) e.f64(v);
  }
  e.u64(run.snapshot_steps.size());
  for (const auto v : run.snapshot_steps) e.i64(v);
  e.u64(run.snapshots.size());
  for (const auto v : run.snapshots) e.f32(v);
  e.u64(run.items.size());
  for (const ItemRecord& item : run.items) {
    e.u32(item.item);
    e.u32(item.push);
    e.u32(item.topic);
    e.f64(item.appeal);
    e.f64(item.sensitivity);
    e.f64(item.valence);
    e.i64(item.publish_step);
    e.u8(item.blocked ? 1 : 0);
    e.i64(item.takedown_step);
    e.u64(item.reads);
    e.u64(item.shares);
    e.u64(item.first_hop_shares);
    e.u64(item.reach);
    e.u32(item.depth);
  }
  const UserEvents& events = run.events;
  e.u64(events.first_exposure.size());
  for (const auto v : events.first_exposure) e.i64(v);
  e.u64(events.reads.size());
  for (const ReadEvent& read : events.reads) {
    e.u32(read.item);
    e.u32(read.user);
    e.i64(read.step);
    e.u32(read.parent);
    e.u32(read.hop);
    e.u8(static_cast<std::uint8_t>(read.via));
    e.u8(static_cast<std::uint8_t>(read.outcome));
    e.u8(static_cast<std::uint8_t>(read.share_channel));
  }
  e.u64(events.attitude_initial.size());
  for (const auto v : events.attitude_initial) e.f32(v);
  e.u64(events.attitude_final.size());
  for (const auto v : events.attitude_final) e.f32(v);
  e.u64(events.graph_checksum);
}

/// What encode_run appends for a run without events: four empty vectors and a checksum.
constexpr std::size_t kNoEventsBytes = 5 * 8;

/// A zlib stream of stored (uncompressed) deflate blocks.
Bytes zlib_stored(const Bytes& data) {
  Bytes out = {0x78, 0x01};
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min<std::size_t>(data.size() - pos, 65535);
    const bool last = pos + n == data.size();
    out.push_back(last ? 1 : 0);
    out.push_back(static_cast<unsigned char>(n));
    out.push_back(static_cast<unsigned char>(n >> 8));
    out.push_back(static_cast<unsigned char>(~n));
    out.push_back(static_cast<unsigned char>(~n >> 8));
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
               data.begin() + static_cast<std::ptrdiff_t>(pos + n));
    pos += n;
  } while (pos < data.size());
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (const unsigned char c : data) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  const std::uint32_t adler = (b << 16) | a;
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<unsigned char>(adler >> shift));
  return out;
}

/// A segment with valid checksums around `compressed`, whatever its header claims.
Bytes craft_segment(const std::string& fingerprint, std::uint64_t runs, std::uint64_t uncompressed,
                    const Bytes& compressed) {
  Encoder e;
  e.raw(Bytes{'S', 'P', 'J', 'R', 'N', 'L', '0', '1'});
  e.u32(2);
  e.u32(static_cast<std::uint32_t>(fingerprint.size()));
  e.raw(Bytes(fingerprint.begin(), fingerprint.end()));
  e.u64(runs);
  e.u64(uncompressed);
  e.u64(compressed.size());
  e.u32(crc32(compressed, compressed.size()));
  e.u32(crc32(e.bytes, e.bytes.size()));
  e.raw(compressed);
  return e.bytes;
}

Bytes craft_runs_segment(const std::string& fingerprint, const std::vector<RunResult>& runs) {
  Encoder payload;
  for (const RunResult& run : runs) encode_run(payload, run);
  return craft_segment(fingerprint, runs.size(), payload.bytes.size(), zlib_stored(payload.bytes));
}

// ---- Fixture -----------------------------------------------------------------------------

constexpr const char* kFingerprint = "0123abcd";
constexpr const char* kIdentity = "shard 2/8 of sweep 0123abcd";

class RunJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "run_journal_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "results" / "sweep.h5.checkpoint";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  RunJournal open() const { return RunJournal(dir_, kFingerprint, kIdentity); }

  fs::path root_;
  fs::path dir_;
};

TEST(JournalDirFor, AppendsCheckpoint) {
  EXPECT_EQ(journal_dir_for("results/sweep.h5"), fs::path("results/sweep.h5.checkpoint"));
}

TEST_F(RunJournalTest, CreatesDirectoryAndManifest) {
  const RunJournal journal = open();
  EXPECT_EQ(journal.dir(), dir_);
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"manifest"});
  const Bytes manifest = read_bytes(dir_ / "manifest");
  EXPECT_EQ(
      std::string(manifest.begin(), manifest.end()),
      "softpower-run-journal 1\nfingerprint: 0123abcd\nidentity: shard 2/8 of sweep 0123abcd\n");
  EXPECT_TRUE(replay_all(journal).runs.empty());
}

TEST_F(RunJournalTest, RoundTripsEveryFieldAcrossAppendsAndReopen) {
  const RunResult a = make_run(7, 50, 10, 4);
  const RunResult b = make_run(3, 20, 0, 0);  // no snapshots, no items
  RunResult empty;                            // nothing at all
  empty.run = 11;
  const RunResult large = make_run(5, 3000, 200'000, 500);  // ~2.5 MB, mostly incompressible
  const RunResult d = make_run(9, 5, 2, 1);
  {
    RunJournal journal = open();
    journal.append({&a, &b});
    journal.append({});  // writes nothing
    journal.append({&empty, &large});
  }
  RunJournal reopened = open();
  reopened.append({&d});
  EXPECT_EQ(names_in(dir_),
            (std::vector<std::string>{"manifest", segment(0), segment(1), segment(2)}));
  EXPECT_GT(fs::file_size(dir_ / segment(1)), std::uintmax_t{1} << 20);

  const Replayed replayed = replay_all(reopened);
  EXPECT_TRUE(replayed.notes.empty());
  ASSERT_EQ(ids(replayed.runs), (std::vector<RunId>{7, 3, 11, 5, 9}));
  expect_same_run(replayed.runs[0], a);
  expect_same_run(replayed.runs[1], b);
  expect_same_run(replayed.runs[2], empty);
  expect_same_run(replayed.runs[3], large);
  expect_same_run(replayed.runs[4], d);
}

TEST_F(RunJournalTest, DocumentedFormatReplays) {
  const RunResult a = make_run(21, 40, 70'000, 3);  // > 64 KiB: several stored blocks
  const RunResult b = make_run(22, 3, 0, 2);
  RunJournal journal = open();
  write_bytes(dir_ / segment(0), craft_runs_segment(kFingerprint, {a, b}));
  const Replayed replayed = replay_all(journal);
  EXPECT_TRUE(replayed.notes.empty()) << replayed.notes[0];
  ASSERT_EQ(ids(replayed.runs), (std::vector<RunId>{21, 22}));
  expect_same_run(replayed.runs[0], a);
  expect_same_run(replayed.runs[1], b);

  // And the header the library writes is the documented one.
  RunJournal writer = open();  // the existing segment moves the sequence on
  writer.append({&b});
  const Bytes written = read_bytes(dir_ / segment(1));
  const Bytes crafted = craft_runs_segment(kFingerprint, {b});
  const std::size_t before_sizes = 8 + 4 + 4 + 8 + 8 + 8;  // magic .. runs, uncompressed
  ASSERT_GT(written.size(), before_sizes);
  EXPECT_TRUE(std::equal(written.begin(), written.begin() + before_sizes, crafted.begin()));
}

TEST_F(RunJournalTest, EventsRoundTripExactly) {
  RunResult run = make_run(6, 10, 3, 4);
  ASSERT_TRUE(run.events.recorded());
  ASSERT_FALSE(run.events.reads.empty());
  const RunResult no_attitudes = make_run(8, 10, 0, 2);
  ASSERT_TRUE(no_attitudes.events.attitude_initial.empty());
  RunResult no_reads = make_run(9, 10, 2, 1);
  no_reads.events.reads.clear();
  RunJournal journal = open();
  journal.append({&run, &no_attitudes, &no_reads});
  const Replayed replayed = replay_all(journal);
  ASSERT_EQ(ids(replayed.runs), (std::vector<RunId>{6, 8, 9}));
  expect_same_run(replayed.runs[0], run);
  expect_same_run(replayed.runs[1], no_attitudes);
  expect_same_run(replayed.runs[2], no_reads);
  EXPECT_TRUE(replayed.runs[1].events == no_attitudes.events);  // no NaN in these
}

TEST_F(RunJournalTest, SegmentsOfTheFormatBeforeEventsAreDamaged) {
  RunJournal journal = open();
  Bytes old = craft_runs_segment(kFingerprint, {});
  old[8] = 1;  // format 1; the header checksum is not what the format check looks at first
  write_bytes(dir_ / segment(0), old);
  const Replayed replayed = replay_all(journal);
  EXPECT_TRUE(replayed.runs.empty());
  ASSERT_EQ(replayed.notes.size(), 1U);
  EXPECT_EQ(replayed.notes[0], (dir_ / segment(0)).string() +
                                   ": damaged checkpoint segment (segment format 1, this "
                                   "softpower reads 2); its runs will be run again");
}

TEST_F(RunJournalTest, DuplicateRunIdsAreVisitedOnce) {
  const RunResult first = make_run(4, 10, 3, 2);
  RunResult again = make_run(4, 10, 3, 2);
  again.seed = 1;  // a later record of the same run
  const RunResult other = make_run(8, 10, 3, 2);
  RunJournal journal = open();
  journal.append({&first, &other});
  journal.append({&again});
  journal.append({&other, &again});
  const Replayed replayed = replay_all(journal);
  EXPECT_TRUE(replayed.notes.empty());
  ASSERT_EQ(ids(replayed.runs), (std::vector<RunId>{4, 8}));
  expect_same_run(replayed.runs[0], first);
}

TEST_F(RunJournalTest, OtherSweepIsAnInputErrorNamingBoth) {
  const RunResult run = make_run(1, 5, 1, 1);
  open().append({&run});
  try {
    RunJournal(dir_, "ffff0000", "shard 3/8 of sweep ffff0000");
    FAIL() << "no error";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(dir_.string()), std::string::npos) << message;
    EXPECT_NE(message.find("checkpoint of shard 2/8 of sweep 0123abcd (sweep 0123abcd), not of "
                           "shard 3/8 of sweep ffff0000 (sweep ffff0000)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("delete it or use another output"), std::string::npos) << message;
  }
  EXPECT_THROW(RunJournal(dir_, kFingerprint, "shard 1/8 of sweep 0123abcd"), InputError);
  EXPECT_THROW(RunJournal(dir_, "0123abce", kIdentity), InputError);
  EXPECT_EQ(ids(replay_all(open()).runs), std::vector<RunId>{1});  // untouched
}

TEST_F(RunJournalTest, ManifestEscapesNewlinesAndBackslashes) {
  const std::string identity = "odd\nname \\n\\";
  RunJournal(dir_, kFingerprint, identity);
  EXPECT_NO_THROW(RunJournal(dir_, kFingerprint, identity));
  EXPECT_THROW(RunJournal(dir_, kFingerprint, "odd\nname \\n"), InputError);
}

TEST_F(RunJournalTest, DirectoryThatIsNotAJournalIsAnInputError) {
  const auto expect_not_a_checkpoint = [&](const fs::path& dir) {
    try {
      RunJournal(dir, kFingerprint, kIdentity);
      FAIL() << "no error for " << dir;
    } catch (const InputError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(dir.string() + ": not a softpower checkpoint"), std::string::npos)
          << message;
    }
  };
  fs::create_directories(dir_);
  write_bytes(dir_ / "notes.txt", {'h', 'i'});
  expect_not_a_checkpoint(dir_);
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"notes.txt"});  // untouched

  for (const std::string garbage :
       {"", "softpower-run-journal 1\n", "hello\nfingerprint: x\nidentity: y\n",
        "softpower-run-journal 1\nfingerprint: 0123abcd\nidentity: x", "\x01\x02\x03",
        "softpower-run-journal 1\nfingerprint: 0123abcd\nidentity: bad \\q escape\n"}) {
    write_bytes(dir_ / "manifest", Bytes(garbage.begin(), garbage.end()));
    expect_not_a_checkpoint(dir_);
  }
  write_bytes(dir_ / "manifest", Bytes(100'000, 'x'));
  expect_not_a_checkpoint(dir_);

  const std::string future = "softpower-run-journal 2\nfingerprint: 0123abcd\nidentity: x\n";
  write_bytes(dir_ / "manifest", Bytes(future.begin(), future.end()));
  EXPECT_THROW(open(), InputError);

  const fs::path file = root_ / "file.checkpoint";
  write_bytes(file, {'x'});
  expect_not_a_checkpoint(file);
}

TEST_F(RunJournalTest, EmptyDirectoryIsAdopted) {
  // What a creation killed between mkdir and the manifest's rename leaves behind.
  fs::create_directories(dir_);
  write_bytes(dir_ / ".manifest.tmp", {'s', 'o'});
  RunJournal journal = open();
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"manifest"});
  EXPECT_NO_THROW(open());
}

TEST_F(RunJournalTest, LeftoverTempFileIsRemovedAndIgnored) {
  const RunResult a = make_run(1, 5, 1, 1);
  const RunResult b = make_run(2, 5, 1, 1);
  open().append({&a});
  const std::string temp = ".seg-00000000000000000001.tmp";
  write_bytes(dir_ / temp, Bytes(1000, 0xab));  // an append killed before its rename
  RunJournal journal = open();
  journal.append({&b});  // must not collide with the leftover
  EXPECT_EQ(names_in(dir_), (std::vector<std::string>{temp, "manifest", segment(0), segment(2)}));
  const Replayed replayed = replay_all(journal);
  EXPECT_TRUE(replayed.notes.empty());
  EXPECT_EQ(ids(replayed.runs), (std::vector<RunId>{1, 2}));
  EXPECT_EQ(names_in(dir_), (std::vector<std::string>{"manifest", segment(0), segment(2)}));
}

TEST_F(RunJournalTest, DamagedSegmentsAreSkippedWithANote) {
  RunJournal journal = open();
  std::vector<RunResult> runs;
  for (RunId id = 0; id < 8; ++id) runs.push_back(make_run(id, 30, 100, 3));
  for (std::size_t s = 0; s < 4; ++s) journal.append({&runs[2 * s], &runs[2 * s + 1]});

  const fs::path truncated = dir_ / segment(1);
  fs::resize_file(truncated, fs::file_size(truncated) - 5);
  const fs::path flipped = dir_ / segment(2);
  Bytes bytes = read_bytes(flipped);
  bytes[bytes.size() / 2 + 40] ^= 0x10;  // in the payload, past the header
  write_bytes(flipped, bytes);

  const Replayed replayed = replay_all(journal);
  EXPECT_EQ(ids(replayed.runs), (std::vector<RunId>{0, 1, 6, 7}));
  ASSERT_EQ(replayed.notes.size(), 2U);
  EXPECT_EQ(replayed.notes[0], truncated.string() + ": damaged checkpoint segment (truncated: " +
                                   std::to_string(fs::file_size(truncated) - 48 - 8) +
                                   " payload bytes, the header says " +
                                   std::to_string(fs::file_size(truncated) - 48 - 8 + 5) +
                                   "); its runs will be run again");
  EXPECT_EQ(replayed.notes[1],
            flipped.string() +
                ": damaged checkpoint segment (payload checksum mismatch); its runs will be run "
                "again");
}

TEST_F(RunJournalTest, DamagedHeaderIsNotMistakenForAnotherSweep) {
  const RunResult run = make_run(1, 5, 1, 1);
  RunJournal journal = open();
  journal.append({&run});
  Bytes bytes = read_bytes(dir_ / segment(0));
  bytes[16] ^= 0x01;  // first byte of the fingerprint
  write_bytes(dir_ / segment(0), bytes);
  const Replayed replayed = replay_all(journal);
  EXPECT_TRUE(replayed.runs.empty());
  ASSERT_EQ(replayed.notes.size(), 1U);
  EXPECT_NE(replayed.notes[0].find("header checksum mismatch"), std::string::npos);
}

TEST_F(RunJournalTest, SegmentOfAnotherSweepIsAnInputErrorBeforeAnyVisit) {
  const RunResult run = make_run(1, 5, 1, 1);
  RunJournal journal = open();
  journal.append({&run});
  write_bytes(dir_ / segment(1), craft_runs_segment("99999999", {make_run(2, 5, 1, 1)}));
  int visits = 0;
  try {
    static_cast<void>(journal.replay([&](RunResult&&) { ++visits; }));
    FAIL() << "no error";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find((dir_ / segment(1)).string()), std::string::npos) << message;
    EXPECT_NE(message.find("99999999"), std::string::npos) << message;
    EXPECT_NE(message.find(kFingerprint), std::string::npos) << message;
  }
  EXPECT_EQ(visits, 0);
}

TEST_F(RunJournalTest, RemoveDeletesTheDirectory) {
  const RunResult run = make_run(1, 5, 1, 1);
  RunJournal journal = open();
  journal.append({&run});
  journal.remove();
  EXPECT_FALSE(fs::exists(dir_));
  EXPECT_FALSE(fs::exists(removal_dir_for(dir_)));
  EXPECT_TRUE(fs::exists(dir_.parent_path()));
}

// Found by kill_test: remove_all deleted the manifest before the segments, and a SIGKILL in
// between left a folder that every later `sweep --resume` refused as "not a checkpoint". The
// folder is now renamed away in one step; a kill after that leaves only DIR.deleting, which the
// next removal or sweep deletes.
TEST_F(RunJournalTest, RemovalKilledAfterTheRenameLeavesNoCheckpointAndIsFinishedLater) {
  const RunResult run = make_run(1, 5, 1, 1);
  {
    RunJournal journal = open();
    journal.append({&run});
  }
  fs::rename(dir_, removal_dir_for(dir_));  // what remove() does first; then the kill
  EXPECT_FALSE(fs::exists(dir_));
  finish_interrupted_removal(dir_);
  EXPECT_FALSE(fs::exists(removal_dir_for(dir_)));
  finish_interrupted_removal(dir_);  // nothing left: no error

  RunJournal journal = open();  // a new sweep with the same output
  journal.append({&run});
  fs::create_directories(removal_dir_for(dir_) / "seg");  // the rest of an older interrupted removal
  journal.remove();
  EXPECT_FALSE(fs::exists(dir_));
  EXPECT_FALSE(fs::exists(removal_dir_for(dir_)));
}

TEST_F(RunJournalTest, AppendOnAFullDiskThrowsAndLeavesNoSegment) {
  // A file size limit makes write(2) fail with EFBIG part-way through the segment, as a full
  // disk fails with ENOSPC; done in a child so that the limit cannot touch the test runner.
  RunJournal journal = open();
  const RunResult big = make_run(1, 100, 100'000, 10);  // ~1.2 MB, mostly incompressible
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{};
    ::getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = 256 * 1024;
    int code = 3;
    std::string message = "setrlimit failed";
    if (::setrlimit(RLIMIT_FSIZE, &limit) == 0) {
      try {
        journal.append({&big});
        message = "no exception";
        code = 1;
      } catch (const RuntimeFailure& error) {
        message = error.what();
        code = 0;
      } catch (const std::exception& error) {
        message = std::string("wrong exception: ") + error.what();
        code = 2;
      }
    }
    const ssize_t written = ::write(pipe_fds[1], message.data(), message.size());
    ::_exit(written < 0 ? 4 : code);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n = 0;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0)
    message.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << message;
  EXPECT_NE(message.find(dir_.string()), std::string::npos) << message;
  EXPECT_NE(message.find(std::strerror(EFBIG)), std::string::npos) << message;
  EXPECT_EQ(names_in(dir_), std::vector<std::string>{"manifest"});

  journal.append({&big});  // the parent, without the limit
  EXPECT_EQ(ids(replay_all(journal).runs), std::vector<RunId>{1});
}

TEST_F(RunJournalTest, CraftedSegmentsCannotForceLargeAllocations) {
  RunJournal journal = open();
  const RunResult good = make_run(1, 5, 1, 1);
  write_bytes(dir_ / segment(0), craft_runs_segment(kFingerprint, {good}));

  std::vector<Bytes> crafted;
  {  // a metric claiming 2^61 elements
    Encoder e;
    e.u64(2);
    e.u64(0);
    e.u32(0);
    e.i64(0);
    e.u64(1);
    e.u64(std::uint64_t{1} << 61);
    crafted.push_back(craft_segment(kFingerprint, 1, e.bytes.size(), zlib_stored(e.bytes)));
  }
  {  // a metric count that would make a huge vector of vectors
    Encoder e;
    e.u64(3);
    e.u64(0);
    e.u32(0);
    e.i64(0);
    e.u64(std::numeric_limits<std::uint64_t>::max());
    crafted.push_back(craft_segment(kFingerprint, 1, e.bytes.size(), zlib_stored(e.bytes)));
  }
  {  // a header declaring a terabyte of payload
    Encoder e;
    encode_run(e, make_run(4, 5, 1, 1));
    crafted.push_back(craft_segment(kFingerprint, 1, std::uint64_t{1} << 40, zlib_stored(e.bytes)));
    crafted.push_back(craft_segment(kFingerprint, 1, e.bytes.size() - 1, zlib_stored(e.bytes)));
    crafted.push_back(craft_segment(kFingerprint, 1, e.bytes.size() + 1, zlib_stored(e.bytes)));
    crafted.push_back(
        craft_segment(kFingerprint, std::uint64_t{1} << 60, e.bytes.size(), zlib_stored(e.bytes)));
    crafted.push_back(craft_segment(kFingerprint, 0, e.bytes.size(), zlib_stored(e.bytes)));
    Bytes two_streams = zlib_stored(e.bytes);
    const Bytes stream = two_streams;
    two_streams.insert(two_streams.end(), stream.begin(), stream.end());
    crafted.push_back(craft_segment(kFingerprint, 1, e.bytes.size(), two_streams));
    Bytes trailing = e.bytes;
    trailing.push_back(0);
    crafted.push_back(craft_segment(kFingerprint, 1, trailing.size(), zlib_stored(trailing)));
    RunResult one_item;
    one_item.items.resize(1);
    Encoder item_run;
    encode_run(item_run, one_item);
    item_run.bytes[item_run.bytes.size() - kNoEventsBytes - 4 - 4 * 8 - 8 - 1] = 2;  // blocked
    crafted.push_back(
        craft_segment(kFingerprint, 1, item_run.bytes.size(), zlib_stored(item_run.bytes)));
    RunResult one_read;
    one_read.events.reads.resize(1);
    for (const std::size_t code : {3, 2, 1}) {  // via, outcome, share_channel out of range
      Encoder read_run;
      encode_run(read_run, one_read);
      read_run.bytes[read_run.bytes.size() - 3 * 8 - code] = 5;
      crafted.push_back(
          craft_segment(kFingerprint, 1, read_run.bytes.size(), zlib_stored(read_run.bytes)));
    }
    Encoder many_reads;  // a read count claiming 2^61 reads
    encode_run(many_reads, RunResult{});
    many_reads.bytes[many_reads.bytes.size() - 4 * 8 + 7] = 0x20;
    crafted.push_back(
        craft_segment(kFingerprint, 1, many_reads.bytes.size(), zlib_stored(many_reads.bytes)));
    crafted.push_back(craft_segment(kFingerprint, 1, 0, {}));
    crafted.push_back(craft_segment(kFingerprint, 1, e.bytes.size(), Bytes(50, 0)));
  }
  for (std::size_t i = 0; i < crafted.size(); ++i) {
    write_bytes(dir_ / segment(i + 1), crafted[i]);
  }
  const Replayed replayed = replay_all(journal);
  EXPECT_EQ(ids(replayed.runs), std::vector<RunId>{1});
  ASSERT_EQ(replayed.notes.size(), crafted.size());
  for (std::size_t i = 0; i < crafted.size(); ++i) {
    EXPECT_EQ(replayed.notes[i].rfind(
                  (dir_ / segment(i + 1)).string() + ": damaged checkpoint segment (", 0),
              0U)
        << replayed.notes[i];
  }
  EXPECT_EQ(std::ranges::count_if(replayed.notes,
                                  [](const std::string& note) {
                                    return note.find("(malformed run data (read event code))") !=
                                           std::string::npos;
                                  }),
            3);
}

TEST_F(RunJournalTest, GarbageSegmentsNeverCrashAndAreReportedDamaged) {
  RunJournal journal = open();
  const RunResult good = make_run(1, 20, 50, 3);
  journal.append({&good});
  const fs::path good_path = dir_ / segment(0);
  const Bytes valid = read_bytes(good_path);
  const Bytes crafted_valid = craft_runs_segment(kFingerprint, {make_run(2, 20, 50, 3)});

  std::mt19937_64 rng(20240611);
  const auto random_bytes = [&](std::size_t size) {
    Bytes out(size);
    for (auto& b : out) b = static_cast<unsigned char>(rng());
    return out;
  };
  std::vector<Bytes> garbage;
  for (const std::size_t size : {0, 1, 7, 8, 15, 16, 47, 48, 56, 57, 100, 4096, 100'000}) {
    garbage.push_back(random_bytes(size));
    Bytes with_magic = random_bytes(size + 16);
    std::memcpy(with_magic.data(), "SPJRNL01\x01\0\0\0\x08\0\0\0", 16);
    garbage.push_back(with_magic);
    // Checksums right, payload random: as if written by a broken encoder.
    const Bytes payload = random_bytes(size);
    garbage.push_back(craft_segment(kFingerprint, rng() % 4, rng() % (2 * size + 2), payload));
    garbage.push_back(craft_segment(kFingerprint, 1 + rng() % 3, size, zlib_stored(payload)));
  }
  for (int i = 0; i < 200; ++i) {  // flips and truncations of whole segments
    const Bytes& source = i % 2 == 0 ? valid : crafted_valid;
    Bytes mutated = source;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      mutated[rng() % mutated.size()] ^= static_cast<unsigned char>(1U << (rng() % 8));
    }
    if (mutated == source) mutated.back() ^= 1;  // two flips of one bit cancel
    garbage.push_back(mutated);
    garbage.push_back(
        Bytes(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(rng() % source.size())));
  }
  for (std::size_t i = 0; i < garbage.size(); ++i) write_bytes(dir_ / segment(i + 1), garbage[i]);

  const Replayed replayed = replay_all(journal);
  ASSERT_EQ(ids(replayed.runs), std::vector<RunId>{1});
  expect_same_run(replayed.runs[0], good);
  ASSERT_EQ(replayed.notes.size(), garbage.size());
  for (const std::string& note : replayed.notes) {
    EXPECT_NE(note.find(": damaged checkpoint segment ("), std::string::npos) << note;
  }
}

TEST_F(RunJournalTest, DefaultScenarioShapedRun) {
  // 23 int64 metrics and ~40 float64 series over 672 steps (4 of them 200 columns wide), four
  // snapshots of 100,000 users, 200 items: the size of a run of the default scenario.
  constexpr std::size_t kSteps = 672;
  std::mt19937_64 rng(42);
  RunResult run = make_run(1, 0, 0, 200);
  run.metrics.clear();
  run.series.clear();
  run.steps_run = kSteps;
  std::int64_t level = 0;
  for (int k = 0; k < 23; ++k) {
    std::vector<std::int64_t> metric(kSteps);
    for (auto& v : metric) v = level += static_cast<std::int64_t>(rng() % 50);
    run.metrics.push_back(std::move(metric));
  }
  for (int k = 0; k < 40; ++k) {
    std::vector<double> series(kSteps * (k < 4 ? 200 : 1));
    for (auto& v : series) v = std::ldexp(static_cast<double>(rng() >> 11), -53);
    run.series.push_back(std::move(series));
  }
  run.snapshot_steps = {0, 224, 448, 671};
  run.snapshots.resize(4 * 100'000);
  std::normal_distribution<float> attitude(0.1F, 0.3F);
  for (auto& v : run.snapshots) v = attitude(rng);

  RunJournal journal = open();
  const auto start = std::chrono::steady_clock::now();
  journal.append({&run});
  const auto appended = std::chrono::steady_clock::now();
  const Replayed replayed = replay_all(journal);
  const auto replayed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(replayed.runs.size(), 1U);
  expect_same_run(replayed.runs[0], run);
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::cout << "default-shaped run: segment " << fs::file_size(dir_ / segment(0))
            << " bytes, append " << ms(appended - start) << " ms, replay "
            << ms(replayed_at - appended) << " ms\n";
}

}  // namespace
}  // namespace softpower

namespace softpower {
namespace {

TEST(EncodedRuns, RoundTripEveryFieldAndRejectOtherSweepsAndDamage) {
  const RunResult a = make_run(7, 50, 10, 4);
  RunResult empty;
  empty.run = 11;
  const Bytes bytes = encode_runs({&a, &empty}, "fp-1");
  const std::vector<RunResult> back = decode_runs(bytes, "fp-1", "rank 1");
  ASSERT_EQ(back.size(), 2u);
  expect_same_run(back[0], a);
  expect_same_run(back[1], empty);
  EXPECT_TRUE(decode_runs(encode_runs({}, "fp-1"), "fp-1", "rank 1").empty());

  try {
    static_cast<void>(decode_runs(bytes, "fp-2", "rank 3"));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "rank 3: runs of sweep fp-1, expected sweep fp-2");
  }
  Bytes damaged = bytes;
  damaged.back() ^= 0x40;
  EXPECT_THROW(static_cast<void>(decode_runs(damaged, "fp-1", "rank 1")), RuntimeFailure);
  const Bytes truncated(bytes.begin(), bytes.end() - 1);
  EXPECT_THROW(static_cast<void>(decode_runs(truncated, "fp-1", "rank 1")), RuntimeFailure);
}

}  // namespace
}  // namespace softpower
