// zlib vs libdeflate on the zlib blocks bench/inflate.bench.mjs extracted (records: u32 compressed, u32 uncompressed, bytes).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <libdeflate.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n); fread(buf, 1, n, f); fclose(f);
  long U = 0, maxu = 0; int blocks = 0;
  for (long p = 0; p < n;) { unsigned c, u; memcpy(&c, buf + p, 4); memcpy(&u, buf + p + 4, 4); U += u; if (u > maxu) maxu = u; blocks++; p += 8 + c; }
  unsigned char *out = malloc(maxu);
  struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
  double bz = 1e9, bd = 1e9;
  for (int k = 0; k < 5; k++) {
    double t0 = now();
    for (long p = 0; p < n;) { unsigned c, u; memcpy(&c, buf + p, 4); memcpy(&u, buf + p + 4, 4); uLongf ul = u; if (uncompress(out, &ul, buf + p + 8, c) != Z_OK || ul != u) { fprintf(stderr, "zlib failed\n"); return 1; } p += 8 + c; }
    double t1 = now();
    for (long p = 0; p < n;) { unsigned c, u; memcpy(&c, buf + p, 4); memcpy(&u, buf + p + 4, 4); size_t got; if (libdeflate_zlib_decompress(d, buf + p + 8, c, out, u, &got) != LIBDEFLATE_SUCCESS || got != u) { fprintf(stderr, "libdeflate failed\n"); return 1; } p += 8 + c; }
    double t2 = now();
    if (t1 - t0 < bz) bz = t1 - t0; if (t2 - t1 < bd) bd = t2 - t1;
  }
  printf("{\"impl\":\"zlib %s uncompress (C)\",\"blocks\":%d,\"uncompressed_mb_per_s\":%.0f}\n", zlibVersion(), blocks, U / 1e6 / bz);
  printf("{\"impl\":\"libdeflate 1.14 (C)\",\"blocks\":%d,\"uncompressed_mb_per_s\":%.0f,\"x_zlib\":%.2f}\n", blocks, U / 1e6 / bd, bz / bd);
  return 0;
}
