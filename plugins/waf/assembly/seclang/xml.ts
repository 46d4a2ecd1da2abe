// The XML request body processor (ctl:requestBodyProcessor=XML): what ModSecurity's libxml2-based
// processor gives the two XPath selectors CRS uses — `XML:/*`, the root element's text content
// (every descendant text and CDATA node, concatenated, as xmlNodeGetContent gives it), and
// `XML://@*`, each attribute value. A body that is not well-formed (unbalanced or mismatched tags,
// no root element, text after it, an undefined entity, a bad character reference) is refused, as
// libxml2 refuses it: the caller sets REQBODY_ERROR. Works on the body as a byte string (one char
// per byte, see bytes.ts); a character reference above 0x7f is written as its UTF-8 bytes. No
// DTD is loaded and no entity but the five predefined ones and character references is expanded.
// Linear in the body; never traps.

export class XmlBody {
  /** The root element's text content. */
  text: string = "";
  /** Attribute values, in document order. */
  attributes: Array<string> = [];
  error: string = "";
}

// @ts-ignore: decorator
@inline function isSpace(c: i32): bool { return c == 32 || c == 9 || c == 10 || c == 13; }
// @ts-ignore: decorator
@inline function isNameChar(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c == 58 || c == 45 || c == 46 || c >= 128;
}

/** One code point as UTF-8 bytes in a byte string. */
function utf8Chars(cp: i32): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCodes([0xc0 | (cp >> 6), 0x80 | (cp & 63)]);
  if (cp < 0x10000) return String.fromCharCodes([0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]);
  return String.fromCharCodes([0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]);
}

class Reader {
  pos: i32 = 0;
  error: string = "";
  constructor(public s: string) {}

  /** Text between `from` and `to` with entity and character references expanded; sets `error` on a bad one. */
  decode(from: i32, to: i32): string {
    const s = this.s;
    let amp = s.indexOf("&", from);
    if (amp < 0 || amp >= to) return s.substring(from, to);
    const parts = new Array<string>();
    let start = from;
    while (amp >= 0 && amp < to) {
      parts.push(s.substring(start, amp));
      const semi = s.indexOf(";", amp + 1);
      if (semi < 0 || semi >= to || semi - amp > 12) { this.error = "EntityRef: expecting ';'"; return ""; }
      const name = s.substring(amp + 1, semi);
      if (name == "lt") parts.push("<");
      else if (name == "gt") parts.push(">");
      else if (name == "amp") parts.push("&");
      else if (name == "quot") parts.push("\"");
      else if (name == "apos") parts.push("'");
      else if (name.startsWith("#")) {
        const hex = name.startsWith("#x");
        const digits = name.substring(hex ? 2 : 1);
        let cp = 0;
        if (digits.length == 0) { this.error = "invalid character reference"; return ""; }
        for (let i = 0; i < digits.length; i++) {
          const c = digits.charCodeAt(i);
          let v = -1;
          if (c >= 48 && c <= 57) v = c - 48;
          else if (hex && c >= 97 && c <= 102) v = c - 87;
          else if (hex && c >= 65 && c <= 70) v = c - 55;
          if (v < 0) { this.error = "invalid character reference"; return ""; }
          cp = cp * (hex ? 16 : 10) + v;
          if (cp > 0x10ffff) { this.error = "invalid character reference"; return ""; }
        }
        if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) { this.error = "invalid character reference"; return ""; }
        parts.push(utf8Chars(cp));
      } else { this.error = "Entity '" + name + "' not defined"; return ""; }
      start = semi + 1;
      amp = s.indexOf("&", start);
    }
    parts.push(s.substring(start, to));
    return parts.join("");
  }
}

/** Parses `body` (a byte string). `limit` bounds the attributes kept (ModSecurity's argument limit). */
export function parseXmlBody(body: string, limit: i32): XmlBody {
  const out = new XmlBody();
  const r = new Reader(body);
  const s = body;
  const n = s.length;
  const stack = new Array<string>();
  const text = new Array<string>();
  let rootSeen = false;
  let rootClosed = false;
  let p = 0;
  while (p < n) {
    const lt = s.indexOf("<", p);
    const end = lt < 0 ? n : lt;
    if (end > p) {
      // Character data: inside the root it is content; outside only white space may appear.
      if (stack.length > 0) {
        const t = r.decode(p, end);
        if (r.error.length > 0) { out.error = r.error; return out; }
        text.push(t);
      } else {
        for (let i = p; i < end; i++) if (!isSpace(s.charCodeAt(i))) { out.error = rootClosed ? "Extra content at the end of the document" : "Start tag expected, '<' not found"; return out; }
      }
    }
    if (lt < 0) break;
    if (s.startsWith("<?", lt)) {
      const q = s.indexOf("?>", lt + 2);
      if (q < 0) { out.error = "processing instruction not terminated"; return out; }
      p = q + 2;
    } else if (s.startsWith("<!--", lt)) {
      const q = s.indexOf("-->", lt + 4);
      if (q < 0) { out.error = "Comment not terminated"; return out; }
      p = q + 3;
    } else if (s.startsWith("<![CDATA[", lt)) {
      if (stack.length == 0) { out.error = "CDATA outside the root element"; return out; }
      const q = s.indexOf("]]>", lt + 9);
      if (q < 0) { out.error = "CData section not finished"; return out; }
      text.push(s.substring(lt + 9, q));
      p = q + 3;
    } else if (s.startsWith("<!DOCTYPE", lt)) {
      if (rootSeen) { out.error = "DOCTYPE after the root element"; return out; }
      // Skip it, internal subset included; nothing in it is expanded.
      let q = lt + 9, depth = 0;
      while (q < n) {
        const c = s.charCodeAt(q);
        if (c == 91) depth++;
        else if (c == 93) depth--;
        else if (c == 62 && depth <= 0) break;
        q++;
      }
      if (q >= n) { out.error = "DOCTYPE not terminated"; return out; }
      p = q + 1;
    } else if (s.startsWith("</", lt)) {
      let q = lt + 2;
      while (q < n && isNameChar(s.charCodeAt(q))) q++;
      const name = s.substring(lt + 2, q);
      while (q < n && isSpace(s.charCodeAt(q))) q++;
      if (q >= n || s.charCodeAt(q) != 62) { out.error = "expected '>'"; return out; }
      if (stack.length == 0 || stack[stack.length - 1] != name) { out.error = "Opening and ending tag mismatch: " + name; return out; }
      stack.pop();
      if (stack.length == 0) rootClosed = true;
      p = q + 1;
    } else {
      // A start tag: name, attributes, then '>' or '/>'.
      let q = lt + 1;
      while (q < n && isNameChar(s.charCodeAt(q))) q++;
      if (q == lt + 1) { out.error = "StartTag: invalid element name"; return out; }
      if (rootClosed) { out.error = "Extra content at the end of the document"; return out; }
      const name = s.substring(lt + 1, q);
      let selfClosing = false;
      while (true) {
        while (q < n && isSpace(s.charCodeAt(q))) q++;
        if (q >= n) { out.error = "Couldn't find end of Start Tag " + name; return out; }
        const c = s.charCodeAt(q);
        if (c == 62) { q++; break; }
        if (c == 47) {
          if (q + 1 < n && s.charCodeAt(q + 1) == 62) { selfClosing = true; q += 2; break; }
          out.error = "Couldn't find end of Start Tag " + name; return out;
        }
        const an = q;
        while (q < n && isNameChar(s.charCodeAt(q))) q++;
        if (q == an) { out.error = "error parsing attribute name"; return out; }
        while (q < n && isSpace(s.charCodeAt(q))) q++;
        if (q >= n || s.charCodeAt(q) != 61) { out.error = "Specification mandates value for attribute " + s.substring(an, q); return out; }
        q++;
        while (q < n && isSpace(s.charCodeAt(q))) q++;
        if (q >= n) { out.error = "AttValue: \" or ' expected"; return out; }
        const quote = s.charCodeAt(q);
        if (quote != 34 && quote != 39) { out.error = "AttValue: \" or ' expected"; return out; }
        const close = s.indexOf(String.fromCharCode(quote), q + 1);
        if (close < 0) { out.error = "AttValue: ' expected"; return out; }
        const lt2 = s.indexOf("<", q + 1);
        if (lt2 >= 0 && lt2 < close) { out.error = "Unescaped '<' not allowed in attributes values"; return out; }
        const v = r.decode(q + 1, close);
        if (r.error.length > 0) { out.error = r.error; return out; }
        if (out.attributes.length < limit) out.attributes.push(v);
        q = close + 1;
      }
      rootSeen = true;
      if (!selfClosing) stack.push(name);
      else if (stack.length == 0) rootClosed = true;
      p = q;
    }
  }
  if (!rootSeen) { out.error = "Document is empty"; return out; }
  if (stack.length > 0) { out.error = "Premature end of data in tag " + stack[stack.length - 1]; return out; }
  out.text = text.join("");
  return out;
}
