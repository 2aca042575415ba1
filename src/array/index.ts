/** array/: kernels over flat and jagged columns — reductions, masks, combinatorics, record views. */
export { Jagged, isJagged, columnLength } from "../util/index.js";
export type { Column, Columns, NumericArray, StringColumn } from "../util/index.js";
export type { NumberArray, Mask, NumberColumn } from "./types.js";
export { offsetsFromCounts, countsFromOffsets, parents, broadcast, allocLike, arange, isJaggedLike } from "./types.js";
export { count, countTrue, sum, min, max, argmax, argmin, any, all } from "./reduce.js";
export { gt, ge, lt, le, eq, ne, absLt, absLe, absGt, absGe, hasBits, abs, and, or, not, select, filterEvents } from "./mask.js";
export type { EventData } from "./mask.js";
export { pick, nth, firsts, pad, fillNone, argsort, take, globalIndex, sortBy, concatenate, alignsWith } from "./structure.js";
export { combinations, cartesian, combinationMax, combinationMin } from "./combinatorics.js";
export { randomNormal, counterNormal, seedFromText } from "./random.js";
export { perElementType } from "../util/mono.js";
export { mul, add, sub, div } from "./arith.js";
export { zip, zipNano, offsetsOf, collectionCounts } from "./zip.js";
export type { Collection, Events } from "./zip.js";
export { simd, simdBackend, useSimd, SIMD_FN, SIMD_OP, SIMD_UN, SIMD_SLOTS, SIMD_STEP } from "./simd.js";
export type { SimdKernels } from "./simd.js";
export { expF32, sinF32, cosF32, sinhF32, coshF32, mapF32 } from "./float32.js";
