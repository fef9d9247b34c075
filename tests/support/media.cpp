#include "support/media.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace frugal::test {

std::optional<fs::path> media_dir() {
  if (const char* env = std::getenv("FRUGAL_MEDIA_DIR"); env && *env) {
    if (fs::is_directory(env)) return fs::path(env);
    return std::nullopt;
  }
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(FRUGAL_DEFAULT_MEDIA_DIR, ec);
  if (!ec && fs::is_directory(dir)) return dir;
  return std::nullopt;
}

std::vector<fs::path> media_files(const std::string& sub) {
  std::vector<fs::path> files;
  auto dir = media_dir();
  if (!dir || !fs::is_directory(*dir / sub)) return files;
  for (const auto& entry : fs::directory_iterator(*dir / sub))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> all_media_files() {
  std::vector<fs::path> files;
  auto dir = media_dir();
  if (!dir) return files;
  for (const auto& sub : fs::directory_iterator(*dir))
    if (sub.is_directory())
      for (fs::path& f : media_files(sub.path().filename().string())) files.push_back(std::move(f));
  std::sort(files.begin(), files.end());
  return files;
}

std::optional<fs::path> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  std::string rest = path;
  std::size_t start = 0;
  while (start <= rest.size()) {
    std::size_t end = rest.find(':', start);
    if (end == std::string::npos) end = rest.size();
    fs::path candidate = fs::path(rest.substr(start, end - start)) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  char err_path[] = "/tmp/frugal-stderr-XXXXXX";
  const int fd = ::mkstemp(err_path);
  if (fd < 0) return result;
  ::close(fd);
  FILE* pipe = ::popen((command + " 2>" + err_path).c_str(), "r");
  if (pipe) {
    std::array<char, 65536> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  }
  if (FILE* f = std::fopen(err_path, "r")) {
    std::array<char, 4096> buf;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) result.err.append(buf.data(), n);
    std::fclose(f);
  }
  std::remove(err_path);
  return result;
}

std::optional<std::string> run_capture(const std::string& command) {
  CommandResult r = run_command(command);
  if (r.exit_code != 0) return std::nullopt;
  return std::move(r.out);
}

testing::AssertionResult opus_pcm_matches(const std::string& ours, const std::string& theirs) {
  if (ours.size() > theirs.size()) return testing::AssertionFailure() << "longer than the reference decode";
#ifdef FRUGAL_TEST_UNDER_EMULATOR
  constexpr int kTolerance = 4;  // 16-bit LSB
  int worst = 0;
  for (std::size_t i = 0; i + 1 < ours.size(); i += 2) {
    const auto sample = [](const std::string& b, std::size_t at) {
      return static_cast<std::int16_t>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1]) << 8);
    };
    worst = std::max(worst, std::abs(sample(ours, i) - sample(theirs, i)));
  }
  if (worst <= kTolerance) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "samples differ by up to " << worst << " LSB";
#else
  if (theirs.compare(0, ours.size(), ours) == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "decoded audio differs";
#endif
}

}  // namespace frugal::test
