// UTC calendar texts of a Unix time, as request signers write them (AWS SigV4, Tencent TC3,
// Aliyun ACS3). No time-zone database: the civil date comes from Howard Hinnant's days-from-civil
// inverse, exact for every i64 second count a request can carry.

function pad2(n: i64): string { return n < 10 ? "0" + n.toString() : n.toString(); }

/** [year, month, day, hour, minute, second] (UTC) of a Unix time in seconds. */
export function utcParts(secs: i64): Array<i64> {
  const days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const rem = secs - days * 86400;
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60];
}

/** YYYY-MM-DD */
export function isoDate(secs: i64): string {
  const p = utcParts(secs);
  return p[0].toString() + "-" + pad2(p[1]) + "-" + pad2(p[2]);
}

/** YYYYMMDD'T'HHMMSS'Z' (ISO 8601 basic format; AWS's x-amz-date). */
export function isoBasicDateTime(secs: i64): string {
  const p = utcParts(secs);
  return p[0].toString() + pad2(p[1]) + pad2(p[2]) + "T" + pad2(p[3]) + pad2(p[4]) + pad2(p[5]) + "Z";
}

/** RFC 3339 UTC without fractions ("2006-01-02T15:04:05Z"), Go's time.RFC3339 of a UTC time. */
export function rfc3339(secs: i64): string {
  const p = utcParts(secs);
  return p[0].toString() + "-" + pad2(p[1]) + "-" + pad2(p[2]) + "T" + pad2(p[3]) + ":" + pad2(p[4]) + ":" + pad2(p[5]) + "Z";
}
