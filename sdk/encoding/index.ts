// @sluice/sdk/encoding: Base64 (standard and URL), hex, percent-encoding, and string-to-bytes.
export * from "./base64";
export * from "./hex";
export * from "./percent";
export * from "./bytes";
