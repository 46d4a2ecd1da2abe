// Writing HTTP dates in the IMF-fixdate form (RFC 9110 §5.6.7) that Go's http.TimeFormat
// ("Mon, 02 Jan 2006 15:04:05 GMT") produces: what parseHttpDate (httpdate.ts) reads back.

const DAY_NAMES = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // 1970-01-01 was a Thursday
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: i64, width: i32): string {
  let s = n.toString();
  while (s.length < width) s = "0" + s;
  return s;
}

/** `Sun, 06 Nov 1994 08:49:37 GMT` for seconds since the epoch (years past 9999 print in full, as Go). */
export function formatHttpDate(epochSeconds: i64): string {
  let days = epochSeconds / 86400;
  let secs = epochSeconds % 86400;
  if (secs < 0) { secs += 86400; days -= 1; }
  // Howard Hinnant's civil_from_days.
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const wd = <i32>(((days % 7) + 7) % 7);
  return DAY_NAMES[wd] + ", " + pad(d, 2) + " " + MONTH_NAMES[<i32>m - 1] + " " + pad(y, 4) + " " +
    pad(secs / 3600, 2) + ":" + pad((secs % 3600) / 60, 2) + ":" + pad(secs % 60, 2) + " GMT";
}
