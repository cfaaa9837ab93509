;; A loadable applet written from docs/applets.md alone (ABI version 1): a counter.
;;
;; vusim's own example coding (not a standard applet). AID F0 "VUSIM-COUNT" 00 01, class 80:
;;   80 02 00 00 00   GET        the persistent counter, 4 bytes big endian
;;   80 04 NN 00 00   ADD        add NN to the persistent counter; answers the new value
;;   80 06 00 00 00   TOUCH      add 1 to a transient counter (linear memory); answers it
;;   80 08 NN 00 00   ADD-THROW  add NN, then throw 6A80: the addition is rolled back
;;   80 0A 00 00 00   SPIN       loop forever: the fuel budget ends it with 6F00
;;   80 0C NN 00 00   ADD-TRAP   add NN, then trap (unreachable): 6F00, rolled back
;;   80 0E 00 00 Lc data  ECHO   answers the data
;; Install parameters: the counter's initial value (4 bytes), else 0.
;; Build: wasm-tools parse counter.wat -o counter.wasm (or vusim's test helper, see counter.sh).
(module
  (import "vusim" "params" (func $params (param i32 i32) (result i32)))
  (import "vusim" "apdu_header" (func $apdu_header (param i32) (result i32)))
  (import "vusim" "apdu_data" (func $apdu_data (param i32 i32) (result i32)))
  (import "vusim" "response" (func $response (param i32 i32) (result i32)))
  (import "vusim" "throw" (func $throw (param i32)))
  (import "vusim" "store_get" (func $store_get (param i32 i32 i32 i32) (result i32)))
  (import "vusim" "store_put" (func $store_put (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)
  ;; 0..4: the header; 16: the store key "n"; 32..36: counter bytes; 64..: data buffer.
  (data (i32.const 16) "n")
  ;; The transient counter lives in a global: it starts at 0 in every fresh instance.
  (global $touched (mut i32) (i32.const 0))

  (@custom "vusim.applet" "aid=F0565553494D2D434F554E540001\nlabel=COUNTER\nins=02 GET\nins=04 ADD\nins=06 TOUCH\nins=08 ADD-THROW\nins=0A SPIN\nins=0C ADD-TRAP\nins=0E ECHO\n")

  (func (export "vusim_abi_version") (result i32) (i32.const 1))

  ;; Big-endian i32 at 32.
  (func $put_be (param $v i32)
    (i32.store8 (i32.const 32) (i32.shr_u (local.get $v) (i32.const 24)))
    (i32.store8 (i32.const 33) (i32.shr_u (local.get $v) (i32.const 16)))
    (i32.store8 (i32.const 34) (i32.shr_u (local.get $v) (i32.const 8)))
    (i32.store8 (i32.const 35) (local.get $v)))
  (func $get_be (result i32)
    (i32.or
      (i32.or (i32.shl (i32.load8_u (i32.const 32)) (i32.const 24))
              (i32.shl (i32.load8_u (i32.const 33)) (i32.const 16)))
      (i32.or (i32.shl (i32.load8_u (i32.const 34)) (i32.const 8))
              (i32.load8_u (i32.const 35)))))

  (func $load (result i32)
    (if (i32.ne (call $store_get (i32.const 16) (i32.const 1) (i32.const 32) (i32.const 4)) (i32.const 4))
      (then (return (i32.const 0))))
    (call $get_be))
  (func $save (param $v i32)
    (call $put_be (local.get $v))
    (drop (call $store_put (i32.const 16) (i32.const 1) (i32.const 32) (i32.const 4))))
  ;; Answer a value as 4 bytes.
  (func $answer (param $v i32)
    (call $put_be (local.get $v))
    (drop (call $response (i32.const 32) (i32.const 4))))

  (func (export "install") (result i32)
    (if (i32.eq (call $params (i32.const 32) (i32.const 4)) (i32.const 4))
      (then (call $save (call $get_be)))
      (else (call $save (i32.const 0))))
    (i32.const 0x9000))

  (func (export "select") (param $ch i32) (result i32) (i32.const 0x9000))
  (func (export "deselect") (param $ch i32))

  (func (export "process") (param $ch i32) (result i32)
    (local $ins i32) (local $p1 i32) (local $n i32)
    (drop (call $apdu_header (i32.const 0)))
    ;; Class 80-83 only.
    (if (i32.ne (i32.and (i32.load8_u (i32.const 0)) (i32.const 0xFC)) (i32.const 0x80))
      (then (return (i32.const 0x6E00))))
    (local.set $ins (i32.load8_u (i32.const 1)))
    (local.set $p1 (i32.load8_u (i32.const 2)))
    (block $unknown
      (if (i32.eq (local.get $ins) (i32.const 0x02))
        (then (call $answer (call $load)) (return (i32.const 0x9000))))
      (if (i32.eq (local.get $ins) (i32.const 0x04))
        (then
          (local.set $n (i32.add (call $load) (local.get $p1)))
          (call $save (local.get $n))
          (call $answer (local.get $n))
          (return (i32.const 0x9000))))
      (if (i32.eq (local.get $ins) (i32.const 0x06))
        (then
          (global.set $touched (i32.add (global.get $touched) (i32.const 1)))
          (call $answer (global.get $touched))
          (return (i32.const 0x9000))))
      (if (i32.eq (local.get $ins) (i32.const 0x08))
        (then
          (call $save (i32.add (call $load) (local.get $p1)))
          (call $throw (i32.const 0x6A80))
          (unreachable)))
      (if (i32.eq (local.get $ins) (i32.const 0x0A))
        (then (loop $forever (br $forever))))
      (if (i32.eq (local.get $ins) (i32.const 0x0C))
        (then
          (call $save (i32.add (call $load) (local.get $p1)))
          (unreachable)))
      (if (i32.eq (local.get $ins) (i32.const 0x0E))
        (then
          (local.set $n (call $apdu_data (i32.const 64) (i32.const 1024)))
          (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return (i32.const 0x6700))))
          (drop (call $response (i32.const 64) (local.get $n)))
          (return (i32.const 0x9000))))
      (br $unknown))
    (i32.const 0x6D00))
)
