;; SIMD kernels for float32 columns: four-vector construction, (pt, eta, phi) of Cartesian vectors, pair
;; masses, boosts, and the element-wise functions of the expression language. Assembled by
;; scripts/build-wasm.mjs into kernels.wasm.ts; called through ../simd.ts, which copies blocks of the
;; columns into this memory and back.
;;
;; Every kernel reads n float32 values per input at byte offsets it is given and writes n float32 per
;; output; n is a multiple of 4 (the caller pads). The four-vector kernels evaluate transcendentals in
;; float64 (two lanes) with errors near 1e-14 relative, so rounding them to float32 gives what
;; Math.fround(Math.cos(x)) etc. give except when a value lies within ~1e-14 of a float32 rounding
;; boundary (about one value in 10^6); the expression language's exp, sin, cos, sinh and cosh are float32
;; polynomials in four float32 lanes (map_f32 below).
;; Arithmetic that the JavaScript kernels round to float32 after every operation is done here in
;; float32 lanes, which is the same IEEE arithmetic.
(module
  (import "js" "sin" (func $jsin (param f64) (result f64)))
  (import "js" "cos" (func $jcos (param f64) (result f64)))
  (memory (export "memory") 8)

  ;; ---------------------------------------------------------------- exp, float64 lanes
  ;; x = k ln2 + r, |r| <= ln2/2; e^r by its Taylor series to r^11 (truncation < 7e-15 relative, before
  ;; rounding); 2^k assembled in the exponent field. Clamped to |x| <= 708 (finite, not subnormal).
  (func $exp (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128) (local $r2 v128) (local $r4 v128)
    (local.set $x (f64x2.min (f64x2.max (local.get $x) (v128.const f64x2 -708 -708)) (v128.const f64x2 708 708)))
    (local.set $k (f64x2.nearest (f64x2.mul (local.get $x) (v128.const f64x2 1.4426950408889634 1.4426950408889634))))
    (local.set $r (f64x2.sub (f64x2.sub (local.get $x)
                    (f64x2.mul (local.get $k) (v128.const f64x2 0.6931471803691238 0.6931471803691238)))
                    (f64x2.mul (local.get $k) (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10))))
    ;; Estrin's scheme (pairs, then r², r⁴, r⁸): four dependent steps instead of Horner's twelve
    (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
    (local.set $p (f64x2.add
      (f64x2.add (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (v128.const f64x2 1 1) (local.get $r))) (f64x2.mul (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (v128.const f64x2 0.16666666666666666 0.16666666666666666) (local.get $r))) (local.get $r2)))
      (f64x2.mul (local.get $r4) (f64x2.add (f64x2.add (v128.const f64x2 4.1666666666666664e-2 4.1666666666666664e-2) (f64x2.mul (v128.const f64x2 8.333333333333333e-3 8.333333333333333e-3) (local.get $r))) (f64x2.mul (f64x2.add (v128.const f64x2 1.388888888888889e-3 1.388888888888889e-3) (f64x2.mul (v128.const f64x2 1.984126984126984e-4 1.984126984126984e-4) (local.get $r))) (local.get $r2))))))
    (local.set $p (f64x2.add (local.get $p) (f64x2.mul (f64x2.mul (local.get $r4) (local.get $r4)) (f64x2.add (f64x2.add (v128.const f64x2 2.48015873015873e-5 2.48015873015873e-5) (f64x2.mul (v128.const f64x2 2.7557319223985893e-6 2.7557319223985893e-6) (local.get $r))) (f64x2.mul (f64x2.add (v128.const f64x2 2.755731922398589e-7 2.755731922398589e-7) (f64x2.mul (v128.const f64x2 2.505210838544172e-8 2.505210838544172e-8) (local.get $r))) (local.get $r2))))))
    (f64x2.mul (local.get $p)
      (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (v128.const i64x2 1023 1023)) (i32.const 52))))

  ;; sinh from e^x, with its series below |x| = 1e-3, where (e^x − e^−x)/2 would cancel
  (func $sinh (param $x v128) (result v128)
    (local $e v128) (local $x2 v128)
    (local.set $e (call $exp (local.get $x)))
    (local.set $x2 (f64x2.mul (local.get $x) (local.get $x)))
    (v128.bitselect
      (f64x2.mul (local.get $x) (f64x2.add (v128.const f64x2 1 1)
        (f64x2.mul (local.get $x2) (f64x2.add (v128.const f64x2 0.16666666666666666 0.16666666666666666)
          (f64x2.mul (local.get $x2) (v128.const f64x2 8.333333333333333e-3 8.333333333333333e-3))))))
      (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.sub (local.get $e) (f64x2.div (v128.const f64x2 1 1) (local.get $e))))
      (f64x2.lt (f64x2.abs (local.get $x)) (v128.const f64x2 1e-3 1e-3))))

  ;; ---------------------------------------------------------------- sin and cos, float64 lanes
  ;; x = q π/2 + r with π/2 in three parts (exact products for |q| < 2^20), |r| <= π/4; Taylor series to
  ;; r^13 (sin) and r^14 (cos), truncation < 3e-14. The quadrant q mod 4 swaps and negates them. Lanes
  ;; with |x| > 1e5 (and ±inf) go to the JavaScript Math functions.
  (func $sincos (param $x v128) (result v128 v128)
    (local $q v128) (local $r v128) (local $r2 v128) (local $s v128) (local $c v128) (local $qi v128) (local $swap v128)
    (local $so v128) (local $co v128) (local $z2 v128)
    (local.set $q (f64x2.nearest (f64x2.mul (local.get $x) (v128.const f64x2 0.6366197723675814 0.6366197723675814))))
    (local.set $r (f64x2.sub (local.get $x) (f64x2.mul (local.get $q) (v128.const f64x2 1.5707963267341256 1.5707963267341256))))
    (local.set $r (f64x2.sub (local.get $r) (f64x2.mul (local.get $q) (v128.const f64x2 6.077100506303966e-11 6.077100506303966e-11))))
    (local.set $r (f64x2.sub (local.get $r) (f64x2.mul (local.get $q) (v128.const f64x2 2.0222662487959506e-21 2.0222662487959506e-21))))
    (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
    ;; sin r = r + r·z·S(z), cos r = 1 + z·K(z), z = r², S and K by Estrin's scheme (pairs, then z², z⁴)
    (local.set $z2 (f64x2.mul (local.get $r2) (local.get $r2)))
    (local.set $s (f64x2.add (f64x2.add (v128.const f64x2 -0.16666666666666666 -0.16666666666666666) (f64x2.mul (v128.const f64x2 8.333333333333333e-3 8.333333333333333e-3) (local.get $r2))) (f64x2.mul (local.get $z2) (f64x2.add (f64x2.add (v128.const f64x2 -1.984126984126984e-4 -1.984126984126984e-4) (f64x2.mul (v128.const f64x2 2.7557319223985893e-6 2.7557319223985893e-6) (local.get $r2))) (f64x2.mul (local.get $z2) (f64x2.add (v128.const f64x2 -2.505210838544172e-8 -2.505210838544172e-8) (f64x2.mul (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10) (local.get $r2))))))))
    (local.set $s (f64x2.add (local.get $r) (f64x2.mul (f64x2.mul (local.get $s) (local.get $r2)) (local.get $r))))
    (local.set $c (f64x2.add (f64x2.add (v128.const f64x2 -0.5 -0.5) (f64x2.mul (v128.const f64x2 4.1666666666666664e-2 4.1666666666666664e-2) (local.get $r2))) (f64x2.mul (local.get $z2) (f64x2.add (f64x2.add (v128.const f64x2 -1.388888888888889e-3 -1.388888888888889e-3) (f64x2.mul (v128.const f64x2 2.48015873015873e-5 2.48015873015873e-5) (local.get $r2))) (f64x2.mul (local.get $z2) (f64x2.add (f64x2.add (v128.const f64x2 -2.755731922398589e-7 -2.755731922398589e-7) (f64x2.mul (v128.const f64x2 2.08767569878681e-9 2.08767569878681e-9) (local.get $r2))) (f64x2.mul (local.get $z2) (v128.const f64x2 -1.1470745597729725e-11 -1.1470745597729725e-11))))))))
    (local.set $c (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $c) (local.get $r2))))
    (local.set $qi (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $q))))
    (local.set $swap (i64x2.ne (v128.and (local.get $qi) (v128.const i64x2 1 1)) (v128.const i64x2 0 0)))
    (local.set $so (v128.xor (v128.bitselect (local.get $c) (local.get $s) (local.get $swap))
      (i64x2.shl (v128.and (local.get $qi) (v128.const i64x2 2 2)) (i32.const 62))))
    (local.set $co (v128.xor (v128.bitselect (local.get $s) (local.get $c) (local.get $swap))
      (i64x2.shl (v128.and (i64x2.add (local.get $qi) (v128.const i64x2 1 1)) (v128.const i64x2 2 2)) (i32.const 62))))
    ;; sin(±0) = ±0 (the reduction would turn −0 into +0)
    (local.set $so (v128.bitselect (local.get $x) (local.get $so) (f64x2.eq (local.get $x) (v128.const f64x2 0 0))))
    (if (v128.any_true (f64x2.gt (f64x2.abs (local.get $x)) (v128.const f64x2 1e5 1e5)))
      (then
        (local.set $so (f64x2.replace_lane 1 (f64x2.replace_lane 0 (local.get $so)
          (call $jsin (f64x2.extract_lane 0 (local.get $x)))) (call $jsin (f64x2.extract_lane 1 (local.get $x)))))
        (local.set $co (f64x2.replace_lane 1 (f64x2.replace_lane 0 (local.get $co)
          (call $jcos (f64x2.extract_lane 0 (local.get $x)))) (call $jcos (f64x2.extract_lane 1 (local.get $x)))))))
    (local.get $so) (local.get $co))

  ;; ---------------------------------------------------------------- log (x >= 1 here), asinh, atan2
  ;; x = 2^e m, m in [√½, √2); log m = 2 atanh s, s = (m−1)/(m+1), |s| < 0.172, series to s^15 (< 1e-14)
  (func $log (param $x v128) (result v128)
    (local $e v128) (local $m v128) (local $big v128) (local $s v128) (local $z v128) (local $p v128)
    (local.set $e (i64x2.sub (i64x2.shr_u (local.get $x) (i32.const 52)) (v128.const i64x2 1023 1023)))
    (local.set $m (v128.or (v128.and (local.get $x) (v128.const i64x2 0x000fffffffffffff 0x000fffffffffffff))
                           (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000)))
    (local.set $big (f64x2.gt (local.get $m) (v128.const f64x2 1.4142135623730951 1.4142135623730951)))
    (local.set $m (v128.bitselect (f64x2.mul (local.get $m) (v128.const f64x2 0.5 0.5)) (local.get $m) (local.get $big)))
    (local.set $e (i64x2.sub (local.get $e) (local.get $big)))
    (local.set $s (f64x2.div (f64x2.sub (local.get $m) (v128.const f64x2 1 1)) (f64x2.add (local.get $m) (v128.const f64x2 1 1))))
    (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
    (local.set $p (v128.const f64x2 0.06666666666666667 0.06666666666666667))  ;; 1/15
    (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (v128.const f64x2 0.07692307692307693 0.07692307692307693)))
    (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (v128.const f64x2 0.09090909090909091 0.09090909090909091)))
    (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (v128.const f64x2 0.1111111111111111 0.1111111111111111)))
    (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (v128.const f64x2 0.14285714285714285 0.14285714285714285)))
    (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (v128.const f64x2 0.2 0.2)))
    (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (v128.const f64x2 0.3333333333333333 0.3333333333333333)))
    (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (v128.const f64x2 1 1)))
    (local.set $p (f64x2.mul (f64x2.mul (v128.const f64x2 2 2) (local.get $s)) (local.get $p)))
    (local.set $z (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $e) (local.get $e))))
    (f64x2.add (f64x2.mul (local.get $z) (v128.const f64x2 0.6931471803691238 0.6931471803691238))
      (f64x2.add (f64x2.mul (local.get $z) (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10)) (local.get $p))))

  ;; asinh v = sign(v) log(|v| + sqrt(v² + 1)), its series below |v| = 1e-3; finite v only
  (func $asinh (param $v v128) (result v128)
    (local $a v128) (local $a2 v128)
    (local.set $a (f64x2.abs (local.get $v)))
    (local.set $a2 (f64x2.mul (local.get $a) (local.get $a)))
    (v128.or (v128.and (v128.bitselect
        (f64x2.mul (local.get $a) (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $a2)
          (f64x2.add (v128.const f64x2 -0.16666666666666666 -0.16666666666666666) (f64x2.mul (local.get $a2) (v128.const f64x2 0.075 0.075))))))
        (call $log (f64x2.add (local.get $a) (f64x2.sqrt (f64x2.add (local.get $a2) (v128.const f64x2 1 1)))))
        (f64x2.lt (local.get $a) (v128.const f64x2 1e-3 1e-3))) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)) (v128.and (local.get $v) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))

  ;; atan2(y, x) in (−π, π]: t = min/max of |x|, |y| in [0, 1], reduced to |t'| <= tan(π/8) by
  ;; t' = (t − 1)/(t + 1) (+π/4), odd Taylor series to t'^25 (< 1e-11), then the octant.
  (func $atan2 (param $y v128) (param $x v128) (result v128)
    (local $ax v128) (local $ay v128) (local $mx v128) (local $t v128) (local $big v128) (local $z v128) (local $p v128) (local $r v128)
    (local.set $ax (f64x2.abs (local.get $x)))
    (local.set $ay (f64x2.abs (local.get $y)))
    (local.set $mx (f64x2.max (local.get $ax) (local.get $ay)))
    (local.set $t (f64x2.div (f64x2.min (local.get $ax) (local.get $ay)) (local.get $mx)))
    (local.set $t (v128.bitselect (v128.const f64x2 0 0) (local.get $t) (f64x2.eq (local.get $mx) (v128.const f64x2 0 0))))
    (local.set $big (f64x2.gt (local.get $t) (v128.const f64x2 0.41421356237309503 0.41421356237309503)))
    (local.set $t (v128.bitselect (f64x2.div (f64x2.sub (local.get $t) (v128.const f64x2 1 1)) (f64x2.add (local.get $t) (v128.const f64x2 1 1)))
                                  (local.get $t) (local.get $big)))
    (local.set $z (f64x2.mul (local.get $t) (local.get $t)))
    (local.set $p (v128.const f64x2 0.04 0.04))                        ;; 1/25
    (local.set $p (f64x2.sub (v128.const f64x2 0.043478260869565216 0.043478260869565216) (f64x2.mul (local.get $p) (local.get $z))))  ;; 1/23
    (local.set $p (f64x2.sub (v128.const f64x2 0.047619047619047616 0.047619047619047616) (f64x2.mul (local.get $p) (local.get $z))))  ;; 1/21
    (local.set $p (f64x2.sub (v128.const f64x2 0.05263157894736842 0.05263157894736842) (f64x2.mul (local.get $p) (local.get $z))))    ;; 1/19
    (local.set $p (f64x2.sub (v128.const f64x2 0.058823529411764705 0.058823529411764705) (f64x2.mul (local.get $p) (local.get $z))))  ;; 1/17
    (local.set $p (f64x2.sub (v128.const f64x2 0.06666666666666667 0.06666666666666667) (f64x2.mul (local.get $p) (local.get $z))))    ;; 1/15
    (local.set $p (f64x2.sub (v128.const f64x2 0.07692307692307693 0.07692307692307693) (f64x2.mul (local.get $p) (local.get $z))))    ;; 1/13
    (local.set $p (f64x2.sub (v128.const f64x2 0.09090909090909091 0.09090909090909091) (f64x2.mul (local.get $p) (local.get $z))))    ;; 1/11
    (local.set $p (f64x2.sub (v128.const f64x2 0.1111111111111111 0.1111111111111111) (f64x2.mul (local.get $p) (local.get $z))))      ;; 1/9
    (local.set $p (f64x2.sub (v128.const f64x2 0.14285714285714285 0.14285714285714285) (f64x2.mul (local.get $p) (local.get $z))))    ;; 1/7
    (local.set $p (f64x2.sub (v128.const f64x2 0.2 0.2) (f64x2.mul (local.get $p) (local.get $z))))
    (local.set $p (f64x2.sub (v128.const f64x2 0.3333333333333333 0.3333333333333333) (f64x2.mul (local.get $p) (local.get $z))))
    (local.set $p (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $p) (local.get $z))))
    (local.set $r (f64x2.add (f64x2.mul (local.get $p) (local.get $t))
      (v128.and (local.get $big) (v128.const f64x2 0.7853981633974483 0.7853981633974483))))
    (local.set $r (v128.bitselect (f64x2.sub (v128.const f64x2 1.5707963267948966 1.5707963267948966) (local.get $r)) (local.get $r)
                                  (f64x2.gt (local.get $ay) (local.get $ax))))
    (local.set $r (v128.bitselect (f64x2.sub (v128.const f64x2 3.141592653589793 3.141592653589793) (local.get $r)) (local.get $r)
                                  (i64x2.lt_s (local.get $x) (v128.const i64x2 0 0))))
    ;; NaN in either input gives NaN, as Math.atan2
    (local.set $r (v128.bitselect (f64x2.add (local.get $x) (local.get $y)) (local.get $r)
      (v128.not (v128.and (f64x2.eq (local.get $x) (local.get $x)) (f64x2.eq (local.get $y) (local.get $y))))))
    (v128.or (v128.and (local.get $r) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)) (v128.and (local.get $y) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))

  ;; ---------------------------------------------------------------- four-vector kernels (float32 columns)
  ;; (pt, eta, phi, mass) → (px, py, pz, E), each operation rounded to float32 as vector.ts's toCartesian:
  ;; px = pt·cos φ, py = pt·sin φ, pz = pt·sinh η, E = sqrt(max(0, ((px² + py²) + pz²) + ±m²))
  (func (export "to_cartesian") (param $pt i32) (param $eta i32) (param $phi i32) (param $m i32)
      (param $ox i32) (param $oy i32) (param $oz i32) (param $oe i32) (param $n i32)
    (local $i i32) (local $end i32) (local $p v128) (local $f v128) (local $c v128) (local $s v128) (local $sh v128)
    (local $x v128) (local $y v128) (local $z v128) (local $mm v128) (local $a v128) (local $b v128) (local $a2 v128) (local $b2 v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $p (v128.load (i32.add (local.get $pt) (local.get $i))))
      (local.set $f (v128.load (i32.add (local.get $phi) (local.get $i))))
      (call $sincos (f64x2.promote_low_f32x4 (local.get $f))) (local.set $a2) (local.set $a)
      (call $sincos (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $f) (local.get $f)))) (local.set $b2) (local.set $b)
      (local.set $s (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $a)) (f32x4.demote_f64x2_zero (local.get $b))))
      (local.set $c (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $a2)) (f32x4.demote_f64x2_zero (local.get $b2))))
      (local.set $f (v128.load (i32.add (local.get $eta) (local.get $i))))
      (local.set $sh (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (call $sinh (f64x2.promote_low_f32x4 (local.get $f)))) (f32x4.demote_f64x2_zero (call $sinh (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $f) (local.get $f)))))))
      (local.set $x (f32x4.mul (local.get $p) (local.get $c)))
      (local.set $y (f32x4.mul (local.get $p) (local.get $s)))
      (local.set $z (f32x4.mul (local.get $p) (local.get $sh)))
      (local.set $mm (v128.load (i32.add (local.get $m) (local.get $i))))
      (local.set $mm (v128.or (f32x4.mul (local.get $mm) (local.get $mm))
                              (v128.and (local.get $mm) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))
      (v128.store (i32.add (local.get $ox) (local.get $i)) (local.get $x))
      (v128.store (i32.add (local.get $oy) (local.get $i)) (local.get $y))
      (v128.store (i32.add (local.get $oz) (local.get $i)) (local.get $z))
      (v128.store (i32.add (local.get $oe) (local.get $i))
        (f32x4.sqrt (f32x4.max (v128.const f32x4 0 0 0 0)
          (f32x4.add (f32x4.add (f32x4.add (f32x4.mul (local.get $x) (local.get $x)) (f32x4.mul (local.get $y) (local.get $y)))
                                (f32x4.mul (local.get $z) (local.get $z))) (local.get $mm)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))

  ;; (px, py, pz) → (pt, eta, phi), rounded per operation as vector.ts's pt, eta and phi:
  ;; pt = sqrt(px² + py²), eta = asinh(pz/pt) (±inf along the beam, 0 for a null vector), phi = atan2(py, px);
  ;; $what: 1 eta, 2 phi, 3 both (pt is always written: it is cheap and eta needs it)
  (func (export "pt_eta_phi") (param $px i32) (param $py i32) (param $pz i32) (param $opt i32) (param $oeta i32) (param $ophi i32) (param $n i32) (param $what i32)
    (local $i i32) (local $end i32) (local $x v128) (local $y v128) (local $z v128) (local $t v128) (local $v v128) (local $e v128) (local $zero v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $x (v128.load (i32.add (local.get $px) (local.get $i))))
      (local.set $y (v128.load (i32.add (local.get $py) (local.get $i))))
      (local.set $z (v128.load (i32.add (local.get $pz) (local.get $i))))
      (local.set $t (f32x4.sqrt (f32x4.add (f32x4.mul (local.get $x) (local.get $x)) (f32x4.mul (local.get $y) (local.get $y)))))
      (v128.store (i32.add (local.get $opt) (local.get $i)) (local.get $t))
      (if (i32.and (local.get $what) (i32.const 2)) (then
      (v128.store (i32.add (local.get $ophi) (local.get $i))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (call $atan2 (f64x2.promote_low_f32x4 (local.get $y)) (f64x2.promote_low_f32x4 (local.get $x)))) (f32x4.demote_f64x2_zero (call $atan2 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))))))))
      (if (i32.and (local.get $what) (i32.const 1)) (then
      (local.set $v (f32x4.div (local.get $z) (local.get $t)))
      (local.set $e (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (call $asinh (f64x2.promote_low_f32x4 (local.get $v)))) (f32x4.demote_f64x2_zero (call $asinh (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))))
      ;; pt = 0: 0 for pz = 0, else ±inf with the sign of pz
      (local.set $zero (f32x4.eq (local.get $t) (v128.const f32x4 0 0 0 0)))
      (local.set $e (v128.bitselect
        (v128.bitselect (v128.const f32x4 0 0 0 0)
          (v128.or (v128.const f32x4 inf inf inf inf) (v128.and (local.get $z) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
          (f32x4.eq (local.get $z) (v128.const f32x4 0 0 0 0)))
        (local.get $e) (local.get $zero)))
      (v128.store (i32.add (local.get $oeta) (local.get $i)) (local.get $e))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))

  ;; the pair mass of mass.ts, float64 inside, rounded once:
  ;; m² = m₁² + m₂² + 2 (E₁E₂ − pt₁pt₂ (cos Δφ + sinh η₁ sinh η₂)), Eᵢ = sqrt(ptᵢ² cosh² ηᵢ + mᵢ²)
  (func $pair (param $a v128) (param $ea v128) (param $fa v128) (param $ma v128)
              (param $b v128) (param $eb v128) (param $fb v128) (param $mb v128) (result v128)
    (local $xa v128) (local $xb v128) (local $ia v128) (local $ib v128) (local $ma2 v128) (local $mb2 v128) (local $Ea v128) (local $Eb v128)
    (local $cd v128) (local $sd v128) (local $m v128) (local $ch v128)
    (local.set $xa (call $exp (local.get $ea)))
    (local.set $xb (call $exp (local.get $eb)))
    (local.set $ia (f64x2.div (v128.const f64x2 1 1) (local.get $xa)))
    (local.set $ib (f64x2.div (v128.const f64x2 1 1) (local.get $xb)))
    (local.set $ma2 (v128.or (v128.and (f64x2.mul (local.get $ma) (local.get $ma)) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)) (v128.and (local.get $ma) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))
    (local.set $mb2 (v128.or (v128.and (f64x2.mul (local.get $mb) (local.get $mb)) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)) (v128.and (local.get $mb) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))
    (local.set $ch (f64x2.mul (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.add (local.get $xa) (local.get $ia))) (local.get $a)))
    (local.set $Ea (f64x2.sqrt (f64x2.max (v128.const f64x2 0 0) (f64x2.add (f64x2.mul (local.get $ch) (local.get $ch)) (local.get $ma2)))))
    (local.set $ch (f64x2.mul (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.add (local.get $xb) (local.get $ib))) (local.get $b)))
    (local.set $Eb (f64x2.sqrt (f64x2.max (v128.const f64x2 0 0) (f64x2.add (f64x2.mul (local.get $ch) (local.get $ch)) (local.get $mb2)))))
    (call $sincos (f64x2.sub (local.get $fa) (local.get $fb))) (local.set $cd) (local.set $sd)
    (local.set $m (f64x2.add (f64x2.add (local.get $ma2) (local.get $mb2))
      (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (f64x2.mul (local.get $Ea) (local.get $Eb))
        (f64x2.mul (f64x2.mul (local.get $a) (local.get $b))
          (f64x2.add (local.get $cd) (f64x2.mul (v128.const f64x2 0.25 0.25)
            (f64x2.mul (f64x2.sub (local.get $xa) (local.get $ia)) (f64x2.sub (local.get $xb) (local.get $ib))))))))))
    (v128.or (v128.and (f64x2.sqrt (f64x2.abs (local.get $m))) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)) (v128.and (local.get $m) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))

  (func (export "pair_mass") (param $pa i32) (param $ea i32) (param $fa i32) (param $ma i32)
      (param $pb i32) (param $eb i32) (param $fb i32) (param $mb i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $va v128) (local $vea v128) (local $vfa v128) (local $vma v128)
    (local $vb v128) (local $veb v128) (local $vfb v128) (local $vmb v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $va (v128.load (i32.add (local.get $pa) (local.get $i))))
      (local.set $vea (v128.load (i32.add (local.get $ea) (local.get $i))))
      (local.set $vfa (v128.load (i32.add (local.get $fa) (local.get $i))))
      (local.set $vma (v128.load (i32.add (local.get $ma) (local.get $i))))
      (local.set $vb (v128.load (i32.add (local.get $pb) (local.get $i))))
      (local.set $veb (v128.load (i32.add (local.get $eb) (local.get $i))))
      (local.set $vfb (v128.load (i32.add (local.get $fb) (local.get $i))))
      (local.set $vmb (v128.load (i32.add (local.get $mb) (local.get $i))))
      (v128.store (i32.add (local.get $out) (local.get $i)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (f32x4.demote_f64x2_zero (call $pair (f64x2.promote_low_f32x4 (local.get $va)) (f64x2.promote_low_f32x4 (local.get $vea)) (f64x2.promote_low_f32x4 (local.get $vfa)) (f64x2.promote_low_f32x4 (local.get $vma))
                    (f64x2.promote_low_f32x4 (local.get $vb)) (f64x2.promote_low_f32x4 (local.get $veb)) (f64x2.promote_low_f32x4 (local.get $vfb)) (f64x2.promote_low_f32x4 (local.get $vmb))))
        (f32x4.demote_f64x2_zero (call $pair (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $va) (local.get $va))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vea) (local.get $vea))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vfa) (local.get $vfa))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vma) (local.get $vma)))
                    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vb) (local.get $vb))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $veb) (local.get $veb))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vfb) (local.get $vfb))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vmb) (local.get $vmb)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))

  ;; a = (pt, eta, phi, mass) boosted by ±β = ±p/E of b = (px, py, pz, E): boost.ts, float64 inside
  (func $boost1 (param $p v128) (param $eta v128) (param $phi v128) (param $m v128)
                (param $bx v128) (param $by v128) (param $bz v128) (param $be v128) (param $sign v128) (result v128 v128 v128 v128)
    (local $s v128) (local $c v128) (local $x v128) (local $y v128) (local $z v128) (local $e v128) (local $b2 v128) (local $g v128) (local $bp v128) (local $k v128)
    (call $sincos (local.get $phi)) (local.set $c) (local.set $s)
    (local.set $x (f64x2.mul (local.get $p) (local.get $c)))
    (local.set $y (f64x2.mul (local.get $p) (local.get $s)))
    (local.set $z (f64x2.mul (local.get $p) (call $sinh (local.get $eta))))
    (local.set $e (f64x2.sqrt (f64x2.max (v128.const f64x2 0 0)
      (f64x2.add (f64x2.add (f64x2.add (f64x2.mul (local.get $x) (local.get $x)) (f64x2.mul (local.get $y) (local.get $y))) (f64x2.mul (local.get $z) (local.get $z)))
                 (v128.or (v128.and (f64x2.mul (local.get $m) (local.get $m)) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)) (v128.and (local.get $m) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))))))
    (local.set $be (f64x2.div (local.get $sign) (local.get $be)))
    (local.set $bx (f64x2.mul (local.get $bx) (local.get $be)))
    (local.set $by (f64x2.mul (local.get $by) (local.get $be)))
    (local.set $bz (f64x2.mul (local.get $bz) (local.get $be)))
    (local.set $b2 (f64x2.add (f64x2.add (f64x2.mul (local.get $bx) (local.get $bx)) (f64x2.mul (local.get $by) (local.get $by))) (f64x2.mul (local.get $bz) (local.get $bz))))
    (local.set $g (f64x2.div (v128.const f64x2 1 1) (f64x2.sqrt (f64x2.sub (v128.const f64x2 1 1) (local.get $b2)))))
    (local.set $bp (f64x2.add (f64x2.add (f64x2.mul (local.get $bx) (local.get $x)) (f64x2.mul (local.get $by) (local.get $y))) (f64x2.mul (local.get $bz) (local.get $z))))
    (local.set $k (f64x2.add
      (v128.and (f64x2.div (f64x2.mul (f64x2.sub (local.get $g) (v128.const f64x2 1 1)) (local.get $bp)) (local.get $b2))
                (f64x2.gt (local.get $b2) (v128.const f64x2 0 0)))
      (f64x2.mul (local.get $g) (local.get $e))))
    (f64x2.add (local.get $x) (f64x2.mul (local.get $k) (local.get $bx)))
    (f64x2.add (local.get $y) (f64x2.mul (local.get $k) (local.get $by)))
    (f64x2.add (local.get $z) (f64x2.mul (local.get $k) (local.get $bz)))
    (f64x2.mul (local.get $g) (f64x2.add (local.get $e) (local.get $bp))))

  (func (export "boost") (param $pt i32) (param $eta i32) (param $phi i32) (param $m i32)
      (param $bx i32) (param $by i32) (param $bz i32) (param $be i32) (param $sign f64)
      (param $ox i32) (param $oy i32) (param $oz i32) (param $oe i32) (param $n i32)
    (local $i i32) (local $end i32) (local $sg v128)
    (local $p v128) (local $h v128) (local $f v128) (local $mm v128) (local $x v128) (local $y v128) (local $z v128) (local $e v128)
    (local $x0 v128) (local $y0 v128) (local $z0 v128) (local $e0 v128) (local $x1 v128) (local $y1 v128) (local $z1 v128) (local $e1 v128)
    (local.set $sg (f64x2.splat (local.get $sign)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $p (v128.load (i32.add (local.get $pt) (local.get $i))))
      (local.set $h (v128.load (i32.add (local.get $eta) (local.get $i))))
      (local.set $f (v128.load (i32.add (local.get $phi) (local.get $i))))
      (local.set $mm (v128.load (i32.add (local.get $m) (local.get $i))))
      (local.set $x (v128.load (i32.add (local.get $bx) (local.get $i))))
      (local.set $y (v128.load (i32.add (local.get $by) (local.get $i))))
      (local.set $z (v128.load (i32.add (local.get $bz) (local.get $i))))
      (local.set $e (v128.load (i32.add (local.get $be) (local.get $i))))
      (call $boost1 (f64x2.promote_low_f32x4 (local.get $p)) (f64x2.promote_low_f32x4 (local.get $h)) (f64x2.promote_low_f32x4 (local.get $f)) (f64x2.promote_low_f32x4 (local.get $mm))
                    (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $y)) (f64x2.promote_low_f32x4 (local.get $z)) (f64x2.promote_low_f32x4 (local.get $e)) (local.get $sg))
      (local.set $e0) (local.set $z0) (local.set $y0) (local.set $x0)
      (call $boost1 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p) (local.get $p))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $h) (local.get $h))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $f) (local.get $f))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mm) (local.get $mm)))
                    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $z) (local.get $z))) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e))) (local.get $sg))
      (local.set $e1) (local.set $z1) (local.set $y1) (local.set $x1)
      (v128.store (i32.add (local.get $ox) (local.get $i)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $x0)) (f32x4.demote_f64x2_zero (local.get $x1))))
      (v128.store (i32.add (local.get $oy) (local.get $i)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $y0)) (f32x4.demote_f64x2_zero (local.get $y1))))
      (v128.store (i32.add (local.get $oz) (local.get $i)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $z0)) (f32x4.demote_f64x2_zero (local.get $z1))))
      (v128.store (i32.add (local.get $oe) (local.get $i)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $e0)) (f32x4.demote_f64x2_zero (local.get $e1))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))

  ;; ---------------------------------------------------------------- element-wise functions of the expression language
  ;; In float32 lanes with float32 polynomials, operation for operation native/kernels.h's fexp, fsincos,
  ;; fsinh and fcosh and src/array/float32.ts (so the three give the same bits): exp within 1 ulp,
  ;; sinh and cosh 1.7, sin and cos 2.5 (docs/performance.md).

  ;; e^x · 2^extra: x = k ln2 + r, |r| <= ln2/2 (ln2 in two parts, k·part exact), e^r by a degree-6
  ;; polynomial, 2^k applied in two halves so that subnormal results round once; x clamped to [−104, 90]
  (func $expf (param $x v128) (param $extra i32) (result v128)
    (local $k v128) (local $r v128) (local $P v128) (local $ki v128) (local $k1 v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -104 -104 -104 -104)) (v128.const f32x4 90 90 90 90)))
    (local.set $k (f32x4.sub (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 1.4426950216293335 1.4426950216293335 1.4426950216293335 1.4426950216293335)) (v128.const f32x4 12582912 12582912 12582912 12582912)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
                             (f32x4.mul (local.get $k) (v128.const f32x4 -0.00021219444170128554 -0.00021219444170128554 -0.00021219444170128554 -0.00021219444170128554))))
    (local.set $P (v128.const f32x4 0.0013814604608342052 0.0013814604608342052 0.0013814604608342052 0.0013814604608342052))
    (local.set $P (f32x4.add (f32x4.mul (local.get $P) (local.get $r)) (v128.const f32x4 0.008368710987269878 0.008368710987269878 0.008368710987269878 0.008368710987269878)))
    (local.set $P (f32x4.add (f32x4.mul (local.get $P) (local.get $r)) (v128.const f32x4 0.04166838899254799 0.04166838899254799 0.04166838899254799 0.04166838899254799)))
    (local.set $P (f32x4.add (f32x4.mul (local.get $P) (local.get $r)) (v128.const f32x4 0.1666652113199234 0.1666652113199234 0.1666652113199234 0.1666652113199234)))
    (local.set $P (f32x4.add (f32x4.mul (local.get $P) (local.get $r)) (v128.const f32x4 0.4999999403953552 0.4999999403953552 0.4999999403953552 0.4999999403953552)))
    (local.set $P (f32x4.add (f32x4.add (f32x4.mul (local.get $P) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    ;; k as an integer: the low bits of k + 1.5·2^23
    (local.set $ki (i32x4.add (i32x4.sub (f32x4.add (local.get $k) (v128.const f32x4 12582912 12582912 12582912 12582912)) (v128.const f32x4 12582912 12582912 12582912 12582912)) (i32x4.splat (local.get $extra))))
    (local.set $k1 (i32x4.shr_s (local.get $ki) (i32.const 1)))
    (f32x4.mul (f32x4.mul (local.get $P) (i32x4.shl (i32x4.add (local.get $k1) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
               (i32x4.shl (i32x4.add (i32x4.sub (local.get $ki) (local.get $k1)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; sin and cos for |x| <= 6000: x = q π/2 + r, π/2 in three parts (two of 12 bits: q·part exact for
  ;; |q| < 4096), polynomials to r^7 (sin) and r^8 (cos), the quadrant q mod 4 swaps and negates them;
  ;; lanes beyond (and ±inf, NaN) through $sincos in float64
  (func $sincosf (param $x v128) (result v128 v128)
    (local $q v128) (local $r v128) (local $z v128) (local $S v128) (local $C v128) (local $s v128) (local $c v128)
    (local $qi v128) (local $swap v128) (local $so v128) (local $co v128) (local $fast v128)
    (local $s0 v128) (local $c0 v128) (local $s1 v128) (local $c1 v128)
    (local.set $q (f32x4.sub (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 0.6366197466850281 0.6366197466850281 0.6366197466850281 0.6366197466850281)) (v128.const f32x4 12582912 12582912 12582912 12582912)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $r (f32x4.sub (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $q) (v128.const f32x4 1.57080078125 1.57080078125 1.57080078125 1.57080078125)))
                                        (f32x4.mul (local.get $q) (v128.const f32x4 -4.453584551811218e-06 -4.453584551811218e-06 -4.453584551811218e-06 -4.453584551811218e-06)))
                             (f32x4.mul (local.get $q) (v128.const f32x4 -8.705515752716053e-10 -8.705515752716053e-10 -8.705515752716053e-10 -8.705515752716053e-10))))
    (local.set $z (f32x4.mul (local.get $r) (local.get $r)))
    (local.set $S (v128.const f32x4 -0.00019515285384841263 -0.00019515285384841263 -0.00019515285384841263 -0.00019515285384841263))
    (local.set $S (f32x4.add (f32x4.mul (local.get $S) (local.get $z)) (v128.const f32x4 0.008332161232829094 0.008332161232829094 0.008332161232829094 0.008332161232829094)))
    (local.set $S (f32x4.add (f32x4.mul (local.get $S) (local.get $z)) (v128.const f32x4 -0.16666655242443085 -0.16666655242443085 -0.16666655242443085 -0.16666655242443085)))
    (local.set $s (f32x4.add (f32x4.mul (f32x4.mul (local.get $S) (local.get $z)) (local.get $r)) (local.get $r)))
    (local.set $C (v128.const f32x4 2.4433153157588094e-05 2.4433153157588094e-05 2.4433153157588094e-05 2.4433153157588094e-05))
    (local.set $C (f32x4.add (f32x4.mul (local.get $C) (local.get $z)) (v128.const f32x4 -0.0013887316454201937 -0.0013887316454201937 -0.0013887316454201937 -0.0013887316454201937)))
    (local.set $C (f32x4.add (f32x4.mul (local.get $C) (local.get $z)) (v128.const f32x4 0.04166664555668831 0.04166664555668831 0.04166664555668831 0.04166664555668831)))
    (local.set $c (f32x4.add (f32x4.mul (f32x4.sub (f32x4.mul (local.get $C) (local.get $z)) (v128.const f32x4 0.5 0.5 0.5 0.5)) (local.get $z)) (v128.const f32x4 1 1 1 1)))
    (local.set $qi (i32x4.sub (f32x4.add (local.get $q) (v128.const f32x4 12582912 12582912 12582912 12582912)) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set $swap (i32x4.ne (v128.and (local.get $qi) (v128.const i32x4 1 1 1 1)) (v128.const i32x4 0 0 0 0)))
    (local.set $so (v128.xor (v128.bitselect (local.get $c) (local.get $s) (local.get $swap))
                             (i32x4.shl (v128.and (local.get $qi) (v128.const i32x4 2 2 2 2)) (i32.const 30))))
    (local.set $co (v128.xor (v128.bitselect (local.get $s) (local.get $c) (local.get $swap))
                             (i32x4.shl (v128.and (i32x4.add (local.get $qi) (v128.const i32x4 1 1 1 1)) (v128.const i32x4 2 2 2 2)) (i32.const 30))))
    (local.set $so (v128.bitselect (local.get $x) (local.get $so) (f32x4.eq (local.get $x) (v128.const f32x4 0 0 0 0))))
    (local.set $fast (f32x4.le (f32x4.abs (local.get $x)) (v128.const f32x4 6000 6000 6000 6000)))
    (if (i32.eqz (i32x4.all_true (local.get $fast))) (then
      (call $sincos (f64x2.promote_low_f32x4 (local.get $x))) (local.set $c0) (local.set $s0)
      (call $sincos (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))) (local.set $c1) (local.set $s1)
      (local.set $so (v128.bitselect (local.get $so)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $s0)) (f32x4.demote_f64x2_zero (local.get $s1))) (local.get $fast)))
      (local.set $co (v128.bitselect (local.get $co)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $c0)) (f32x4.demote_f64x2_zero (local.get $c1))) (local.get $fast)))))
    (local.get $so) (local.get $co))

  ;; h = e^|x|/2: sinh = ±(h − 1/(4h)) for |x| >= 1 and an odd polynomial to x^9 below; cosh = h + 1/(4h)
  (func $sinhf (param $x v128) (result v128)
    (local $z v128) (local $Q v128) (local $h v128) (local $a v128)
    (local.set $a (f32x4.abs (local.get $x)))
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $Q (v128.const f32x4 2.816950427586562e-06 2.816950427586562e-06 2.816950427586562e-06 2.816950427586562e-06))
    (local.set $Q (f32x4.add (f32x4.mul (local.get $Q) (local.get $z)) (v128.const f32x4 0.0001983615948120132 0.0001983615948120132 0.0001983615948120132 0.0001983615948120132)))
    (local.set $Q (f32x4.add (f32x4.mul (local.get $Q) (local.get $z)) (v128.const f32x4 0.008333349600434303 0.008333349600434303 0.008333349600434303 0.008333349600434303)))
    (local.set $Q (f32x4.add (f32x4.mul (local.get $Q) (local.get $z)) (v128.const f32x4 0.1666666716337204 0.1666666716337204 0.1666666716337204 0.1666666716337204)))
    (local.set $h (call $expf (local.get $a) (i32.const -1)))
    (v128.bitselect
      (f32x4.add (f32x4.mul (f32x4.mul (local.get $Q) (local.get $z)) (local.get $x)) (local.get $x))
      (v128.or (f32x4.sub (local.get $h) (f32x4.div (v128.const f32x4 0.25 0.25 0.25 0.25) (local.get $h))) (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
      (f32x4.lt (local.get $a) (v128.const f32x4 1 1 1 1))))

  (func $coshf (param $x v128) (result v128)
    (local $h v128)
    (local.set $h (call $expf (f32x4.abs (local.get $x)) (i32.const -1)))
    (f32x4.add (local.get $h) (f32x4.div (v128.const f32x4 0.25 0.25 0.25 0.25) (local.get $h))))

  ;; out = f(a) for float32 a, f by code: 0 exp, 1 sin, 2 cos, 3 sinh, 4 cosh
  (func $f4 (param $op i32) (param $x v128) (result v128)
    (local $s v128) (local $c v128)
    (if (i32.eq (local.get $op) (i32.const 0)) (then (return (call $expf (local.get $x) (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 3)) (then (return (call $sinhf (local.get $x)))))
    (if (i32.eq (local.get $op) (i32.const 4)) (then (return (call $coshf (local.get $x)))))
    (call $sincosf (local.get $x)) (local.set $c) (local.set $s)
    (if (result v128) (i32.eq (local.get $op) (i32.const 1)) (then (local.get $s)) (else (local.get $c))))

  (func (export "map_f32") (param $op i32) (param $a i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i)) (call $f4 (local.get $op) (v128.load (i32.add (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))

  ;; element-wise float32 arithmetic of the expression language, one loop per operator:
  ;; out = a op b (columns) with op 0 add, 1 sub, 2 mul, 3 div, 4 min, 5 max
  (func (export "bin_f32") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (block $max (block $min (block $div (block $mul (block $sub (block $add
        (br_table $add $sub $mul $div $min $max $done (local.get $op)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.add (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.sub (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.div (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.min (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.max (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l))))

  ;; out = f(a) for 0 sqrt, 1 abs, 2 neg, 3 square
  (func (export "un_f32") (param $op i32) (param $a i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $v v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (block $sq (block $neg (block $abs (block $sqrt
        (br_table $sqrt $abs $neg $sq $done (local.get $op)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.sqrt (v128.load (i32.add (local.get $a) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.abs (v128.load (i32.add (local.get $a) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.neg (v128.load (i32.add (local.get $a) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l)))
        (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
          (local.set $v (v128.load (i32.add (local.get $a) (local.get $i))))
          (v128.store (i32.add (local.get $out) (local.get $i)) (f32x4.mul (local.get $v) (local.get $v)))
          (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $l))))

  ;; Δφ = φ₁ − φ₂ wrapped into [−π, π) as vector.ts's deltaPhi: the float32 difference, and outside the
  ;; range d − 2π floor((d + π)/2π) in float64, rounded (d < π in float64 ⟺ d < fround(π) in float32)
  (func $wrap (param $d v128) (result v128)
    (local $lo v128) (local $hi v128)
    (local.set $lo (f64x2.promote_low_f32x4 (local.get $d)))
    (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d) (local.get $d))))
    (local.set $lo (f64x2.sub (local.get $lo) (f64x2.mul (v128.const f64x2 6.283185307179586 6.283185307179586)
      (f64x2.floor (f64x2.div (f64x2.add (local.get $lo) (v128.const f64x2 3.141592653589793 3.141592653589793)) (v128.const f64x2 6.283185307179586 6.283185307179586))))))
    (local.set $hi (f64x2.sub (local.get $hi) (f64x2.mul (v128.const f64x2 6.283185307179586 6.283185307179586)
      (f64x2.floor (f64x2.div (f64x2.add (local.get $hi) (v128.const f64x2 3.141592653589793 3.141592653589793)) (v128.const f64x2 6.283185307179586 6.283185307179586))))))
    (v128.bitselect (local.get $d)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi)))
      (v128.and (f32x4.gt (local.get $d) (v128.const f32x4 -3.1415927410125732 -3.1415927410125732 -3.1415927410125732 -3.1415927410125732))
                (f32x4.lt (local.get $d) (v128.const f32x4 3.1415927410125732 3.1415927410125732 3.1415927410125732 3.1415927410125732)))))

  (func (export "delta_phi") (param $p1 i32) (param $p2 i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (call $wrap (f32x4.sub (v128.load (i32.add (local.get $p1) (local.get $i))) (v128.load (i32.add (local.get $p2) (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))

  ;; ΔR = sqrt(Δη² + Δφ²), rounded per operation as vector.ts's deltaR
  (func (export "delta_r") (param $e1 i32) (param $p1 i32) (param $e2 i32) (param $p2 i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $de v128) (local $dp v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $de (f32x4.sub (v128.load (i32.add (local.get $e1) (local.get $i))) (v128.load (i32.add (local.get $e2) (local.get $i)))))
      (local.set $dp (call $wrap (f32x4.sub (v128.load (i32.add (local.get $p1) (local.get $i))) (v128.load (i32.add (local.get $p2) (local.get $i))))))
      (v128.store (i32.add (local.get $out) (local.get $i))
        (f32x4.sqrt (f32x4.add (f32x4.mul (local.get $de) (local.get $de)) (f32x4.mul (local.get $dp) (local.get $dp)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))
)
