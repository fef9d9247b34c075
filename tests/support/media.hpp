#pragma once
// The one way tests reach ../shared/media (real files written by other
// projects) and external oracles (ffprobe, ffmpeg). Tests that need them skip
// with a clear message when they are absent.

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace frugal::test {

/// The media folder: $FRUGAL_MEDIA_DIR, else ../shared/media beside the
/// source tree; nullopt when neither exists.
std::optional<std::filesystem::path> media_dir();

/// Regular files in media_dir()/<sub>, sorted by name (empty when absent).
std::vector<std::filesystem::path> media_files(const std::string& sub);

/// Regular files in every folder of media_dir() (mp4, other, exr, rom...),
/// sorted by path (empty when absent).
std::vector<std::filesystem::path> all_media_files();

/// Full path of an executable found on PATH, or nullopt.
std::optional<std::filesystem::path> find_program(const std::string& name);

/// Runs `command` through /bin/sh and returns its standard output; nullopt
/// when it exits non-zero. Standard error is discarded.
std::optional<std::string> run_capture(const std::string& command);

struct CommandResult {
  int exit_code = -1;  ///< exit status, or 128 + signal number when killed
  std::string out;     ///< standard output
  std::string err;     ///< standard error
};

/// Runs `command` through /bin/sh, capturing both output streams.
CommandResult run_command(const std::string& command);

/// Quotes `s` for /bin/sh.
std::string shell_quote(const std::string& s);

/// Opus PCM (16-bit little-endian) against a reference decoder's (ffmpeg's
/// libopus, opusdec): identical when both run on the same machine. Under an
/// emulator the reference is the host's libopus, whose float code rounds
/// differently from the target's (seen: 1 LSB), so there samples may differ
/// by up to 4 LSB. `ours` may be the shorter (a prefix of `theirs`).
testing::AssertionResult opus_pcm_matches(const std::string& ours, const std::string& theirs);

}  // namespace frugal::test

/// Declares `dir` as the media folder, or skips the test.
#define FRUGAL_REQUIRE_MEDIA(dir)                                                   \
  auto dir##_opt = ::frugal::test::media_dir();                                     \
  if (!dir##_opt) GTEST_SKIP() << "media folder absent (set FRUGAL_MEDIA_DIR or "  \
                                  "place ../shared/media beside the source tree)"; \
  const std::filesystem::path dir = *dir##_opt

/// Declares `var` as the path of program `name`, or skips the test.
#define FRUGAL_REQUIRE_PROGRAM(var, name)                                       \
  auto var##_opt = ::frugal::test::find_program(name);                          \
  if (!var##_opt) GTEST_SKIP() << name << " not found on PATH";                 \
  const std::filesystem::path var = *var##_opt
