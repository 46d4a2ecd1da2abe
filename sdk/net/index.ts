// @sluice/sdk/net: IP addresses and CIDRs, query strings, HTTP dates, request-path normalisation.
export * from "./ip";
export * from "./query";
export * from "./httpdate";
export * from "./httpdate-format";
export * from "./path";
