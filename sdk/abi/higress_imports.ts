// Host functions only Higress's Envoy provides (its proxy-wasm-cpp-host fork).
// Only the `higress` target may reach these; the `envoy` target's import check enforces it.

// @ts-ignore: decorator
@external("env", "proxy_redis_init") export declare function proxy_redis_init(servicePtr: usize, serviceLen: usize, userPtr: usize, userLen: usize, passPtr: usize, passLen: usize, timeoutMs: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_redis_call") export declare function proxy_redis_call(servicePtr: usize, serviceLen: usize, queryPtr: usize, queryLen: usize, retToken: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_inject_encoded_data_to_filter_chain") export declare function proxy_inject_encoded_data_to_filter_chain(bodyPtr: usize, bodyLen: usize, endStream: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_upstream_hosts") export declare function proxy_get_upstream_hosts(retPtr: usize, retSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_upstream_override_host") export declare function proxy_set_upstream_override_host(addrPtr: usize, addrLen: usize): u32;
