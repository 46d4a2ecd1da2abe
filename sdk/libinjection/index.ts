// @sluice/sdk/libinjection: libinjection's SQLi and XSS detectors (the algorithm re-implemented on
// bytes, its keyword/fingerprint/tag data generated into tables.ts; docs/sdk/libinjection.md).
export { detectSQLi, sqliFingerprint, detectXSS } from "./detect";
