// The WAF-facing API: @detectSQLi / @detectXSS as ModSecurity and Coraza expose libinjection.
import { SqliState } from "./sqli";
import { isXss } from "./xss";

// One state for the whole VM: detection allocates nothing per call.
const sqli = new SqliState();

/** libinjection_is_sqli: is `data` SQL injection in any of the contexts libinjection tries? */
export function detectSQLi(data: Uint8Array): bool {
  sqli.reset(data.dataStart, data.length, 0);
  return sqli.detect();
}

/**
 * The 1–5 character fingerprint (token types, e.g. "s&sos") that made `data` match — what
 * ModSecurity puts in TX.0 after @detectSQLi — or "" when `data` is not SQLi. Computed again from
 * `data` rather than remembered, so it never describes another input; only called on a match.
 */
export function sqliFingerprint(data: Uint8Array): string {
  if (!detectSQLi(data) || sqli.fpLen == 0) return "";
  return String.UTF8.decodeUnsafe(changetype<usize>(sqli.fingerprint), <usize>sqli.fpLen);
}

/** libinjection_xss: is `data` XSS from any of the five HTML starting contexts? */
export function detectXSS(data: Uint8Array): bool {
  return isXss(data.dataStart, data.length);
}
