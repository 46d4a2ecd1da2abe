// Just enough multipart/form-data (RFC 7578) to find a named field's bytes in a buffered body
// (model-router's model field; form fields of other body rewrites): the body is scanned on
// bytes, never copied or decoded, and anything malformed gives null, never a trap.

/** One part whose Content-Disposition is `form-data` with the wanted name: its content's byte span. */
export class FieldSpan {
  constructor(public start: i32, public end: i32) {}
}

/** The boundary parameter of a multipart Content-Type (quoted or a token); null when absent. */
export function multipartBoundary(contentType: string): string | null {
  const params = contentType.split(";");
  for (let i = 1; i < params.length; i++) {
    const p = params[i].trim();
    const eq = p.indexOf("=");
    if (eq <= 0 || p.substring(0, eq).trim().toLowerCase() != "boundary") continue;
    const v = unquote(p.substring(eq + 1).trim());
    return v.length > 0 && v.length <= 70 ? v : null; // RFC 2046: 1 to 70 characters
  }
  return null;
}

function unquote(v: string): string {
  if (v.length < 2 || v.charCodeAt(0) != 0x22) return v;
  let out = "";
  for (let i = 1; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c == 0x22) break;
    if (c == 0x5c && i + 1 < v.length) i++;
    out += v.charAt(i);
  }
  return out;
}

function indexOfBytes(base: usize, len: i32, from: i32, needle: ArrayBuffer): i32 {
  const n = needle.byteLength;
  const np = changetype<usize>(needle);
  const first = load<u8>(np);
  for (let i = from; i + n <= len; i++) {
    if (load<u8>(base + <usize>i) == first && memory.compare(base + <usize>i, np, <usize>n) == 0) return i;
  }
  return -1;
}

/** After `--boundary`: a delimiter is followed by `--`, CR, space or tab; anything else is content. */
function endsDelimiter(base: usize, len: i32, at: i32): bool {
  if (at >= len) return false;
  const c = load<u8>(base + <usize>at);
  return c == 0x2d || c == 0x0d || c == 0x20 || c == 0x09;
}

/**
 * The content spans of every form-data part named `name`, in body order; null when the body is
 * not well-formed multipart with this boundary (no first delimiter, a part without its header
 * block, or no closing `--boundary--`).
 */
export function findFormFields(body: ArrayBuffer, boundary: string, name: string): Array<FieldSpan> | null {
  const base = changetype<usize>(body);
  const len = body.byteLength;
  const dash = String.UTF8.encode("--" + boundary);
  const crlfDash = String.UTF8.encode("\r\n--" + boundary);
  const dlen = dash.byteLength;
  let pos: i32;
  if (len >= dlen && memory.compare(base, changetype<usize>(dash), <usize>dlen) == 0 && endsDelimiter(base, len, dlen)) pos = 0;
  else {
    pos = -1;
    let from = 0;
    while (true) {
      const i = indexOfBytes(base, len, from, crlfDash);
      if (i < 0) return null;
      if (endsDelimiter(base, len, i + 2 + dlen)) { pos = i + 2; break; }
      from = i + 1;
    }
  }
  const out = new Array<FieldSpan>();
  while (true) {
    let at = pos + dlen;
    if (at + 1 < len && load<u8>(base + <usize>at) == 0x2d && load<u8>(base + <usize>at + 1) == 0x2d) return out;
    while (at < len && (load<u8>(base + <usize>at) == 0x20 || load<u8>(base + <usize>at) == 0x09)) at++;
    if (at + 1 >= len || load<u8>(base + <usize>at) != 0x0d || load<u8>(base + <usize>at + 1) != 0x0a) return null;
    const headersStart = at + 2;
    let headersEnd: i32;
    let contentStart: i32;
    if (headersStart + 1 < len && load<u8>(base + <usize>headersStart) == 0x0d && load<u8>(base + <usize>headersStart + 1) == 0x0a) {
      headersEnd = headersStart;
      contentStart = headersStart + 2;
    } else {
      const blank = indexOfBytes(base, len, headersStart, String.UTF8.encode("\r\n\r\n"));
      if (blank < 0) return null;
      headersEnd = blank;
      contentStart = blank + 4;
    }
    let next = -1;
    let from = contentStart;
    while (true) {
      const i = indexOfBytes(base, len, from, crlfDash);
      if (i < 0) return null;
      if (endsDelimiter(base, len, i + 2 + dlen)) { next = i; break; }
      from = i + 1;
    }
    if (formName(String.UTF8.decodeUnsafe(base + <usize>headersStart, <usize>(headersEnd - headersStart))) == name) out.push(new FieldSpan(contentStart, next));
    pos = next + 2;
  }
}

/** The `name` of a `Content-Disposition: form-data` header among a part's headers; "" otherwise. */
function formName(headers: string): string {
  const lines = headers.split("\r\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon <= 0 || line.substring(0, colon).trim().toLowerCase() != "content-disposition") continue;
    const params = line.substring(colon + 1).split(";");
    if (params[0].trim().toLowerCase() != "form-data") return "";
    for (let j = 1; j < params.length; j++) {
      const p = params[j].trim();
      const eq = p.indexOf("=");
      if (eq > 0 && p.substring(0, eq).trim().toLowerCase() == "name") return unquote(p.substring(eq + 1).trim());
    }
    return "";
  }
  return "";
}
