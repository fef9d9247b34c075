#pragma once
// A ByteSource over a forward-only stream (standard input, a pipe), for
// `frugal play -` and embedders fed by a socket: the demuxer's positional
// reads are served from two buffers, both charged to the tracker.
//
// - The head: every byte until the reader says which prefix it will come
//   back to (ByteSource::will_revisit: the demuxer names the end of moov,
//   whose sample tables it reads lazily); then that prefix alone. A movie
//   header larger than `head_bytes` fails with Errc::limit_exceeded.
// - A window of the last `window_bytes` read, for readers that look back a
//   little (a fragment's trun entries while its samples are read, several
//   tracks interleaved). A fragment whose trun entries outgrow the
//   demuxer's 4 KiB table window while its data outgrows this window (a
//   moof of thousands of samples over more than 256 KiB) cannot be read
//   from a stream: raise `window_bytes` for such files. Asking for bytes further back fails with
//   Errc::unsupported; a read from the held prefix into such bytes (a
//   read-ahead past the end of moov) comes back short at the prefix's end.
//   Reads ahead go straight to the stream, so a read larger than the
//   window (a big packet) works when it comes in order.
//
// Fragmented files thus play front to back in bounded memory; faststart
// files (moov before mdat) hold their moov; files with moov after mdat
// cannot be read from a stream (the demuxer says so). Not thread-safe.

#include <frugal/core/byte_source.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <vector>

namespace frugal::player {

struct StreamSourceOptions {
  /// Most bytes held of the stream's start (the movie header).
  std::size_t head_bytes = std::size_t{4} << 20;
  /// Bytes kept behind the furthest read once the head is settled.
  std::size_t window_bytes = std::size_t{256} << 10;
  /// Where the buffers are charged (account "player/stream_source");
  /// nullptr: mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

class StreamSource final : public core::ByteSource {
 public:
  /// Reads from `in`, which must outlive the source. Errors: the tracker's
  /// account errors.
  static core::Result<StreamSource> open(core::InputStream& in, const StreamSourceOptions& options = {});

  /// Errors: Errc::io (the stream's), Errc::limit_exceeded (the head would
  /// pass head_bytes), Errc::unsupported (bytes already gone by),
  /// Errc::out_of_memory (a buffer over the budget). A short read at the
  /// end of the stream.
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return std::nullopt; }
  bool seekable() const override { return false; }
  /// Reads the stream up to `end` and settles the head to [0, end) (the
  /// bytes after it move to the window). Errors: as read_at (a prefix past
  /// head_bytes: Errc::limit_exceeded); the head then stays unsettled.
  core::Result<void> will_revisit(std::uint64_t end) override;

  /// Bytes held now (head and window).
  std::size_t held_bytes() const noexcept { return charge_.bytes(); }

 private:
  StreamSource(core::InputStream& in, const StreamSourceOptions& options, mem::Account account)
      : in_(&in), options_(options), charge_(account, 0) {}
  core::Result<void> fill_to(std::uint64_t end);
  core::Result<void> grow_head(std::size_t bytes);
  void push_window(std::span<const std::byte> bytes) noexcept;
  std::uint64_t window_begin() const noexcept;

  core::InputStream* in_;
  StreamSourceOptions options_;
  mem::Charge charge_;
  std::vector<std::byte> head_;    // bytes [0, head_.size())
  bool settled_ = false;           // will_revisit() was called
  std::vector<std::byte> window_;  // ring: byte i of the stream at i % size
  std::uint64_t pos_ = 0;          // bytes taken from the stream
  bool ended_ = false;
};

}  // namespace frugal::player
