// frugal rom extract and rom scan on writer-built LoROM images with HAL
// blocks planted at known offsets: the files' bytes, failures, offsets-file
// errors, scan results and JSON.
#include "cli/cli_support.hpp"
#include "support/hal_compressor.hpp"
#include "support/snes_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace frugal::test {
namespace {

// A 256 KiB LoROM image (no copier header unless asked), 0xFF from bank 1
// on, with HAL blocks at kPlanted and a broken stream (a copy from output not written
// yet) at kBroken.
constexpr std::size_t kPlanted[] = {0x10000, 0x12345, 0x20000, 0x31000};
constexpr std::size_t kBroken = 0x38000;

struct PlantedRom {
  explicit PlantedRom(bool copier = false) {
    SnesRomSpec spec;
    spec.copier_header = copier;
    file = make_snes_rom(spec);
    const std::size_t base = copier ? 512 : 0;
    // 0xFF (an empty stream) from bank 1 on: random filler decodes as
    // plausible HAL now and then, and a hit running into a planted block
    // would hide it.
    std::fill(file.begin() + static_cast<std::ptrdiff_t>(base + 0x8000), file.end(), std::byte{0xFF});
    for (std::size_t n = 0; n < std::size(kPlanted); ++n) {
      std::vector<std::byte> data(300 + 700 * n);
      for (std::size_t j = 0; j < data.size(); ++j)
        data[j] = static_cast<std::byte>((j / 5 + n * 17) & 0xFF);
      const auto stream = hal_compress(data);
      std::copy(stream.begin(), stream.end(), file.begin() + static_cast<std::ptrdiff_t>(base + kPlanted[n]));
      decoded.push_back(data);
      compressed.push_back(stream.size());
    }
    const std::byte broken[] = {std::byte{0x80}, std::byte{0x10}, std::byte{0x00}, std::byte{0xFF}};
    std::copy(std::begin(broken), std::end(broken), file.begin() + static_cast<std::ptrdiff_t>(base + kBroken));
  }
  std::vector<std::byte> file;
  std::vector<std::vector<std::byte>> decoded;
  std::vector<std::size_t> compressed;
};

std::string as_string(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string write_text(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name)) << text;
  return dir.file(name);
}

TEST(CliRomExtract, WritesTheExactBytesAndReportsABadOffset) {
  for (const bool copier : {false, true}) {
    SCOPED_TRACE(copier);
    TempDir dir;
    const PlantedRom rom(copier);
    const std::string path = dir.write("game.sfc", rom.file);
    // Every accepted spelling: decimal, hex, bus addresses with and without $
    // (LoROM: $82:A345 is offset 0x12345, 86:9000 is 0x31000), comments, blank lines.
    const std::string offsets = write_text(dir, "offsets.txt",
                                           "# planted blocks\n"
                                           "65536\n"
                                           "\n"
                                           "  $82:A345   # the second\n"
                                           "0x20000\n"
                                           "0x038000\n"
                                           "86:9000\n");
    const std::string out = dir.file("out");
    const CommandResult r =
        run_frugal("rom extract " + shell_quote(path) + " --offsets " + shell_quote(offsets) + " -o " +
                   shell_quote(out) + " --threads 2");
    EXPECT_EQ(r.exit_code, 2) << r.err;  // one block failed
    for (std::size_t n = 0; n < std::size(kPlanted); ++n) {
      char name[16];
      std::snprintf(name, sizeof name, "%06zx.bin", kPlanted[n]);
      const std::filesystem::path file = std::filesystem::path(out) / name;
      ASSERT_TRUE(std::filesystem::exists(file)) << file;
      EXPECT_EQ(read_file(file), as_string(rom.decoded[n])) << file;
    }
    // The broken block: listed with its offset and line, no file, no temporary left.
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(out) / "038000.bin"));
    std::size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(out)) {
      ++files;
      EXPECT_EQ(e.path().extension(), ".bin") << e.path();
    }
    EXPECT_EQ(files, 4u);
    EXPECT_NE(r.err.find("offset 0x038000 (line 6): malformed: HAL: copy from output not written yet"),
              std::string::npos)
        << r.err;
    std::uint64_t bytes = 0;
    for (const auto& d : rom.decoded) bytes += d.size();
    EXPECT_NE(r.out.find("4 blocks written to " + out + ", 1 failed, " + std::to_string(bytes) + " bytes"),
              std::string::npos)
        << r.out;
    // Not a terminal: no progress bar.
    EXPECT_EQ(r.err.find('\r'), std::string::npos);
  }
}

TEST(CliRomExtract, JsonSummary) {
  TempDir dir;
  const PlantedRom rom;
  const std::string path = dir.write("game.sfc", rom.file);
  const std::string offsets = write_text(dir, "offsets.txt", "0x10000\n0x38000\n");
  const CommandResult r = run_frugal("rom extract " + shell_quote(path) + " --offsets " + shell_quote(offsets) +
                                     " -o " + shell_quote(dir.file("out")) + " --threads 1 --json");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(field(out[0], "written"), "1");
  EXPECT_EQ(field(out[0], "failed"), "1");
  EXPECT_EQ(field(out[0], "bytes"), std::to_string(rom.decoded[0].size()));
  EXPECT_EQ(field(out[0], "threads"), "1");
  EXPECT_NE(out[0].find("\"blocks\":[{\"offset\":65536,\"compressed\":" + std::to_string(rom.compressed[0]) +
                        ",\"decompressed\":300}]"),
            std::string::npos)
      << out[0];
  EXPECT_NE(out[0].find("\"failures\":[{\"offset\":229376,\"line\":2,\"error\":\"malformed\",\"message\":\"HAL: "
                        "copy from output not written yet\"}]"),
            std::string::npos)
      << out[0];
  EXPECT_EQ(read_file(dir.path() / "out" / "010000.bin"), as_string(rom.decoded[0]));
}

TEST(CliRomExtract, ProgressBarOnATerminal) {
  if (run_command("command -v script").exit_code != 0) GTEST_SKIP() << "no script(1) to run the command on a terminal";
  TempDir dir;
  const PlantedRom rom;
  const std::string path = dir.write("game.sfc", rom.file);
  const std::string offsets = write_text(dir, "offsets.txt", "0x10000\n0x20000\n0x31000\n");
  // script(1) gives the command a pseudo-terminal (stdout and stderr both).
  const std::string command = std::string(FRUGAL_BINARY) + " rom extract " + shell_quote(path) + " --offsets " +
                              shell_quote(offsets) + " -o " + shell_quote(dir.file("out"));
  const CommandResult r = run_command("script -qec " + shell_quote(command) + " /dev/null");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\r[########################################] 100% 3/3 blocks, 0 failed"), std::string::npos)
      << r.out;
  EXPECT_EQ(read_file(dir.path() / "out" / "020000.bin"), as_string(rom.decoded[2]));
}

TEST(CliRomExtract, AllGoodExitsZero) {
  TempDir dir;
  const PlantedRom rom;
  const std::string path = dir.write("game.sfc", rom.file);
  const std::string offsets = write_text(dir, "offsets.txt", "0x10000\n0x31000\n");
  const CommandResult r = run_frugal("rom extract " + shell_quote(path) + " --offsets " + shell_quote(offsets) +
                                     " -o " + shell_quote(dir.file("a/b")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(dir.path() / "a" / "b" / "031000.bin"), as_string(rom.decoded[3]));
}

TEST(CliRomExtract, OffsetsFileErrorsNameTheLine) {
  TempDir dir;
  const PlantedRom rom;
  const std::string path = dir.write("game.sfc", rom.file);
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"0x10000\n# fine\n12z\n", "offsets.txt:3: '12z': not an offset"},
      {"\n\n0xZZ\n", "offsets.txt:3: '0xZZ': not a hex offset"},
      {"0x10000\n0x40000\n", "offsets.txt:2: '0x40000': offset past the ROM image's end"},
      {"$7E:0000\n", "offsets.txt:1: '$7E:0000'"},                 // work RAM: to_offset's message follows
      {"1\n$80:12345\n", "offsets.txt:2: '$80:12345': a bus address is written $BB:AAAA"},
      {"-5\n", "offsets.txt:1: '-5': not an offset"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string offsets = write_text(dir, "offsets.txt", c.text);
    const CommandResult r = run_frugal("rom extract " + shell_quote(path) + " --offsets " + shell_quote(offsets) +
                                       " -o " + shell_quote(dir.file("out")));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.file("out")));  // nothing written before the list is read
  }
  const std::string no_dir = shell_quote(dir.file("x"));  // every run below fails before writing it
  // Line lengths: 1024 bytes pass (a comment), 1025 do not; nor does a
  // stream without newlines, read no further than the limit.
  const std::string long_ok = write_text(dir, "ok.txt", "0x10000 #" + std::string(1015, 'c') + "\n");
  EXPECT_EQ(run_frugal("rom extract " + shell_quote(path) + " --offsets " + shell_quote(long_ok) + " -o " +
                       shell_quote(dir.file("long")))
                .exit_code,
            0);
  const std::string too_long = write_text(dir, "long.txt", "0x10000\n#" + std::string(1024, 'c'));
  CommandResult r =
      run_frugal("rom extract " + shell_quote(path) + " --offsets " + shell_quote(too_long) + " -o " + no_dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("long.txt:2: line longer than 1024 bytes"), std::string::npos) << r.err;
  r = run_frugal("rom extract " + shell_quote(path) + " --offsets /dev/zero -o " + no_dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/dev/zero:1: line longer than 1024 bytes"), std::string::npos) << r.err;
  EXPECT_EQ(run_frugal("rom extract " + shell_quote(path) + " -o " + no_dir).exit_code, 1);
  const std::string missing = shell_quote(dir.file("missing"));
  EXPECT_EQ(run_frugal("rom extract " + shell_quote(path) + " --offsets " + missing + " -o " + no_dir).exit_code, 3);
  EXPECT_EQ(run_frugal("rom extract " + shell_quote(path) + " --offsets a -o " + no_dir + " --threads 0").exit_code,
            1);
  EXPECT_FALSE(std::filesystem::exists(dir.file("x")));
}

TEST(CliRomScan, FindsThePlantedBlocks) {
  TempDir dir;
  const PlantedRom rom;
  const std::string path = dir.write("game.sfc", rom.file);
  const CommandResult r = run_frugal("rom scan " + shell_quote(path) + " --json --min-size 200");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> out = lines(r.out);
  for (std::size_t n = 0; n < std::size(kPlanted); ++n) {
    SCOPED_TRACE(kPlanted[n]);
    const auto hit = std::find_if(out.begin(), out.end(), [&](const std::string& line) {
      return field(line, "offset") == std::to_string(kPlanted[n]);
    });
    ASSERT_NE(hit, out.end()) << r.out;
    EXPECT_EQ(field(*hit, "decompressed"), std::to_string(rom.decoded[n].size()));
    EXPECT_EQ(field(*hit, "compressed"), std::to_string(rom.compressed[n]));
    char address[40];  // LoROM, FastROM banks: $80 + offset / 32 KiB, $8000 + offset % 32 KiB
    std::snprintf(address, sizeof address, "$%02zX:%04zX", 0x80 + kPlanted[n] / 0x8000, 0x8000 + kPlanted[n] % 0x8000);
    EXPECT_EQ(field(*hit, "address"), address);
  }
  // Past bank 0's random filler, nothing else: 0xFF is an empty stream.
  const auto planted_area = std::count_if(out.begin(), out.end(), [](const std::string& line) {
    return std::stoull(field(line, "offset")) >= 0x8000;
  });
  EXPECT_EQ(planted_area, 4);
  for (const std::string& line : out) {  // every line is an object with the four keys
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
    for (const char* key : {"offset", "address", "compressed", "decompressed"})
      EXPECT_FALSE(field(line, key).empty()) << key << " in " << line;
  }

  // A window: only the blocks starting in it; text output with a count.
  const CommandResult w =
      run_frugal("rom scan " + shell_quote(path) + " --begin 0x11000 --end '$84:8000' --min-size 200");
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.out.find("0x012345  $82:A345"), std::string::npos) << w.out;
  EXPECT_EQ(w.out.find("0x010000  $"), std::string::npos) << w.out;
  EXPECT_EQ(w.out.find("0x020000  $"), std::string::npos) << w.out;
  EXPECT_NE(w.out.find("1 plausible HAL blocks in [0x011000, 0x020000)"), std::string::npos) << w.out;

  EXPECT_EQ(run_frugal("rom scan " + shell_quote(path) + " --begin 0x30000 --end 0x20000").exit_code, 1);
  EXPECT_EQ(run_frugal("rom scan " + shell_quote(path) + " --min-size 0").exit_code, 1);
}

}  // namespace
}  // namespace frugal::test
