/*
 * hepflow's optional zlib reader: Debian's libdeflate behind two Node-API calls, used by
 * src/root/platform/node/codecs.ts when this addon is built (scripts/build-native.mjs) and
 * node:zlib otherwise. ROOT stores each block's uncompressed size, so every call decodes one
 * whole stream into a buffer of exactly that size: the whole-buffer API libdeflate is fast at.
 *
 * A decompressor holds ~32 KB of tables and is not thread-safe, so each Node environment (the
 * main thread and every worker of the basket pool) owns one, kept as the environment's
 * instance data and freed when the environment is torn down.
 */
#include <libdeflate.h>
#include <node_api.h>
#include <stddef.h>
#include <stdio.h>

typedef enum libdeflate_result (*decompress_fn)(struct libdeflate_decompressor *, const void *, size_t, void *, size_t, size_t *);

static void free_decompressor(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  libdeflate_free_decompressor((struct libdeflate_decompressor *)data);
}

/* Throws a JS error unless `status` is napi_ok; returns whether it was. */
static int ok(napi_env env, napi_status status, const char *what) {
  if (status == napi_ok) return 1;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "HEPFLOW_INFLATE_ARG", what);
  return 0;
}

static int bytes_of(napi_env env, napi_value v, void **data, size_t *len, const char *what) {
  bool is_ta = false;
  if (!ok(env, napi_is_typedarray(env, v, &is_ta), what)) return 0;
  napi_typedarray_type type;
  if (!is_ta || napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, "HEPFLOW_INFLATE_ARG", what);
    return 0;
  }
  return 1;
}

/* (src: Uint8Array, dst: Uint8Array) → bytes written to dst; the stream must fill dst exactly. */
static napi_value run(napi_env env, napi_callback_info info, decompress_fn fn, const char *format) {
  size_t argc = 2;
  napi_value argv[2];
  if (!ok(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call")) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, "HEPFLOW_INFLATE_ARG", "expected (src: Uint8Array, dst: Uint8Array)");
    return NULL;
  }
  void *src, *dst;
  size_t src_len, dst_len;
  if (!bytes_of(env, argv[0], &src, &src_len, "src must be a Uint8Array")) return NULL;
  if (!bytes_of(env, argv[1], &dst, &dst_len, "dst must be a Uint8Array")) return NULL;

  struct libdeflate_decompressor *d = NULL;
  if (!ok(env, napi_get_instance_data(env, (void **)&d), "no instance data")) return NULL;
  if (d == NULL) {
    d = libdeflate_alloc_decompressor();
    if (d == NULL) {
      napi_throw_error(env, "HEPFLOW_INFLATE_NOMEM", "libdeflate could not allocate a decompressor");
      return NULL;
    }
    if (napi_set_instance_data(env, d, free_decompressor, NULL) != napi_ok) {
      libdeflate_free_decompressor(d);
      napi_throw_error(env, "HEPFLOW_INFLATE_ARG", "could not keep the decompressor");
      return NULL;
    }
  }

  /* A NULL actual-size pointer makes libdeflate insist on filling dst: a stream that ends early is SHORT_OUTPUT. */
  enum libdeflate_result r = fn(d, src, src_len, dst, dst_len, NULL);
  const char *code = NULL, *why = NULL;
  switch (r) {
    case LIBDEFLATE_SUCCESS: {
      napi_value n;
      napi_create_double(env, (double)dst_len, &n);
      return n;
    }
    case LIBDEFLATE_BAD_DATA:
      code = "HEPFLOW_INFLATE_BAD_DATA";
      why = "invalid or corrupt data";
      break;
    case LIBDEFLATE_SHORT_OUTPUT:
      code = "HEPFLOW_INFLATE_SHORT_OUTPUT";
      why = "the stream ends before the expected size";
      break;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      code = "HEPFLOW_INFLATE_INSUFFICIENT_SPACE";
      why = "the stream holds more than the expected size";
      break;
    default:
      code = "HEPFLOW_INFLATE_FAILED";
      why = "unknown libdeflate error";
  }
  char msg[160];
  snprintf(msg, sizeof msg, "libdeflate %s: %s (%zu bytes in, %zu expected out)", format, why, src_len, dst_len);
  napi_throw_error(env, code, msg);
  return NULL;
}

static enum libdeflate_result zlib_fn(struct libdeflate_decompressor *d, const void *in, size_t in_n, void *out, size_t out_n, size_t *actual) {
  return libdeflate_zlib_decompress(d, in, in_n, out, out_n, actual);
}

static enum libdeflate_result raw_fn(struct libdeflate_decompressor *d, const void *in, size_t in_n, void *out, size_t out_n, size_t *actual) {
  return libdeflate_deflate_decompress(d, in, in_n, out, out_n, actual);
}

static napi_value zlib_decompress(napi_env env, napi_callback_info info) {
  return run(env, info, zlib_fn, "zlib");
}

static napi_value raw_decompress(napi_env env, napi_callback_info info) {
  return run(env, info, raw_fn, "deflate");
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"zlibDecompress", NULL, zlib_decompress, NULL, NULL, NULL, napi_enumerable, NULL},
      {"deflateDecompress", NULL, raw_decompress, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
