;; The Gaussian blur's taps for the Node scene renderers (blur-simd.mjs), two floats a lane pair at a time.
;; out[i] = float32(Σ_k float64(src[i + offset_k]) × weight_k), the taps summed in order from zero in doubles, as
;; blur.mjs's JavaScript does, so the floats are the same to the bit (no fused multiply-add in WebAssembly).
(module
  (memory (export "memory") 1)
  ;; Pointers and offsets in bytes; `offsets` holds `taps` i32s, `weights` `taps` f64s; `n` floats out.
  (func (export "taps") (param $src i32) (param $out i32) (param $n i32) (param $offsets i32) (param $weights i32) (param $taps i32)
    (local $end i32) (local $k i32) (local $at i32) (local $w v128) (local $a v128) (local $b v128) (local $s f64)
    ;; Four floats a step (two pairs), then the rest one by one.
    (local.set $end (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $fours
      (loop $four
        (br_if $fours (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $a (v128.const f64x2 0 0))
        (local.set $b (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $done
          (loop $tap
            (br_if $done (i32.ge_u (local.get $k) (local.get $taps)))
            (local.set $at (i32.add (local.get $src) (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $k) (i32.const 2))))))
            (local.set $w (v128.load64_splat (i32.add (local.get $weights) (i32.shl (local.get $k) (i32.const 3)))))
            (local.set $a (f64x2.add (local.get $a) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $at))) (local.get $w))))
            (local.set $b (f64x2.add (local.get $b) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $at))) (local.get $w))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $tap)))
        (v128.store64_lane 0 (local.get $out) (f32x4.demote_f64x2_zero (local.get $a)))
        (v128.store64_lane offset=8 0 (local.get $out) (f32x4.demote_f64x2_zero (local.get $b)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $four)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $ones
      (loop $one
        (br_if $ones (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $s (f64.const 0))
        (local.set $k (i32.const 0))
        (block $done
          (loop $tap
            (br_if $done (i32.ge_u (local.get $k) (local.get $taps)))
            (local.set $s (f64.add (local.get $s)
              (f64.mul
                (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $k) (i32.const 2)))))))
                (f64.load (i32.add (local.get $weights) (i32.shl (local.get $k) (i32.const 3)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $tap)))
        (f32.store (local.get $out) (f32.demote_f64 (local.get $s)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $one)))))
