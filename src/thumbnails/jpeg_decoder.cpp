// JPEG through libjpeg-turbo: header-only plans, DCT-scaled decoding a
// scanline at a time (ITU-T T.81; libjpeg's libjpeg.txt "Decompression
// parameter selection" for scale_num/scale_denom and buffered memory).
#include "thumbnails/codecs.hpp"

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <jerror.h>
#include <jpeglib.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <memory>
#include <new>

namespace frugal::thumbnails::detail {

namespace {

using core::Errc;
using core::make_error;

// libjpeg's pools, tables and markers beside the buffers counted below
// (its small-object pools come in slabs of up to 16 KB; the Huffman, IDCT
// and colour tables take a few KB each): a margin over what the malloc
// counter sees beyond them (see the plan test).
constexpr std::size_t kJpegFixedBytes = 24 * 1024;
constexpr std::size_t kReadChunk = 4096;

// Everything libjpeg touches, trivially destructible: the setjmp frames
// below hold nothing else.
struct JpegState {
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr jerr;
  jpeg_source_mgr src;
  std::jmp_buf jump;
  core::ByteSource* source = nullptr;
  std::uint64_t offset = 0;  // next byte of the source to read
  bool created = false;
  bool read_failed = false;
  core::Error read_error;
  JOCTET buffer[kReadChunk];
};

JpegState* state_of(j_common_ptr cinfo) {
  return reinterpret_cast<JpegState*>(reinterpret_cast<char*>(cinfo) - offsetof(JpegState, cinfo));
}

[[noreturn]] void on_error(j_common_ptr cinfo) { std::longjmp(state_of(cinfo)->jump, 1); }

// Warnings (corrupt data, premature end: libjpeg would go on with grey)
// end the decode: a thumbnail of half an image is refused.
void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error(cinfo);
}

void on_init_source(j_decompress_ptr) {}
void on_term_source(j_decompress_ptr) {}

// Reads the next chunk; returns the bytes read (0: end or error, kept in
// the state). A function of its own: its Result is gone before any longjmp.
std::size_t read_chunk(JpegState* s) {
  auto n = s->source->read_at(s->offset, std::span(reinterpret_cast<std::byte*>(s->buffer), kReadChunk));
  if (!n) {
    s->read_failed = true;
    s->read_error = n.error();
    return 0;
  }
  s->offset += *n;
  return *n;
}

boolean on_fill_input_buffer(j_decompress_ptr cinfo) {
  JpegState* s = state_of(reinterpret_cast<j_common_ptr>(cinfo));
  const std::size_t n = read_chunk(s);
  if (n == 0) {
    if (!s->read_failed) s->read_error = make_error(Errc::malformed, "JPEG: premature end of data", s->offset);
    s->read_failed = true;
    on_error(reinterpret_cast<j_common_ptr>(cinfo));
  }
  s->src.next_input_byte = s->buffer;
  s->src.bytes_in_buffer = n;
  return TRUE;
}

void on_skip_input_data(j_decompress_ptr cinfo, long count) {
  JpegState* s = state_of(reinterpret_cast<j_common_ptr>(cinfo));
  if (count <= 0) return;
  const auto n = static_cast<std::size_t>(count);
  if (n <= s->src.bytes_in_buffer) {
    s->src.next_input_byte += n;
    s->src.bytes_in_buffer -= n;
  } else {
    s->offset += n - s->src.bytes_in_buffer;
    s->src.bytes_in_buffer = 0;
  }
}

// Each libjpeg call in a setjmp frame of its own holding only trivial objects.
bool guarded_create(JpegState* s) {
  s->cinfo.err = jpeg_std_error(&s->jerr);
  s->jerr.error_exit = on_error;
  s->jerr.emit_message = on_message;
  if (setjmp(s->jump)) return false;
  jpeg_create_decompress(&s->cinfo);
  s->created = true;
  s->src.init_source = on_init_source;
  s->src.fill_input_buffer = on_fill_input_buffer;
  s->src.skip_input_data = on_skip_input_data;
  s->src.resync_to_restart = jpeg_resync_to_restart;
  s->src.term_source = on_term_source;
  s->src.bytes_in_buffer = 0;
  s->src.next_input_byte = nullptr;
  s->cinfo.src = &s->src;
  return true;
}

bool guarded_read_header(JpegState* s) {
  if (setjmp(s->jump)) return false;
  jpeg_read_header(&s->cinfo, TRUE);
  return true;
}

bool guarded_scale(JpegState* s, unsigned num) {
  if (setjmp(s->jump)) return false;
  s->cinfo.scale_num = num;
  s->cinfo.scale_denom = 8;
  jpeg_calc_output_dimensions(&s->cinfo);
  return true;
}

bool guarded_start(JpegState* s) {
  if (setjmp(s->jump)) return false;
  jpeg_start_decompress(&s->cinfo);
  return true;
}

bool guarded_read_row(JpegState* s, JSAMPROW row) {
  if (setjmp(s->jump)) return false;
  return jpeg_read_scanlines(&s->cinfo, &row, 1) == 1;
}

struct StateDeleter {
  void operator()(JpegState* s) const noexcept {
    if (s->created) jpeg_destroy_decompress(&s->cinfo);
    delete s;
  }
};
using StatePtr = std::unique_ptr<JpegState, StateDeleter>;

// What a failed libjpeg call turns into.
core::Error failure(const JpegState& s) {
  if (s.read_failed) return s.read_error;
  switch (s.jerr.msg_code) {
    case JERR_OUT_OF_MEMORY:
    case JERR_NO_BACKING_STORE:
    case JERR_VIRTUAL_BUG:
      return make_error(Errc::out_of_memory, "JPEG: libjpeg needs more memory than planned");
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_BAD_PRECISION:
      return make_error(Errc::unsupported, "JPEG: libjpeg does not decode this kind of image");
    default:
      if (s.jerr.msg_code >= JWRN_ADOBE_XFORM && s.jerr.msg_code <= JWRN_TOO_MUCH_DATA)
        return make_error(Errc::malformed, "JPEG: corrupt data");
      return make_error(Errc::malformed, "JPEG: libjpeg refused the data");
  }
}

// Opens `source` and reads the header; the colour space set to what the
// thumbnailer takes (RGBA, or CMYK converted here).
core::Result<StatePtr> open(core::ByteSource& source, const ThumbnailOptions& options) {
  StatePtr s(new (std::nothrow) JpegState());
  if (!s) return make_error(Errc::out_of_memory, "JPEG: no memory for the decoder");
  s->source = &source;
  if (!guarded_create(s.get()) || !guarded_read_header(s.get())) return failure(*s);
  jpeg_decompress_struct& c = s->cinfo;
  FRUGAL_CHECK(check_source_size(c.image_width, c.image_height, options));
  switch (c.jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
      c.out_color_space = JCS_EXT_RGBA;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      c.out_color_space = JCS_CMYK;
      break;
    default:
      return make_error(Errc::unsupported, "JPEG: colour space not grey, YCbCr, RGB, CMYK or YCCK");
  }
  return s;
}

// libjpeg's buffers at the scale set (jdmainct.c, jdcoefct.c, jdsample.c,
// jdapistd.c), each rounded up, plus kJpegFixedBytes and this file's rows;
// in 64 bits (a progressive image's coefficients pass 4 GB at 2^31 pixels).
std::uint64_t jpeg_decoder_bytes(const jpeg_decompress_struct& c) {
  const std::uint64_t m = static_cast<std::uint64_t>(std::max(c.min_DCT_scaled_size, 1));
  const std::uint64_t out_width = c.output_width;
  std::uint64_t bytes = kJpegFixedBytes + sizeof(JpegState);
  for (int i = 0; i < c.num_components; ++i) {
    const jpeg_component_info& comp = c.comp_info[i];
    const std::uint64_t h = static_cast<std::uint64_t>(comp.h_samp_factor);
    const std::uint64_t v = static_cast<std::uint64_t>(comp.v_samp_factor);
    const std::uint64_t scaled = static_cast<std::uint64_t>(comp.DCT_scaled_size);
    const std::uint64_t blocks_across = (comp.width_in_blocks + h - 1) / h * h;
    // The main buffer: row groups of v × scaled / m rows, m + 2 of them
    // with context rows (fancy upsampling), plus its pointer lists.
    const std::uint64_t columns = blocks_across * scaled;
    const std::uint64_t rows = v * scaled / m * (m + 2);
    bytes += columns * rows + rows * 3 * sizeof(JSAMPROW);
    // The upsampler's rows at output width.
    bytes += (out_width + 16) * static_cast<std::uint64_t>(c.max_v_samp_factor);
    // Multi-scan files (progressive, or components in separate scans):
    // every coefficient of the image, at full size whatever the scale.
    if (jpeg_has_multiple_scans(const_cast<j_decompress_ptr>(&c))) {
      const std::uint64_t blocks_down = (comp.height_in_blocks + v - 1) / v * v;
      bytes += blocks_across * blocks_down * sizeof(JBLOCK);
    }
  }
  // The colour converter's tables, and this file's rows: one output
  // scanline (4 bytes a pixel) and, for CMYK, one RGBA row beside it.
  bytes += 4 * 1024 * sizeof(int) + out_width * 4 * 2;
  return bytes;
}

}  // namespace

core::Result<ThumbnailPlan> plan_jpeg(core::ByteSource& source, const ThumbnailOptions& options) {
  FRUGAL_TRY(StatePtr s, open(source, options));
  ThumbnailPlan plan;
  plan.codec = ImageCodec::jpeg;
  plan.source_width = s->cinfo.image_width;
  plan.source_height = s->cinfo.image_height;
  const Size target = target_size(plan, options);
  // The smallest N/8 whose output covers the target on both sides (N = 8
  // always does: the target is never larger than the image).
  for (unsigned num = 1; num <= 8; ++num) {
    if (!guarded_scale(s.get(), num)) return failure(*s);
    if (s->cinfo.output_width >= target.width && s->cinfo.output_height >= target.height) {
      plan.scale_num = num;
      break;
    }
  }
  plan.decoded_width = s->cinfo.output_width;
  plan.decoded_height = s->cinfo.output_height;
  plan.whole_image = jpeg_has_multiple_scans(&s->cinfo);
  finish_plan(plan, jpeg_decoder_bytes(s->cinfo), options);
  return plan;
}

core::Result<void> decode_jpeg(core::ByteSource& source, const ThumbnailPlan& plan, std::uint64_t decoder_bytes,
                               AreaFilter& filter) {
  ThumbnailOptions header_options;  // the caps were checked by the plan
  header_options.max_source_side = plan.source_width > plan.source_height ? plan.source_width : plan.source_height;
  header_options.max_source_pixels = std::uint64_t{plan.source_width} * plan.source_height;
  FRUGAL_TRY(StatePtr s, open(source, header_options));
  if (s->cinfo.image_width != plan.source_width || s->cinfo.image_height != plan.source_height)
    return make_error(Errc::invalid_argument, "JPEG: the image is not the one planned");
  s->cinfo.mem->max_memory_to_use = static_cast<long>(std::min<std::uint64_t>(decoder_bytes, LONG_MAX));
  if (!guarded_scale(s.get(), plan.scale_num) || !guarded_start(s.get())) return failure(*s);
  const jpeg_decompress_struct& c = s->cinfo;
  if (c.output_width != plan.decoded_width || c.output_height != plan.decoded_height || c.output_components != 4)
    return make_error(Errc::invalid_argument, "JPEG: the decode is not the one planned");
  const bool cmyk = c.out_color_space == JCS_CMYK;
  const std::size_t row_bytes = std::size_t{c.output_width} * 4;
  std::unique_ptr<JSAMPLE[]> row(new (std::nothrow) JSAMPLE[row_bytes]);
  std::unique_ptr<std::uint8_t[]> rgba(cmyk ? new (std::nothrow) std::uint8_t[row_bytes] : nullptr);
  if (!row || (cmyk && !rgba)) return make_error(Errc::out_of_memory, "JPEG: no memory for a scanline");
  // Adobe APP14 CMYK is stored inverted (Photoshop's convention, which
  // libjpeg passes through): 255 means no ink.
  const bool inverted = c.saw_Adobe_marker;
  while (s->cinfo.output_scanline < s->cinfo.output_height) {
    if (!guarded_read_row(s.get(), row.get())) return failure(*s);
    if (cmyk) {
      for (std::size_t i = 0; i < row_bytes; i += 4) {
        // Light each channel lets through: (1 − C)(1 − K), in 0-255.
        const unsigned k = inverted ? row[i + 3] : 255u - row[i + 3];
        for (int ch = 0; ch < 3; ++ch) {
          const unsigned through = inverted ? row[i + ch] : 255u - row[i + ch];
          rgba[i + ch] = static_cast<std::uint8_t>((through * k + 127) / 255);
        }
        rgba[i + 3] = 255;
      }
      filter.push_row(rgba.get());
    } else {
      filter.push_row(row.get());
    }
  }
  return core::ok();
}

}  // namespace frugal::thumbnails::detail
