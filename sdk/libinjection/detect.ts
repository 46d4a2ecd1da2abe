// The WAF-facing API: @detectSQLi / @detectXSS as ModSecurity and Coraza expose libinjection.
import { SqliState } from "./sqli";
import { isXss } from "./xss";

// One state for the whole VM: detection allocates nothing per call.
const sqli = new SqliState();
let lastMatched = false;

/** libinjection_is_sqli: is `data` SQL injection in any of the contexts libinjection tries? */
export function detectSQLi(data: Uint8Array): bool {
  sqli.reset(data.dataStart, data.length, 0);
  lastMatched = sqli.detect();
  return lastMatched;
}

/** The 1–5 character fingerprint of the last detectSQLi match (ModSecurity's TX.0), or "". */
export function sqliFingerprint(data: Uint8Array): string {
  // `data` is accepted for the call shape the WAF uses; the answer is the last match's.
  if (!lastMatched || sqli.fpLen == 0) return "";
  return String.UTF8.decodeUnsafe(changetype<usize>(sqli.fingerprint), <usize>sqli.fpLen);
}

/** libinjection_xss: is `data` XSS from any of the five HTML starting contexts? */
export function detectXSS(data: Uint8Array): bool {
  return isXss(data.dataStart, data.length);
}
