/* Test-only oracle: opens an EXR with OpenEXRCore (what exrinfo uses) in
 * strict header mode and prints its verdict and, when it accepts, the
 * header values frugal's ExrHeader is compared with. One line per fact:
 *   ok <parts>            | error <code name>: <message>
 *   part <i> storage <n> compression <n> chunks <n>
 *   dw <xmin> <ymin> <xmax> <ymax> / dispw ...
 *   channel <name> <pixel type> <xs> <ys>
 * Usage: exr_core_oracle FILE */
#include <openexr.h>
#include <cstdio>

static char g_message[512];

static void on_error(exr_const_context_t ctxt, exr_result_t code, const char* msg) {
  (void)ctxt;
  (void)code;
  if (!g_message[0]) snprintf(g_message, sizeof g_message, "%s", msg);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: exr_core_oracle FILE\n");
    return 2;
  }
  exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
  init.error_handler_fn = on_error;
  init.flags = EXR_CONTEXT_FLAG_STRICT_HEADER;
  exr_context_t ctxt = NULL;
  exr_result_t rv = exr_start_read(&ctxt, argv[1], &init);
  if (rv != EXR_ERR_SUCCESS) {
    printf("error %s: %s\n", exr_get_error_code_as_string(rv), g_message);
    if (ctxt) exr_finish(&ctxt);
    return 0;
  }
  int count = 0;
  exr_get_count(ctxt, &count);
  printf("ok %d\n", count);
  for (int p = 0; p < count; ++p) {
    exr_storage_t storage = EXR_STORAGE_SCANLINE;
    exr_compression_t compression = EXR_COMPRESSION_NONE;
    int32_t chunks = -1;
    exr_get_storage(ctxt, p, &storage);
    exr_get_compression(ctxt, p, &compression);
    if (exr_get_chunk_count(ctxt, p, &chunks) != EXR_ERR_SUCCESS) chunks = -1;
    printf("part %d storage %d compression %d chunks %d\n", p, (int)storage, (int)compression, (int)chunks);
    exr_attr_box2i_t dw, dispw;
    exr_get_data_window(ctxt, p, &dw);
    exr_get_display_window(ctxt, p, &dispw);
    printf("dw %d %d %d %d\n", dw.min.x, dw.min.y, dw.max.x, dw.max.y);
    printf("dispw %d %d %d %d\n", dispw.min.x, dispw.min.y, dispw.max.x, dispw.max.y);
    const exr_attr_chlist_t* channels = NULL;
    if (exr_get_channels(ctxt, p, &channels) == EXR_ERR_SUCCESS && channels) {
      for (int c = 0; c < channels->num_channels; ++c) {
        const exr_attr_chlist_entry_t* e = &channels->entries[c];
        printf("channel %s %d %d %d\n", e->name.str, (int)e->pixel_type, e->x_sampling, e->y_sampling);
      }
    }
  }
  exr_finish(&ctxt);
  return 0;
}
