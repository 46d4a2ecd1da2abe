// Writing HTTP dates in the IMF-fixdate form (RFC 9110 §5.6.7) that Go's http.TimeFormat
// ("Mon, 02 Jan 2006 15:04:05 GMT") produces: what parseHttpDate (httpdate.ts) reads back.

import { utcParts } from "../encoding/utc";

const DAY_NAMES = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: i64, width: i32): string {
  let s = n.toString();
  while (s.length < width) s = "0" + s;
  return s;
}

/** `Sun, 06 Nov 1994 08:49:37 GMT` for seconds since the epoch (years past 9999 print in full, as Go). */
export function formatHttpDate(epochSeconds: i64): string {
  const p = utcParts(epochSeconds);
  const y = p[0], m = p[1], d = p[2];
  const days = epochSeconds >= 0 ? epochSeconds / 86400 : (epochSeconds - 86399) / 86400;
  const wd = <i32>(((days % 7) + 7) % 7);
  return DAY_NAMES[wd] + ", " + pad(d, 2) + " " + MONTH_NAMES[<i32>m - 1] + " " + pad(y, 4) + " " +
    pad(p[3], 2) + ":" + pad(p[4], 2) + ":" + pad(p[5], 2) + " GMT";
}
