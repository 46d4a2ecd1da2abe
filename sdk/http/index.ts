// @sluice/sdk/http: HTTP callouts with Higress cluster names (answers come back to the calling request, docs/sdk/http.md), header values safe to set, multipart/form-data fields.
export * from "./cluster";
export * from "./call";
export * from "./header-value";
export * from "./multipart";
