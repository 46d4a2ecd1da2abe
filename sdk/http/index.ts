// @sluice/sdk/http: HTTP callouts with Higress cluster names; answers come back to the calling request (docs/sdk/http.md).
export * from "./cluster";
export * from "./call";
export * from "./header-value";
