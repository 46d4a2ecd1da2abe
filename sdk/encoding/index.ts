// @sluice/sdk/encoding: Base64 (standard and URL), hex, percent-encoding, string-to-bytes, UTC date texts.
export * from "./base64";
export * from "./hex";
export * from "./percent";
export * from "./bytes";
export * from "./utc";
