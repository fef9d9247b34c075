#pragma once
// A fresh directory per test under $FRUGAL_TEST_TMPDIR (the build tree) or
// the system temp folder, removed with its contents at scope exit.

#include <filesystem>
#include <span>
#include <string>

namespace frugal::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// path() / name, as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Writes `bytes` to path() / name and returns the full path.
  std::string write(const std::string& name, std::span<const std::byte> bytes) const;

 private:
  std::filesystem::path path_;
};

/// The whole contents of a file (empty when it cannot be read).
std::string read_file(const std::filesystem::path& path);

}  // namespace frugal::test
