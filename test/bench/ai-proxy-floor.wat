;; The host work of ai-proxy's OpenAI relay, with nothing else: the same proxy-wasm calls, in the
;; same hooks and order, that plugins/ai-proxy makes for the bench's 2 KB chat (counted in the
;; emulator with the bench's request headers: 2 header reads, 1 header-pairs read, 6 header
;; replaces, 2 removes, 2 body reads, 1 body write, 2 body-size reads, 1 property write, 3 clock
;; reads), but no JSON, no allocation beyond a bump pointer reset at every hook, no SDK. Its added
;; CPU per request is what any plugin pays in Envoy for doing ai-proxy's job through these calls;
;; what ai-proxy costs above it is Sluice's own. Assembled by test/bench/run.ts with binaryen.
(module
  (import "env" "proxy_get_header_map_value" (func $get_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_pairs" (func $get_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func $replace_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_remove_header_map_value" (func $remove_header (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_status" (func $buffer_status (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_buffer_bytes" (func $set_buffer (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_property" (func $set_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_current_time_nanoseconds" (func $now (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0..63: return slots (ptr at 0, size at 4, u64 at 8, flags at 16)
  (data (i32.const 80) ":authority")                      ;; 80, 10
  (data (i32.const 96) ":path")                           ;; 96, 5
  (data (i32.const 112) "x-envoy-original-host")          ;; 112, 21
  (data (i32.const 144) "x-envoy-original-path")          ;; 144, 21
  (data (i32.const 176) "content-length")                 ;; 176, 14
  (data (i32.const 192) "authorization")                  ;; 192, 13
  (data (i32.const 240) "content-type")                   ;; 240, 12
  (data (i32.const 256) "application/json")               ;; 256, 16
  (data (i32.const 272) "Bearer sk-bench")                ;; 272, 15
  (data (i32.const 288) "bench-upstream")                 ;; 288, 14
  (data (i32.const 304) "/v1/chat/completions")           ;; 304, 20
  (data (i32.const 336) ":status")                        ;; 336, 7
  (data (i32.const 352) "ai_usage")                       ;; 352, 8
  (data (i32.const 368) "{\"model\":\"gpt-4o-mini\",\"provider\":\"openai\",\"stream\":false,\"input_tokens\":21,\"output_tokens\":9,\"total_tokens\":30}") ;; 368, 107
  (global $heap i32 (i32.const 1024))
  (global $next (mut i32) (i32.const 1024))
  (func (export "proxy_abi_version_0_2_1"))
  ;; A bump allocator, reset at the start of every hook: nothing outlives the call that read it.
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
  ;; Envoy enters the VM for proxy_on_log after every request, as it does for ai-proxy (which logs then).
  (func (export "proxy_on_log") (param i32))
  (func (export "proxy_on_delete") (param i32))
  (func $reset (global.set $next (global.get $heap)))
  ;; Request headers: every pair (the request id for log lines is taken from them), the clock, the original host and path kept,
  ;; content-length removed; then wait for the body.
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $reset)
    (drop (call $get_pairs (i32.const 0) (i32.const 0) (i32.const 4)))
    (drop (call $now (i32.const 8)))
    (drop (call $replace_header (i32.const 0) (i32.const 112) (i32.const 21) (i32.const 288) (i32.const 14)))
    (drop (call $replace_header (i32.const 0) (i32.const 144) (i32.const 21) (i32.const 304) (i32.const 20)))
    (drop (call $remove_header (i32.const 0) (i32.const 176) (i32.const 14)))
    (i32.const 1))
  ;; Request body: buffered to its end, read, written back (the same bytes: ai-proxy's byte edit of
  ;; `model` keeps the length here), then host, auth, path and content type set (the bench's client
;; sends no credentials, so none is kept aside or removed).
  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $end i32) (result i32)
    (call $reset)
    (drop (call $buffer_status (i32.const 0) (i32.const 4) (i32.const 16)))
    (if (i32.eqz (local.get $end)) (then (return (i32.const 1))))
    (drop (call $get_buffer (i32.const 0) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4)))
    (drop (call $set_buffer (i32.const 0) (i32.const 0) (local.get $size) (i32.load (i32.const 0)) (i32.load (i32.const 4))))
    (drop (call $replace_header (i32.const 0) (i32.const 80) (i32.const 10) (i32.const 288) (i32.const 14)))
    (drop (call $replace_header (i32.const 0) (i32.const 192) (i32.const 13) (i32.const 272) (i32.const 15)))
    (drop (call $replace_header (i32.const 0) (i32.const 96) (i32.const 5) (i32.const 304) (i32.const 20)))
    (drop (call $replace_header (i32.const 0) (i32.const 240) (i32.const 12) (i32.const 256) (i32.const 16)))
    (i32.const 0))
  ;; Response headers: status and content type read, content-length removed.
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (call $reset)
    (drop (call $get_header (i32.const 2) (i32.const 336) (i32.const 7) (i32.const 0) (i32.const 4)))
    (drop (call $remove_header (i32.const 2) (i32.const 176) (i32.const 14)))
    (drop (call $get_header (i32.const 2) (i32.const 240) (i32.const 12) (i32.const 0) (i32.const 4)))
    (i32.const 0))
  ;; Response body: buffered to its end, read, the usage published as a property.
  (func (export "proxy_on_response_body") (param $ctx i32) (param $size i32) (param $end i32) (result i32)
    (call $reset)
    (drop (call $buffer_status (i32.const 1) (i32.const 4) (i32.const 16)))
    (if (i32.eqz (local.get $end)) (then (return (i32.const 1))))
    (drop (call $get_buffer (i32.const 1) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4)))
    (drop (call $now (i32.const 8)))
    (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 8)))
    (drop (call $set_property (i32.const 352) (i32.const 8) (i32.const 368) (i32.const 107)))
    (i32.const 0)))
