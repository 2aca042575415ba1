/*
 * hepflow's optional zlib reader: Debian's libdeflate behind two Node-API calls, used by
 * src/root/platform/node/codecs.ts when this addon is built (scripts/build-native.mjs) and
 * node:zlib otherwise. ROOT stores each block's uncompressed size, so every call decodes one
 * whole stream into a buffer of exactly that size: the whole-buffer API libdeflate is fast at.
 *
 * A decompressor holds ~32 KB of tables and is not thread-safe, so each Node environment (the
 * main thread and every worker of the basket pool) owns one, kept as the environment's
 * instance data and freed when the environment is torn down.
 *
 * The same addon carries swapCopy, the big-endian → native conversion of a basket's values
 * (src/root/ttree/byteswap.ts): one pass from the decompressed bytes into the output column,
 * where the WebAssembly path needs three (copy in, swap, copy out).
 */
#include <libdeflate.h>
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/*
 * Byte-reversing copies. Plain loops that gcc -O3 vectorises (pshufb); memcpy keeps the loads
 * legal at any alignment, since a basket's values start wherever its header ends. Each kernel
 * is cloned for AVX2 and for the x86-64 baseline, picked once at load time, so the addon stays
 * portable but uses 32-byte shuffles where the CPU has them. The in-place variants exist because
 * src == dst would fail the restrict-based loops' no-overlap promise.
 */
/* target_clones needs gcc and ifunc (glibc); musl or clang get the one baseline build. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__)
#define CLONES __attribute__((target_clones("avx2", "ssse3", "default")))
#else
#define CLONES
#endif

#define SWAP_KERNELS(bits)                                                                                  \
  CLONES static void swap##bits(const unsigned char *restrict s, unsigned char *restrict d, size_t n) { \
    for (size_t i = 0; i < n; i++) {                                                                      \
      uint##bits##_t x;                                                                                   \
      memcpy(&x, s + i * sizeof x, sizeof x);                                                             \
      x = __builtin_bswap##bits(x);                                                                       \
      memcpy(d + i * sizeof x, &x, sizeof x);                                                             \
    }                                                                                                     \
  }                                                                                                       \
  CLONES static void swap##bits##_inplace(unsigned char *p, size_t n) {                                  \
    for (size_t i = 0; i < n; i++) {                                                                      \
      uint##bits##_t x;                                                                                   \
      memcpy(&x, p + i * sizeof x, sizeof x);                                                             \
      x = __builtin_bswap##bits(x);                                                                       \
      memcpy(p + i * sizeof x, &x, sizeof x);                                                             \
    }                                                                                                     \
  }

SWAP_KERNELS(16)
SWAP_KERNELS(32)
SWAP_KERNELS(64)

/* Any integer- or float-typed array: the caller passes views, and a Float64Array column is as good as a Uint8Array. */
static int view_of(napi_env env, napi_value v, unsigned char **data, size_t *bytes, const char *what) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t len;
  void *p;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta || napi_get_typedarray_info(env, v, &type, &len, &p, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, "HEPFLOW_SWAP_ARG", what);
    return 0;
  }
  static const size_t width[] = {1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8};  // napi_int8_array … napi_biguint64_array
  *data = p;
  *bytes = len * ((size_t)type < sizeof width / sizeof width[0] ? width[type] : 1);
  return 1;
}

/* (size: 2 | 4 | 8, src, dst) → undefined. Equal byte lengths, a multiple of size; src and dst are the same memory or disjoint. */
static napi_value swap_copy(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (!ok(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), "bad call")) return NULL;
  if (argc < 3) {
    napi_throw_type_error(env, "HEPFLOW_SWAP_ARG", "expected (size: 2 | 4 | 8, src, dst)");
    return NULL;
  }
  int32_t size = 0;
  if (napi_get_value_int32(env, argv[0], &size) != napi_ok || (size != 2 && size != 4 && size != 8)) {
    napi_throw_range_error(env, "HEPFLOW_SWAP_ARG", "size must be 2, 4 or 8");
    return NULL;
  }
  unsigned char *src, *dst;
  size_t src_len, dst_len;
  if (!view_of(env, argv[1], &src, &src_len, "src must be a typed array")) return NULL;
  if (!view_of(env, argv[2], &dst, &dst_len, "dst must be a typed array")) return NULL;
  if (src_len != dst_len || src_len % (size_t)size != 0) {
    napi_throw_range_error(env, "HEPFLOW_SWAP_ARG", "src and dst must have the same byte length, a multiple of size");
    return NULL;
  }
  if (src != dst && src < dst + dst_len && dst < src + src_len) {
    napi_throw_range_error(env, "HEPFLOW_SWAP_ARG", "src and dst overlap without being the same memory");
    return NULL;
  }
  size_t n = src_len / (size_t)size;
  if (src == dst) {
    if (size == 2) swap16_inplace(dst, n);
    else if (size == 4) swap32_inplace(dst, n);
    else swap64_inplace(dst, n);
  } else if (size == 2) swap16(src, dst, n);
  else if (size == 4) swap32(src, dst, n);
  else swap64(src, dst, n);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"zlibDecompress", NULL, zlib_decompress, NULL, NULL, NULL, napi_enumerable, NULL},
      {"deflateDecompress", NULL, raw_decompress, NULL, NULL, NULL, napi_enumerable, NULL},
      {"swapCopy", NULL, swap_copy, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
