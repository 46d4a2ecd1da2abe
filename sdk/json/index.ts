// @sluice/sdk/json: JSON that never traps: a byte-level parser, lazy scans, in-place edits, a writer (docs/sdk/json.md).
export * from "./value";
export * from "./parse";
export * from "./scan";
export * from "./edit";
export * from "./object-view";
export * from "./writer";
export * from "./bytebuf";
export * from "./utf8";
export * from "./probe";
