;; The least a plugin that reads one request header costs: the hook floor (hook-floor.wat, whose one
;; read is x-request-id) plus one more proxy_get_header_map_value. request-block (its URL rules read
;; :path) and ip-restriction (its client address from x-real-ip) make exactly these two calls on
;; the bench's GET, and nothing else
;; (test/bench/floors.test.ts holds them to that), so their rows above this one are their own
;; cost: the SDK, the rule match, collections. Assembled by test/bench/run.ts with binaryen.
(module
  (import "env" "proxy_get_header_map_value" (func $get_header (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) ":path")
  (data (i32.const 80) "x-request-id")
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
    (drop (call $get_header (i32.const 0) (i32.const 64) (i32.const 5) (i32.const 0) (i32.const 4)))
    (drop (call $get_header (i32.const 0) (i32.const 80) (i32.const 12) (i32.const 0) (i32.const 4)))
    (i32.const 0)))
