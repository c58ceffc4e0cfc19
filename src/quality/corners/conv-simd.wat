;; The corner models' ungrouped convolutions in WebAssembly SIMD: conv-simd.ts hands it convByTaps' layer.
;; `npm run build:wasm` assembles it into conv-simd-bytes.ts. Addresses are in bytes, inside the exported memory.
(module
  (memory (export "memory") 1)

  ;; One layer, every output cell, as convByTaps walks it. Row `oy` of the output has kernel-row range rows[oy] and
  ;; column `ox` has kernel-column range cols[ox] (`ranges` column ranges in all); a cell's box is row range × ranges +
  ;; column range, and `boxes` holds each box's weights, taps and tap count (three i32s). Up to four side-by-side cells
  ;; with the same box share a pass (dots). The input is `inWidth` floats wide at `from`, read with stride `stride` and
  ;; padding `pad`; the output planes (`plane` bytes each) start at `to`.
  (func (export "conv")
    (param $rows i32) (param $height i32) (param $cols i32) (param $width i32) (param $ranges i32) (param $boxes i32)
    (param $from i32) (param $inWidth i32) (param $stride i32) (param $pad i32)
    (param $planes i32) (param $bias i32) (param $relu i32) (param $to i32) (param $plane i32)
    (local $oy i32) (local $ox i32) (local $n i32) (local $col i32) (local $boxRow i32) (local $box i32)
    (local $cell i32) (local $step i32)
    (local.set $step (i32.shl (local.get $stride) (i32.const 2)))
    (loop $row
      (local.set $boxRow (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $oy) (i32.const 2)))) (local.get $ranges)))
      (local.set $ox (i32.const 0))
      (loop $run
        (local.set $col (i32.load (i32.add (local.get $cols) (i32.shl (local.get $ox) (i32.const 2)))))
        ;; n: up to four cells from ox on with the same column range.
        (local.set $n (i32.const 1))
        (block $counted
          (loop $more
            (br_if $counted (i32.ge_u (local.get $n) (i32.const 4)))
            (br_if $counted (i32.ge_u (i32.add (local.get $ox) (local.get $n)) (local.get $width)))
            (br_if $counted (i32.ne (local.get $col)
              (i32.load (i32.add (local.get $cols) (i32.shl (i32.add (local.get $ox) (local.get $n)) (i32.const 2))))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $more)))
        ;; The first cell's top-left tap: (oy × stride − pad) × inWidth + ox × stride − pad, in bytes from `from`.
        (local.set $cell (i32.add (local.get $from) (i32.shl
          (i32.sub (i32.add
            (i32.mul (i32.sub (i32.mul (local.get $oy) (local.get $stride)) (local.get $pad)) (local.get $inWidth))
            (i32.mul (local.get $ox) (local.get $stride))) (local.get $pad))
          (i32.const 2))))
        (local.set $box (i32.add (local.get $boxes) (i32.mul (i32.add (local.get $boxRow) (local.get $col)) (i32.const 12))))
        (call $dots
          (i32.load (local.get $box)) (i32.load offset=4 (local.get $box)) (i32.load offset=8 (local.get $box)) (local.get $planes)
          (local.get $cell)
          (select (i32.add (local.get $cell) (local.get $step)) (local.get $cell) (i32.gt_u (local.get $n) (i32.const 1)))
          (select (i32.add (local.get $cell) (i32.shl (local.get $step) (i32.const 1))) (local.get $cell) (i32.gt_u (local.get $n) (i32.const 2)))
          (select (i32.add (local.get $cell) (i32.mul (local.get $step) (i32.const 3))) (local.get $cell) (i32.gt_u (local.get $n) (i32.const 3)))
          (local.get $n) (local.get $bias) (local.get $relu)
          (i32.add (local.get $to) (i32.shl (i32.add (i32.mul (local.get $oy) (local.get $width)) (local.get $ox)) (i32.const 2)))
          (local.get $plane))
        (local.set $ox (i32.add (local.get $ox) (local.get $n)))
        (br_if $run (i32.lt_u (local.get $ox) (local.get $width))))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $oy) (local.get $height)))))

  ;; Up to four side-by-side cells of one output row, every output plane. Each cell sums the same taps (`taps`: the
  ;; byte offset of each tap from the cell's first, at `from0`–`from3`) times their weights, four planes at a time
  ;; (`weights`: per group of four planes, each tap's four weights side by side), adds the bias (padded to whole groups),
  ;; clips at zero with `relu`, and writes the first `cells` cells of the first `planes` planes (`plane` bytes apart,
  ;; the first cell at `to`).
  (func $dots
    (param $weights i32) (param $taps i32) (param $size i32) (param $planes i32)
    (param $from0 i32) (param $from1 i32) (param $from2 i32) (param $from3 i32) (param $cells i32)
    (param $bias i32) (param $relu i32) (param $to i32) (param $plane i32)
    (local $o i32) (local $end i32)
    (local.set $end (i32.add (local.get $taps) (i32.shl (local.get $size) (i32.const 2))))
    (loop $group
      ;; Eight planes when more than four are left, so that each input value read serves eight sums.
      (if (i32.gt_s (i32.sub (local.get $planes) (local.get $o)) (i32.const 4))
        (then
          (call $sums8 (local.get $weights) (local.get $taps) (local.get $end) (i32.shl (local.get $size) (i32.const 4))
            (local.get $from0) (local.get $from1) (local.get $from2) (local.get $from3)
            (local.get $o) (local.get $planes) (local.get $cells) (local.get $bias) (local.get $relu) (local.get $to) (local.get $plane))
          (local.set $weights (i32.add (local.get $weights) (i32.shl (local.get $size) (i32.const 5))))
          (local.set $o (i32.add (local.get $o) (i32.const 8))))
        (else
          (call $sums4 (local.get $weights) (local.get $taps) (local.get $end)
            (local.get $from0) (local.get $from1) (local.get $from2) (local.get $from3)
            (local.get $o) (local.get $planes) (local.get $cells) (local.get $bias) (local.get $relu) (local.get $to) (local.get $plane))
          (local.set $weights (i32.add (local.get $weights) (i32.shl (local.get $size) (i32.const 4))))
          (local.set $o (i32.add (local.get $o) (i32.const 4)))))
      (br_if $group (i32.lt_s (local.get $o) (local.get $planes)))))

  ;; One group of four planes' sums for the four cells, written (write).
  (func $sums4 (param $w i32) (param $tap i32) (param $end i32)
    (param $from0 i32) (param $from1 i32) (param $from2 i32) (param $from3 i32)
    (param $o i32) (param $planes i32) (param $cells i32) (param $bias i32) (param $relu i32) (param $to i32) (param $plane i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $wv v128) (local $at i32)
    (loop $taps
      (local.set $wv (v128.load (local.get $w)))
      (local.set $at (i32.load (local.get $tap)))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $wv) (v128.load32_splat (i32.add (local.get $from0) (local.get $at))))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $wv) (v128.load32_splat (i32.add (local.get $from1) (local.get $at))))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $wv) (v128.load32_splat (i32.add (local.get $from2) (local.get $at))))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $wv) (v128.load32_splat (i32.add (local.get $from3) (local.get $at))))))
      (local.set $w (i32.add (local.get $w) (i32.const 16)))
      (local.set $tap (i32.add (local.get $tap) (i32.const 4)))
      (br_if $taps (i32.lt_u (local.get $tap) (local.get $end))))
    (call $write (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3) (local.get $o) (local.get $planes) (local.get $cells) (local.get $bias) (local.get $relu) (local.get $to) (local.get $plane)))

  ;; Two groups of four planes at once (the second group's weights `next` bytes on), written (write).
  (func $sums8 (param $w i32) (param $tap i32) (param $end i32) (param $next i32)
    (param $from0 i32) (param $from1 i32) (param $from2 i32) (param $from3 i32)
    (param $o i32) (param $planes i32) (param $cells i32) (param $bias i32) (param $relu i32) (param $to i32) (param $plane i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128)
    (local $wa v128) (local $wb v128) (local $u v128) (local $at i32)
    (loop $taps
      (local.set $wa (v128.load (local.get $w)))
      (local.set $wb (v128.load (i32.add (local.get $w) (local.get $next))))
      (local.set $at (i32.load (local.get $tap)))
      (local.set $u (v128.load32_splat (i32.add (local.get $from0) (local.get $at))))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $wa) (local.get $u))))
      (local.set $s4 (f32x4.add (local.get $s4) (f32x4.mul (local.get $wb) (local.get $u))))
      (local.set $u (v128.load32_splat (i32.add (local.get $from1) (local.get $at))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $wa) (local.get $u))))
      (local.set $s5 (f32x4.add (local.get $s5) (f32x4.mul (local.get $wb) (local.get $u))))
      (local.set $u (v128.load32_splat (i32.add (local.get $from2) (local.get $at))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $wa) (local.get $u))))
      (local.set $s6 (f32x4.add (local.get $s6) (f32x4.mul (local.get $wb) (local.get $u))))
      (local.set $u (v128.load32_splat (i32.add (local.get $from3) (local.get $at))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $wa) (local.get $u))))
      (local.set $s7 (f32x4.add (local.get $s7) (f32x4.mul (local.get $wb) (local.get $u))))
      (local.set $w (i32.add (local.get $w) (i32.const 16)))
      (local.set $tap (i32.add (local.get $tap) (i32.const 4)))
      (br_if $taps (i32.lt_u (local.get $tap) (local.get $end))))
    (call $write (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3) (local.get $o)
      (local.get $planes) (local.get $cells) (local.get $bias) (local.get $relu) (local.get $to) (local.get $plane))
    (call $write (local.get $s4) (local.get $s5) (local.get $s6) (local.get $s7) (i32.add (local.get $o) (i32.const 4))
      (local.get $planes) (local.get $cells) (local.get $bias) (local.get $relu) (local.get $to) (local.get $plane)))

  ;; Bias and ReLU on four cells' sums of planes o…o+3, and the first `cells` cells of the planes below `planes` written.
  (func $write (param $s0 v128) (param $s1 v128) (param $s2 v128) (param $s3 v128) (param $o i32) (param $planes i32)
    (param $cells i32) (param $bias i32) (param $relu i32) (param $to i32) (param $plane i32)
    (local $b v128) (local $lanes i32) (local $at i32)
    (local.set $b (v128.load (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2)))))
    (local.set $s0 (f32x4.add (local.get $s0) (local.get $b)))
    (local.set $s1 (f32x4.add (local.get $s1) (local.get $b)))
    (local.set $s2 (f32x4.add (local.get $s2) (local.get $b)))
    (local.set $s3 (f32x4.add (local.get $s3) (local.get $b)))
    (if (local.get $relu)
      (then
        (local.set $s0 (f32x4.pmax (local.get $s0) (v128.const i64x2 0 0)))
        (local.set $s1 (f32x4.pmax (local.get $s1) (v128.const i64x2 0 0)))
        (local.set $s2 (f32x4.pmax (local.get $s2) (v128.const i64x2 0 0)))
        (local.set $s3 (f32x4.pmax (local.get $s3) (v128.const i64x2 0 0)))))
    (local.set $lanes (i32.sub (local.get $planes) (local.get $o)))
    (local.set $at (i32.add (local.get $to) (i32.mul (local.get $o) (local.get $plane))))
    (call $put (local.get $s0) (local.get $at) (local.get $plane) (local.get $lanes))
    (if (i32.gt_s (local.get $cells) (i32.const 1))
      (then (call $put (local.get $s1) (i32.add (local.get $at) (i32.const 4)) (local.get $plane) (local.get $lanes))))
    (if (i32.gt_s (local.get $cells) (i32.const 2))
      (then (call $put (local.get $s2) (i32.add (local.get $at) (i32.const 8)) (local.get $plane) (local.get $lanes))))
    (if (i32.gt_s (local.get $cells) (i32.const 3))
      (then (call $put (local.get $s3) (i32.add (local.get $at) (i32.const 12)) (local.get $plane) (local.get $lanes)))))

  ;; One cell's four planes, the first `lanes` of them, `plane` bytes apart.
  (func $put (param $v v128) (param $at i32) (param $plane i32) (param $lanes i32)
    (f32.store (local.get $at) (f32x4.extract_lane 0 (local.get $v)))
    (if (i32.gt_s (local.get $lanes) (i32.const 1))
      (then (f32.store (i32.add (local.get $at) (local.get $plane)) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.gt_s (local.get $lanes) (i32.const 2))
      (then (f32.store (i32.add (local.get $at) (i32.shl (local.get $plane) (i32.const 1))) (f32x4.extract_lane 2 (local.get $v)))))
    (if (i32.gt_s (local.get $lanes) (i32.const 3))
      (then (f32.store (i32.add (local.get $at) (i32.mul (local.get $plane) (i32.const 3))) (f32x4.extract_lane 3 (local.get $v))))))
)
