;; The host work of key-auth admitting a consumer, with nothing else: the proxy-wasm calls that
;; plugins/key-auth makes on the bench's GET (its key in x-api-key): every request header read at
;; once (the key, whether a client sent a consumer header of its own, and the request id for log
;; lines, which the SDK takes from that read), then the consumer's
;; name set in x-mse-consumer for the upstream. test/bench/floors.test.ts holds key-auth to
;; exactly these calls, so its row above this one is its own cost. Assembled by
;; test/bench/run.ts with binaryen.
(module
  (import "env" "proxy_get_header_map_pairs" (func $get_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func $replace_header (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "x-mse-consumer")                  ;; 64, 14
  (data (i32.const 80) "bob")                             ;; 80, 3
  (global $heap i32 (i32.const 1024))
  (global $next (mut i32) (i32.const 1024))
  (func (export "proxy_abi_version_0_2_1"))
  ;; A bump allocator, reset at every hook: nothing outlives the call that read it.
  (func (export "proxy_on_memory_allocate") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $next))
    (global.set $next (i32.add (global.get $next) (i32.and (i32.add (local.get $size) (i32.const 15)) (i32.const -16))))
    (if (i32.gt_u (global.get $next) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1))))))
    (local.get $p))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_delete") (param i32))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (global.set $next (global.get $heap))
    (drop (call $get_pairs (i32.const 0) (i32.const 0) (i32.const 4)))
    (drop (call $replace_header (i32.const 0) (i32.const 64) (i32.const 14) (i32.const 80) (i32.const 3)))
    (i32.const 0)))
