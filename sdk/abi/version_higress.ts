// ABI marker for Higress's Envoy (0.2.100: real StopIteration on headers, Redis host calls).
// The build adds this file as an entry for the `higress` target.
export function proxy_abi_version_0_2_100(): void {}
