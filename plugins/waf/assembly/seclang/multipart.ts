// The MULTIPART request body processor: form fields → ARGS_POST, file parts → FILES (field →
// file name), FILES_NAMES, FILES_SIZES, each part's header lines → MULTIPART_PART_HEADERS.
// A body it cannot read sets MULTIPART_STRICT_ERROR / REQBODY_ERROR instead of trapping.
import { KV, TxData } from "./variables";
import { lowerAscii } from "./bytes";

/** The boundary parameter of a multipart Content-Type ("" when there is none). */
export function boundaryOf(contentType: string): string {
  const l = lowerAscii(contentType);
  const i = l.indexOf("boundary=");
  if (i < 0) return "";
  let b = contentType.substring(i + 9);
  const semi = b.indexOf(";");
  if (semi >= 0) b = b.substring(0, semi);
  b = b.trim();
  if (b.length >= 2 && b.startsWith("\"") && b.endsWith("\"")) b = b.substring(1, b.length - 1);
  return b;
}

/** A parameter of Content-Disposition (`name`, `filename`); null when absent. */
function param(header: string, name: string): string | null {
  const l = lowerAscii(header);
  let from = 0;
  while (true) {
    const i = l.indexOf(name + "=", from);
    if (i < 0) return null;
    const prev = i == 0 ? 59 : l.charCodeAt(i - 1);
    if (prev != 59 && prev != 32 && prev != 9) { from = i + 1; continue; }
    let v = header.substring(i + name.length + 1);
    if (v.startsWith("\"")) {
      const end = v.indexOf("\"", 1);
      return end < 0 ? v.substring(1) : v.substring(1, end);
    }
    const semi = v.indexOf(";");
    return (semi < 0 ? v : v.substring(0, semi)).trim();
  }
}

/** Parses `body`; false when it is not a well-formed multipart body (the variables set so far stay). */
export function parseMultipart(body: string, contentType: string, d: TxData, limit: i32): bool {
  const boundary = boundaryOf(contentType);
  d.scalars.set("MULTIPART_BOUNDARY_QUOTED", contentType.indexOf("boundary=\"") >= 0 ? "1" : "0");
  if (boundary.length == 0) return false;
  const delim = "--" + boundary;
  let pos = body.indexOf(delim);
  if (pos < 0) return false;
  d.scalars.set("MULTIPART_DATA_BEFORE", pos > 0 ? "1" : "0");
  let combined = 0;
  let lfOnly = false;
  while (true) {
    pos += delim.length;
    if (body.substr(pos, 2) == "--") { // the closing delimiter
      d.scalars.set("MULTIPART_DATA_AFTER", body.length - (pos + 2) > 2 ? "1" : "0");
      break;
    }
    // Past the delimiter line.
    const eol = body.indexOf("\n", pos);
    if (eol < 0) { d.scalars.set("MULTIPART_UNMATCHED_BOUNDARY", "1"); return false; }
    pos = eol + 1;
    // Header lines up to an empty line.
    const headers = new Array<string>();
    while (true) {
      const e = body.indexOf("\n", pos);
      if (e < 0) return false;
      let line = body.substring(pos, e);
      if (line.endsWith("\r")) line = line.substring(0, line.length - 1); else lfOnly = true;
      pos = e + 1;
      if (line.length == 0) break;
      headers.push(line);
    }
    const next = body.indexOf("\n" + delim, pos);
    if (next < 0) { d.scalars.set("MULTIPART_UNMATCHED_BOUNDARY", "1"); return false; }
    let end = next;
    if (end > pos && body.charCodeAt(end - 1) == 13) end--;
    const content = body.substring(pos, end);
    let name = "";
    let filename: string | null = null;
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i];
      if (lowerAscii(h).startsWith("content-disposition:")) {
        const n = param(h, "name");
        if (n !== null) name = n;
        filename = param(h, "filename");
      }
    }
    for (let i = 0; i < headers.length; i++) d.multipartHeaders.push(new KV(name, headers[i]));
    if (filename !== null) {
      d.files.push(new KV(name, filename));
      d.filesSizes.push(new KV(name, content.length.toString()));
      combined += content.length;
    } else if (d.argsPost.length < limit) d.argsPost.push(new KV(name, content));
    pos = next + 1;
  }
  d.scalars.set("FILES_COMBINED_SIZE", combined.toString());
  d.scalars.set("MULTIPART_LF_LINE", lfOnly ? "1" : "0");
  return true;
}
