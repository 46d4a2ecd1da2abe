// ABI marker for upstream Envoy. The build adds this file as an entry for the `envoy` target.
export function proxy_abi_version_0_2_1(): void {}
