#pragma once
// A small greedy HAL compressor for the decoder's round-trip tests: it emits
// every command kind but 7 (literal, byte/word/increasing fill, forward,
// bit-reversed and backwards copies, overlapping forward copies included),
// short and long forms, and makes no attempt at exhal's ratios. For LC_LZ2 it
// leaves out commands 5 and 6 and counts word fills in bytes.

#include <frugal/assets/hal.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <vector>

namespace frugal::test {

/// Commands 0-6 emitted by one hal_compress call, by command number.
using HalCommandCounts = std::array<std::size_t, 7>;

/// The HAL (or LC_LZ2) stream, end marker included, for `data` (at most 64 KiB).
std::vector<std::byte> hal_compress(std::span<const std::byte> data, HalCommandCounts* counts = nullptr,
                                    assets::LzFormat format = assets::LzFormat::hal);

/// Appends a command header: the short form when `len` <= 32 and `cmd` < 7,
/// else the long form (`len` 1-1024; HAL word fills count words, LC_LZ2's bytes).
void hal_command(std::vector<std::byte>& out, unsigned cmd, std::size_t len);

}  // namespace frugal::test
