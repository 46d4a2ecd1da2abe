// HTTP dates in the IMF-fixdate form (RFC 9110 §5.6.7), `Sun, 06 Nov 1994 08:49:37 GMT` — the
// only form Go's time.Parse with layout "Mon, 02 Jan 2006 15:04:05 GMT" accepts. Parsing is
// strict and returns null on anything else (it never traps).

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function num(s: string, at: i32, len: i32): i32 {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  if (m <= 2) y -= 1;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: i32, m: i32): i32 {
  if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
  return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/** Seconds since the epoch, or -1 when `s` is not an IMF-fixdate. */
export function parseHttpDate(s: string): i64 {
  // "Sun, 06 Nov 1994 08:49:37 GMT" is exactly 29 characters.
  if (s.length != 29) return -1;
  if (!DAYS.includes(s.substring(0, 3))) return -1;
  if (s.substring(3, 5) != ", " || s.charAt(7) != " " || s.charAt(11) != " " || s.charAt(16) != " ") return -1;
  if (s.charAt(19) != ":" || s.charAt(22) != ":" || s.substring(25) != " GMT") return -1;
  const day = num(s, 5, 2);
  const month = MONTHS.indexOf(s.substring(8, 11)) + 1;
  const year = num(s, 12, 4);
  const hour = num(s, 17, 2);
  const minute = num(s, 20, 2);
  const second = num(s, 23, 2);
  if (day < 1 || month < 1 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  if (day > daysInMonth(year, month)) return -1;
  return daysFromCivil(year, month, day) * 86400 + <i64>hour * 3600 + <i64>minute * 60 + <i64>second;
}
