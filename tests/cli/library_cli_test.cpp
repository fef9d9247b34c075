// frugal library: scan, rescan, list pages by cursor, search, stats and
// export over a folder of fixture files; errors and exit codes.
#include "cli/cli_support.hpp"
#include "library/fixtures.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <tuple>

namespace frugal::test {
namespace {

namespace fs = std::filesystem;

TEST(LibraryCli, ScanListSearchStatsExport) {
  TempDir dir;
  const fs::path music = dir.path() / "music";
  for (int i = 1; i <= 9; ++i)
    write_file(music / "Band" / "Record" / (std::to_string(i) + ".flac"),
               tagged_flac({"Tune " + std::to_string(i), "Band", "Record", "Band", "1977", std::to_string(i)}));
  write_file(music / "Other" / "x.opus", tagged_opus("Quiet piece"));
  write_file(music / "readme.txt", Bytes(10, std::byte{'r'}));
  const std::string db = " --db " + shell_quote(dir.file("lib.db"));

  const CommandResult first = run_frugal("library scan " + shell_quote(music.string()) + db + " --json");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(field(first.out, "files"), "11");
  EXPECT_EQ(field(first.out, "added"), "10");
  EXPECT_EQ(field(first.out, "skipped"), "1");
  const CommandResult again = run_frugal("library scan " + shell_quote(music.string()) + db + " --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(field(again.out, "unchanged"), "10");
  EXPECT_EQ(field(again.out, "bytes_hashed"), "0");

  const CommandResult stats = run_frugal("library stats" + db + " --json");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(field(stats.out, "tracks"), "10");
  EXPECT_EQ(field(stats.out, "albums"), "2");
  EXPECT_EQ(field(stats.out, "artists"), "2");
  EXPECT_EQ(field(stats.out, "errors"), "0");

  // Pages of 4 by title, following the cursor: every track once, in order.
  std::vector<std::string> titles;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    const CommandResult r = run_frugal("library list --order title --limit 4" + db + " --json" +
                                       (cursor.empty() ? "" : " --after " + shell_quote(cursor)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (auto at = r.out.find("\"title\":\""); at != std::string::npos; at = r.out.find("\"title\":\"", at + 1))
      titles.push_back(r.out.substr(at + 9, r.out.find('"', at + 9) - at - 9));
    cursor = field(r.out, "next_cursor");
    if (cursor.empty()) break;
  }
  ASSERT_EQ(titles.size(), 10u);
  EXPECT_TRUE(std::is_sorted(titles.begin(), titles.end()));
  EXPECT_EQ(std::set<std::string>(titles.begin(), titles.end()).size(), 10u);

  // Albums and artists, a page of one at a time.
  for (const auto& [what, key, expected] : {std::tuple{"albums", "title", std::vector<std::string>{"", "Record"}},
                                            std::tuple{"artists", "name", std::vector<std::string>{"Artist O", "Band"}}}) {
    std::vector<std::string> names;
    std::string after;
    for (int page = 0; page < 4; ++page) {
      const CommandResult r = run_frugal(std::string("library ") + what + " --limit 1" + db + " --json" +
                                         (after.empty() ? "" : " --after " + shell_quote(after)));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const std::string k = std::string("\"") + key + "\":\"";
      const auto at = r.out.find(k);
      ASSERT_NE(at, std::string::npos) << r.out;
      names.push_back(r.out.substr(at + k.size(), r.out.find('"', at + k.size()) - at - k.size()));
      after = field(r.out, "next_cursor");
      if (after.empty()) break;
    }
    EXPECT_EQ(names, expected) << what;
  }

  const CommandResult found = run_frugal("library search qui" + db + " --json");
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("Quiet piece"), std::string::npos);
  EXPECT_EQ(found.out.find("Tune"), std::string::npos);

  const std::string site = dir.file("site");
  const CommandResult exported = run_frugal("library export --html " + shell_quote(site) + db + " --size 32 --json");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(field(exported.out, "albums"), "2");
  // The FLAC album's cover is the fixture's header-only PNG: tried, refused
  // (its page shows the title instead); the Opus file has none.
  EXPECT_EQ(field(exported.out, "covers_written"), "0");
  EXPECT_EQ(field(exported.out, "cover_errors"), "1");
  EXPECT_TRUE(fs::exists(fs::path(site) / "index.html"));
  const CommandResult unchanged = run_frugal("library export --html " + shell_quote(site) + db + " --size 32 --json");
  EXPECT_EQ(field(unchanged.out, "pages_written"), "0");
  EXPECT_EQ(field(unchanged.out, "pages_kept"), "2");
}

TEST(LibraryCli, Errors) {
  TempDir dir;
  const std::string db = " --db " + shell_quote(dir.file("lib.db"));
  // A root that cannot be read: reported, exit 2 (its tracks would be kept).
  const CommandResult missing = run_frugal("library scan " + shell_quote(dir.file("missing")) + db);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("No such file"), std::string::npos) << missing.err;
  EXPECT_EQ(run_frugal("library list --order size" + db).exit_code, 1);
  EXPECT_EQ(run_frugal("library list --limit 5000" + db).exit_code, 1);
  EXPECT_EQ(run_frugal("library list --after nonsense" + db).exit_code, 1);
  EXPECT_EQ(run_frugal("library frobnicate").exit_code, 1);
  EXPECT_EQ(run_frugal("library export" + db).exit_code, 1);
  // Not a database: a clear error, the file untouched.
  const std::string junk = dir.write("junk.db", std::vector<std::byte>(4096, std::byte{'j'}));
  const CommandResult bad = run_frugal("library stats --db " + shell_quote(junk));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("junk.db"), std::string::npos);
  // A reader given a path with no catalogue: an error, and no file made.
  for (const char* command : {"list", "albums", "artists", "search x", "stats", "export --html out"}) {
    const std::string typo = dir.file("typo.db");
    const CommandResult r = run_frugal(std::string("library ") + command + " --db " + shell_quote(typo));
    EXPECT_NE(r.exit_code, 0) << command;
    EXPECT_NE(r.err.find("No such file"), std::string::npos) << command << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(typo)) << command;
  }
}

}  // namespace
}  // namespace frugal::test
