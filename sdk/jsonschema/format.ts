// `format` checks, used when a schema is compiled with assertFormat (Higress's validator,
// santhosh-tekuri/jsonschema v1, asserts the formats it knows; unknown formats pass). Each
// checker takes the string and never traps.
import { parseIp } from "../net/ip";
import { Regex } from "../regex";

function digits(s: string, at: i32, n: i32): i32 {
  if (at + n > s.length) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>s.charCodeAt(at + i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function daysIn(year: i32, month: i32): i32 {
  if (month == 2) return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
  if (month == 4 || month == 6 || month == 9 || month == 11) return 30;
  return 31;
}

/** RFC 3339 full-date: YYYY-MM-DD with a real day of the month. */
export function isDate(s: string): bool {
  if (s.length != 10 || s.charCodeAt(4) != 0x2d || s.charCodeAt(7) != 0x2d) return false;
  const y = digits(s, 0, 4), m = digits(s, 5, 2), d = digits(s, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysIn(y, m);
}

/** RFC 3339 full-time: HH:MM:SS[.frac](Z|±HH:MM). A leap second (:60) only at 23:59 UTC. */
export function isTime(s: string): bool {
  if (s.length < 9 || s.charCodeAt(2) != 0x3a || s.charCodeAt(5) != 0x3a) return false;
  const h = digits(s, 0, 2), mi = digits(s, 3, 2), sec = digits(s, 6, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return false;
  let i = 8;
  if (i < s.length && s.charCodeAt(i) == 0x2e) {
    i++;
    const start = i;
    while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    if (i == start) return false;
  }
  if (i >= s.length) return false;
  const z = s.charCodeAt(i);
  let offMin = 0;
  if (z == 0x5a || z == 0x7a) {
    if (i + 1 != s.length) return false;
  } else if (z == 0x2b || z == 0x2d) {
    if (i + 6 != s.length || s.charCodeAt(i + 3) != 0x3a) return false;
    const oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
    offMin = (oh * 60 + om) * (z == 0x2b ? 1 : -1);
  } else return false;
  if (sec == 60) {
    // 23:59:60 in UTC: the local time minus the offset.
    let utc = (h * 60 + mi - offMin) % 1440;
    if (utc < 0) utc += 1440;
    return utc == 23 * 60 + 59;
  }
  return true;
}

/** RFC 3339 date-time: full-date "T" full-time (t accepted in either case). */
export function isDateTime(s: string): bool {
  if (s.length < 20) return false;
  const t = s.charCodeAt(10);
  if (t != 0x54 && t != 0x74) return false;
  return isDate(s.substring(0, 10)) && isTime(s.substring(11));
}

/** RFC 1123 host name: dot-separated labels of 1–63 letters, digits and hyphens, 253 at most. */
export function isHostname(s: string): bool {
  let h = s;
  if (h.endsWith(".")) h = h.substring(0, h.length - 1);
  if (h.length == 0 || h.length > 253) return false;
  const labels = h.split(".");
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l.length == 0 || l.length > 63) return false;
    if (l.charCodeAt(0) == 0x2d || l.charCodeAt(l.length - 1) == 0x2d) return false;
    for (let j = 0; j < l.length; j++) {
      const c = l.charCodeAt(j);
      const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d;
      if (!ok) return false;
    }
  }
  return true;
}

export function isIpv4(s: string): bool {
  if (s.indexOf(":") >= 0) return false;
  return parseIp(s) !== null;
}

export function isIpv6(s: string): bool {
  if (s.indexOf(":") < 0 || s.indexOf("%") >= 0) return false;
  return parseIp(s) !== null;
}

/** addr-spec: a local part (dot-atom or quoted) "@" a host name or a bracketed IP literal. */
export function isEmail(s: string): bool {
  const at = s.lastIndexOf("@");
  if (at <= 0 || at == s.length - 1) return false;
  const local = s.substring(0, at);
  const domain = s.substring(at + 1);
  if (local.length > 64) return false;
  if (local.startsWith("\"")) {
    if (local.length < 2 || !local.endsWith("\"")) return false;
  } else {
    if (local.startsWith(".") || local.endsWith(".") || local.indexOf("..") >= 0) return false;
    for (let i = 0; i < local.length; i++) {
      const c = local.charCodeAt(i);
      const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || "!#$%&'*+-/=?^_`{|}~.".indexOf(String.fromCharCode(c)) >= 0;
      if (!ok) return false;
    }
  }
  if (domain.startsWith("[")) {
    if (!domain.endsWith("]")) return false;
    const lit = domain.substring(1, domain.length - 1);
    if (lit.startsWith("IPv6:")) return isIpv6(lit.substring(5));
    return isIpv4(lit);
  }
  return isHostname(domain);
}

function isHex(c: i32): bool { return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46); }

/** Characters RFC 3986 allows in a URI reference (unreserved, reserved, and %XX escapes). */
function uriChars(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x25) {
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || "-._~:/?#[]@!$&'()*+,;=".indexOf(String.fromCharCode(c)) >= 0;
    if (!ok) return false;
  }
  return true;
}

function schemeEnd(s: string): i32 {
  const colon = s.indexOf(":");
  if (colon <= 0) return -1;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 0x61 && c0 <= 0x7a) || (c0 >= 0x41 && c0 <= 0x5a))) return -1;
  for (let i = 1; i < colon; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2b || c == 0x2d || c == 0x2e;
    if (!ok) return -1;
  }
  return colon;
}

/** The authority after "//" must be userinfo@host:port with a bracketed IPv6 if any. */
function authorityOk(s: string, from: i32): bool {
  if (!(s.length >= from + 2 && s.charCodeAt(from) == 0x2f && s.charCodeAt(from + 1) == 0x2f)) return true;
  let end = s.length;
  for (let i = from + 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x2f || c == 0x3f || c == 0x23) { end = i; break; }
  }
  let auth = s.substring(from + 2, end);
  const at = auth.lastIndexOf("@");
  if (at >= 0) auth = auth.substring(at + 1);
  if (auth.startsWith("[")) {
    const close = auth.indexOf("]");
    if (close < 0) return false;
    const rest = auth.substring(close + 1);
    if (rest.length > 0 && !rest.startsWith(":")) return false;
    return true;
  }
  if (auth.indexOf("[") >= 0 || auth.indexOf("]") >= 0) return false;
  const colon = auth.indexOf(":");
  if (colon >= 0) {
    const port = auth.substring(colon + 1);
    for (let i = 0; i < port.length; i++) { const c = port.charCodeAt(i); if (c < 0x30 || c > 0x39) return false; }
  }
  return true;
}

export function isUri(s: string): bool {
  const e = schemeEnd(s);
  if (e < 0) return false;
  return uriChars(s) && authorityOk(s, e + 1);
}

export function isUriReference(s: string): bool {
  if (!uriChars(s)) return false;
  const e = schemeEnd(s);
  return authorityOk(s, e < 0 ? 0 : e + 1);
}

export function isUriTemplate(s: string): bool {
  let open = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x7b) { if (open) return false; open = true; }
    else if (c == 0x7d) { if (!open) return false; open = false; }
  }
  return !open;
}

export function isJsonPointer(s: string): bool {
  if (s.length == 0) return true;
  if (s.charCodeAt(0) != 0x2f) return false;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) == 0x7e) {
      if (i + 1 >= s.length) return false;
      const n = s.charCodeAt(i + 1);
      if (n != 0x30 && n != 0x31) return false;
    }
  }
  return true;
}

export function isRelativeJsonPointer(s: string): bool {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i == 0) return false;
  if (i > 1 && s.charCodeAt(0) == 0x30) return false;
  const rest = s.substring(i);
  return rest == "#" || isJsonPointer(rest);
}

export function isRegex(s: string): bool { return Regex.compile(s).ok; }

/** The formats asserted: 0 for a format this validator does not know (it then passes). */
export function formatId(name: string): i32 {
  if (name == "date-time") return 1;
  if (name == "date") return 2;
  if (name == "time") return 3;
  if (name == "hostname") return 4;
  if (name == "email") return 5;
  if (name == "ipv4") return 6;
  if (name == "ipv6") return 7;
  if (name == "uri") return 8;
  if (name == "uri-reference") return 9;
  if (name == "uri-template") return 10;
  if (name == "json-pointer") return 11;
  if (name == "relative-json-pointer") return 12;
  if (name == "regex") return 13;
  return 0;
}

export function checkFormat(id: i32, s: string): bool {
  switch (id) {
    case 1: return isDateTime(s);
    case 2: return isDate(s);
    case 3: return isTime(s);
    case 4: return isHostname(s);
    case 5: return isEmail(s);
    case 6: return isIpv4(s);
    case 7: return isIpv6(s);
    case 8: return isUri(s);
    case 9: return isUriReference(s);
    case 10: return isUriTemplate(s);
    case 11: return isJsonPointer(s);
    case 12: return isRelativeJsonPointer(s);
    case 13: return isRegex(s);
    default: return true;
  }
}
