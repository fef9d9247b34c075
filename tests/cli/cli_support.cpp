#include "cli/cli_support.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <sstream>

namespace fs = std::filesystem;

namespace frugal::test {

CommandResult run_frugal(const std::string& args) { return run_command(std::string(FRUGAL_BINARY) + " " + args); }

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string field(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  auto at = json.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  if (json[at] == '"') return json.substr(at + 1, json.find('"', at + 1) - at - 1);
  return json.substr(at, json.find_first_of(",}", at) - at);
}

std::string wav_data(const std::string& wav) {
  std::size_t at = 12;
  while (at + 8 <= wav.size()) {
    const auto size = static_cast<std::uint32_t>(static_cast<unsigned char>(wav[at + 4]) |
                                                 static_cast<unsigned char>(wav[at + 5]) << 8 |
                                                 static_cast<unsigned char>(wav[at + 6]) << 16 |
                                                 static_cast<unsigned>(static_cast<unsigned char>(wav[at + 7])) << 24);
    if (wav.compare(at, 4, "data") == 0) return wav.substr(at + 8, size);
    at += 8 + size + (size & 1);
  }
  return "";
}

std::vector<std::vector<std::string>> ffprobe_packets(const fs::path& file, int index) {
  std::vector<std::vector<std::string>> out;
  const auto text = run_capture("ffprobe -v error -ignore_editlist 1 -select_streams " + std::to_string(index) +
                                " -show_entries packet=pos,size,dts,duration,flags -of csv=p=0 " +
                                shell_quote(file.string()));
  for (const std::string& line : lines(text.value_or(""))) {
    std::vector<std::string>& f = out.emplace_back();
    std::stringstream ss(line);
    for (std::string part; std::getline(ss, part, ',');) f.push_back(part);
  }
  return out;
}

std::string frugal_decode(const TempDir& dir, const fs::path& file, const std::string& track,
                          const std::string& extra, std::string* out_bits, std::string* out_err) {
  const std::string wav = dir.file("out.wav");
  CommandResult r = run_frugal("decode " + shell_quote(file.string()) + " --track " + track + " " + extra + " -o " +
                               shell_quote(wav));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (out_err) *out_err = r.err;
  const std::string bytes = read_file(wav);
  if (out_bits && bytes.size() > 36) *out_bits = std::to_string(static_cast<unsigned char>(bytes[34]));
  return wav_data(bytes);
}

std::string ffmpeg_decode(const fs::path& file, int index, const std::string& bits, const std::string& input_opts) {
  auto out = run_capture("ffmpeg -v error " + input_opts + " -i " + shell_quote(file.string()) + " -map 0:" +
                         std::to_string(index) + " -f s" + bits + "le -");
  return out.value_or("");
}

std::string name_from(const fs::path& path) {
  std::string name = path.string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

void expect_packets_match(const std::vector<std::string>& ours, const std::vector<std::vector<std::string>>& theirs,
                          bool layout, bool durations) {
  ASSERT_EQ(ours.size(), theirs.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const std::vector<std::string>& f = theirs[i];
    ASSERT_EQ(f.size(), 5u) << "ffprobe packet " << i;
    SCOPED_TRACE("packet " + std::to_string(i));
    EXPECT_EQ(field(ours[i], "dts"), f[0]);
    if (durations) {
      EXPECT_EQ(field(ours[i], "duration"), f[1]);
    } else if (i + 1 < ours.size()) {
      EXPECT_EQ(std::stoll(field(ours[i], "duration")),
                std::stoll(field(ours[i + 1], "dts")) - std::stoll(field(ours[i], "dts")));
    }
    if (layout) {
      EXPECT_EQ(field(ours[i], "size"), f[2]);
      EXPECT_EQ(field(ours[i], "pos"), f[3]);
    }
    EXPECT_EQ(field(ours[i], "sync"), f[4][0] == 'K' ? "true" : "false");
  }
}

}  // namespace frugal::test
