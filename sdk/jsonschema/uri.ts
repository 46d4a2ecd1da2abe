// RFC 3986 reference resolution (section 5.2), enough for `$id` and `$ref`: never traps.

class UriParts {
  scheme: string | null = null;
  authority: string | null = null;
  path: string = "";
  query: string | null = null;
  fragment: string | null = null;
}

function parse(s: string): UriParts {
  const u = new UriParts();
  let rest = s;
  const hash = rest.indexOf("#");
  if (hash >= 0) { u.fragment = rest.substring(hash + 1); rest = rest.substring(0, hash); }
  const q = rest.indexOf("?");
  if (q >= 0) { u.query = rest.substring(q + 1); rest = rest.substring(0, q); }
  // A scheme: letters first, then letters, digits, + - . up to the first ':' (before any '/').
  const colon = rest.indexOf(":");
  const slash = rest.indexOf("/");
  if (colon > 0 && (slash < 0 || colon < slash)) {
    let ok = true;
    for (let i = 0; i < colon; i++) {
      const c = rest.charCodeAt(i);
      const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
      if (!(alpha || (i > 0 && ((c >= 0x30 && c <= 0x39) || c == 0x2b || c == 0x2d || c == 0x2e)))) { ok = false; break; }
    }
    if (ok) { u.scheme = rest.substring(0, colon); rest = rest.substring(colon + 1); }
  }
  if (rest.startsWith("//")) {
    const end = rest.indexOf("/", 2);
    if (end < 0) { u.authority = rest.substring(2); rest = ""; }
    else { u.authority = rest.substring(2, end); rest = rest.substring(end); }
  }
  u.path = rest;
  return u;
}

function removeDots(path: string): string {
  if (path.indexOf(".") < 0) return path;
  const input = path.split("/");
  const out = new Array<string>();
  for (let i = 0; i < input.length; i++) {
    const seg = input[i];
    if (seg == ".") { if (i == input.length - 1) out.push(""); continue; }
    if (seg == "..") {
      if (out.length > 1 || (out.length == 1 && out[0] != "")) out.pop();
      if (i == input.length - 1) out.push("");
      continue;
    }
    out.push(seg);
  }
  let r = out.join("/");
  if (path.startsWith("/") && !r.startsWith("/")) r = "/" + r;
  return r;
}

function merge(base: UriParts, ref: string): string {
  if (base.authority !== null && base.path.length == 0) return "/" + ref;
  const slash = base.path.lastIndexOf("/");
  return slash < 0 ? ref : base.path.substring(0, slash + 1) + ref;
}

function build(u: UriParts): string {
  let s = "";
  if (u.scheme !== null) s += u.scheme! + ":";
  if (u.authority !== null) s += "//" + u.authority!;
  s += u.path;
  if (u.query !== null) s += "?" + u.query!;
  if (u.fragment !== null) s += "#" + u.fragment!;
  return s;
}

/** `ref` resolved against `base` (either may be relative; "" is an empty base). */
export function resolveUri(base: string, ref: string): string {
  const r = parse(ref);
  const b = parse(base);
  const t = new UriParts();
  if (r.scheme !== null) {
    t.scheme = r.scheme; t.authority = r.authority; t.path = removeDots(r.path); t.query = r.query;
  } else {
    if (r.authority !== null) {
      t.authority = r.authority; t.path = removeDots(r.path); t.query = r.query;
    } else {
      if (r.path.length == 0) {
        t.path = b.path;
        t.query = r.query !== null ? r.query : b.query;
      } else {
        t.path = r.path.startsWith("/") ? removeDots(r.path) : removeDots(merge(b, r.path));
        t.query = r.query;
      }
      t.authority = b.authority;
    }
    t.scheme = b.scheme;
  }
  t.fragment = r.fragment;
  return build(t);
}

/** The URI without its fragment, and the fragment ("" when none). */
export function splitFragment(uri: string): Array<string> {
  const h = uri.indexOf("#");
  return h < 0 ? [uri, ""] : [uri.substring(0, h), uri.substring(h + 1)];
}
