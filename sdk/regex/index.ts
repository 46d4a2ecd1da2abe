// @sluice/sdk/regex: RE2-syntax regular expressions in linear time, one or many patterns at once (docs/sdk/regex.md).
export * from "./regex";
export * from "./set";
