#include "cli/common.hpp"

#include <frugal/core/byte_reader.hpp>
#include <frugal/mem/os_pressure.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace frugal::cli {

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::optional<Args> parse_args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
                               const std::set<std::string>& flags, std::string& error) {
  Args args;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() < 2 || a[0] != '-' || a == "--") {  // "-" alone is a positional (stdin/stdout)
      if (a != "--") args.positional.push_back(a);
      continue;
    }
    std::string name = a;
    std::optional<std::string> inline_value;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
    }
    if (flags.count(name)) {
      args.flags.insert(name);
    } else if (with_value.count(name)) {
      if (inline_value) {
        args.values[name] = *inline_value;
      } else if (i + 1 < argv.size()) {
        args.values[name] = argv[++i];
      } else {
        error = "option " + name + " needs a value";
        return std::nullopt;
      }
    } else {
      error = "unknown option " + name;
      return std::nullopt;
    }
  }
  return args;
}

IoStats& io_stats() {
  static IoStats stats;
  return stats;
}

core::Result<std::unique_ptr<Input>> Input::open(const std::vector<std::string>& paths) {
  std::unique_ptr<Input> in(new Input());
  if (paths.size() == 1 && paths[0] == "-") {
    in->stdin_.emplace(0);
    player::StreamSourceOptions options;
    options.tracker = &tracker();
    FRUGAL_TRY(player::StreamSource stream, player::StreamSource::open(*in->stdin_, options));
    in->stream_.emplace(std::move(stream));
    in->counting_.emplace(*in->stream_);
    return in;
  }
  in->files_.reserve(paths.size());
  for (const std::string& path : paths) {
    FRUGAL_TRY(core::FileSource file, core::FileSource::open(path.c_str()));
    in->files_.push_back(std::move(file));
  }
  for (core::FileSource& f : in->files_) in->parts_.push_back(&f);
  if (in->files_.size() == 1) {
    in->counting_.emplace(in->files_[0]);
  } else {
    in->concat_.emplace(in->parts_);
    in->counting_.emplace(*in->concat_);
  }
  return in;
}

Input::~Input() {
  if (!counting_) return;
  io_stats().bytes_read += counting_->bytes_read();
  io_stats().read_calls += counting_->read_calls();
}

std::vector<std::vector<std::string>> group_inputs(const std::vector<std::string>& paths) {
  const auto media_segment = [](const std::string& path) {
    if (path == "-") return false;
    auto file = core::FileSource::open(path.c_str());
    std::array<std::byte, 8> head{};
    if (!file || !core::read_exact(*file, 0, head)) return false;
    const core::FourCC type(core::load_be32(&head[4]));
    for (core::FourCC t : {core::FourCC("styp"), core::FourCC("sidx"), core::FourCC("moof"), core::FourCC("emsg"),
                           core::FourCC("prft")})
      if (type == t) return true;
    return false;
  };
  std::vector<std::vector<std::string>> groups;
  for (const std::string& path : paths) {
    if (groups.empty() || !media_segment(path)) groups.emplace_back();
    groups.back().push_back(path);
  }
  return groups;
}

bool one_input(const Args& args, const std::string& command, std::vector<std::string>& paths, int& exit_code) {
  auto groups = group_inputs(args.positional);
  if (groups.size() != 1) {
    exit_code = usage_error(command + " takes one FILE (or an init segment and its media segments)");
    return false;
  }
  paths = std::move(groups[0]);
  return true;
}

core::Result<std::unique_ptr<core::Demuxer>> open_demuxer(Input& input) {
  core::DemuxerOptions options;
  options.tracker = &tracker();
  return player::open_demuxer(input.source(), options);
}

std::optional<std::size_t> parse_bytes(const std::string& text) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;  // strtoull would take "-1"
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  unsigned shift = 0;
  const std::string unit(end);
  if (unit == "K" || unit == "k") shift = 10;
  else if (unit == "M" || unit == "m") shift = 20;
  else if (unit == "G" || unit == "g") shift = 30;
  else if (!unit.empty()) return std::nullopt;
  if (n > (static_cast<unsigned long long>(SIZE_MAX) >> shift)) return std::nullopt;
  return static_cast<std::size_t>(n << shift);
}

std::string error_text(const core::Error& e) {
  std::string s = std::string(core::errc_name(e.code)) + ": " + e.message;
  if (e.os_error) s += std::string(" (") + std::strerror(e.os_error) + ")";
  if (e.offset != core::Error::kNoOffset) s += " (at byte " + std::to_string(e.offset) + ")";
  return s;
}

int report(const std::string& subject, const core::Error& error) {
  std::fprintf(stderr, "frugal: %s: %s\n", subject.c_str(), error_text(error).c_str());
  switch (error.code) {
    case core::Errc::io: return kIoError;
    case core::Errc::invalid_argument: return kUsage;
    default: return kBadInput;
  }
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "frugal: %s\n(see frugal --help)\n", message.c_str());
  return kUsage;
}

std::optional<std::uint32_t> parse_positive(const std::string& text) {
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || n == 0 || n > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

bool parse_track(const Args& args, std::optional<std::uint32_t>& track, int& exit_code) {
  auto v = args.value("--track");
  if (!v) return true;
  track = parse_positive(*v);
  if (!track) exit_code = usage_error("--track takes a track ID (a positive number), not '" + *v + "'");
  return track.has_value();
}

bool parse_stream_options(const Args& args, player::StreamOptions& options, int& exit_code) {
  if (!parse_track(args, options.track, exit_code)) return false;
  options.tracker = &tracker();
  options.use_edit_list = !args.has("--no-edit-list");
  auto v = args.value("--format");
  if (!v) return true;
  for (auto f : {core::SampleFormat::s16, core::SampleFormat::s24, core::SampleFormat::s32, core::SampleFormat::f32}) {
    if (*v == core::sample_format_name(f)) {
      options.format = f;
      return true;
    }
  }
  exit_code = usage_error("--format takes s16, s24, s32 or f32, not '" + *v + "'");
  return false;
}

namespace {

struct MemoryTracking {
  std::unique_ptr<mem::MemoryTracker> tracker;
  std::unique_ptr<mem::OsPressureSource> os_source;
  std::unique_ptr<mem::DispatchThread> dispatcher;
  ~MemoryTracking() {
    dispatcher.reset();  // stops dispatching before the source and tracker go
    if (os_source) tracker->remove_source(*os_source);
  }
};

MemoryTracking& memory_tracking() {
  static MemoryTracking tracking;
  return tracking;
}

}  // namespace

void start_memory_tracking(std::size_t budget) {
  MemoryTracking& m = memory_tracking();
  mem::TrackerOptions options;
  options.budget = budget;
  m.tracker = std::make_unique<mem::MemoryTracker>(options);
  // The OS's view of memory joins the budget's; without one, the budget alone.
  auto source = mem::make_psi_source(*m.tracker);
  if (!source) source = mem::make_meminfo_source(*m.tracker);
  if (source && m.tracker->add_source(**source)) m.os_source = std::move(*source);
  m.dispatcher = std::make_unique<mem::DispatchThread>(*m.tracker);
}

mem::MemoryTracker& tracker() {
  MemoryTracking& m = memory_tracking();
  if (!m.tracker) start_memory_tracking(0);
  return *m.tracker;
}

std::optional<codec::DecoderRegistry> parse_decoders(const Args& args, int& exit_code) {
  codec::DecoderRegistry builtins = codec::DecoderRegistry::with_builtins();
  auto name = args.value("--decoder");
  if (!name) return builtins;
  codec::DecoderRegistry chosen = builtins.only(*name);
  if (chosen.empty()) {
    exit_code = usage_error("--decoder: this build has no decoder named '" + *name + "'");
    return std::nullopt;
  }
  return chosen;
}

}  // namespace frugal::cli
