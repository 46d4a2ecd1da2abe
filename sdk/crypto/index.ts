// @sluice/sdk/crypto: Hashes, HMAC, CRC32, constant-time comparison, public keys, signature verification and RSA signing (docs/sdk/crypto.md).
export * from "./hasher";
export * from "./sha256";
export * from "./sha512";
export * from "./sha1";
export * from "./md5";
export * from "./hmac";
export * from "./crc32";
export * from "./compare";
export * from "./keys";
export * from "./verify";
export * from "./rsa-sign";
export * from "./hex-digest";
