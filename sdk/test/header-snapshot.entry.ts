// Test entry: HeaderSnapshot (sdk/api/headers.ts) over encoded header maps from Node, beside the
// reference decoder (runtime/pairs.ts decodePairs).
import { HeaderSnapshot } from "../api/headers";
import { BytesPair, decodePairs, decodeStringPairs } from "../runtime/pairs";
import { HttpCallResponse } from "../http/call";

function dump(names: Array<ArrayBuffer>, values: Array<ArrayBuffer>): ArrayBuffer {
  let size = 0;
  for (let i = 0; i < names.length; i++) size += 8 + names[i].byteLength + values[i].byteLength;
  const out = new ArrayBuffer(size);
  let o = changetype<usize>(out);
  for (let i = 0; i < names.length; i++) {
    const parts = [names[i], values[i]];
    for (let k = 0; k < 2; k++) {
      store<u32>(o, <u32>parts[k].byteLength);
      memory.copy(o + 4, changetype<usize>(parts[k]), <usize>parts[k].byteLength);
      o += 4 + <usize>parts[k].byteLength;
    }
  }
  return out;
}

function dumpPairs(pairs: Array<BytesPair>): ArrayBuffer {
  const names = new Array<ArrayBuffer>(), values = new Array<ArrayBuffer>();
  for (let i = 0; i < pairs.length; i++) { names.push(pairs[i].name); values.push(pairs[i].value); }
  return dump(names, values);
}

/** decodePairs' pairs, as u32 length + bytes, name then value. */
export function reference(encoded: ArrayBuffer): ArrayBuffer { return dumpPairs(decodePairs(encoded)); }

/** The snapshot's pairs read by index (name re-encoded from text only when it is ASCII-safe:
 *  names are compared with nameIs against the reference's bytes instead). */
export function byIndex(encoded: ArrayBuffer): ArrayBuffer {
  const s = new HeaderSnapshot(encoded);
  const ref = decodePairs(encoded);
  if (ref.length != s.count) return new ArrayBuffer(1);
  const names = new Array<ArrayBuffer>(), values = new Array<ArrayBuffer>();
  for (let i = 0; i < s.count; i++) {
    if (!s.nameIs(i, ref[i].name)) return new ArrayBuffer(2);
    if (s.valueLength(i) != ref[i].value.byteLength) return new ArrayBuffer(3);
    names.push(ref[i].name);
    values.push(s.valueBytes(i));
  }
  // out of range: no trap, nothing matches
  if (s.nameIs(-1, new ArrayBuffer(0)) || s.nameIs(s.count, new ArrayBuffer(0)) || s.valueBytes(s.count).byteLength != 0 || s.value(-1) != "") return new ArrayBuffer(4);
  return dump(names, values);
}

/** The snapshot's `pairs` (built on demand). */
export function pairsOf(encoded: ArrayBuffer): ArrayBuffer { return dumpPairs(new HeaderSnapshot(encoded).pairs); }

/** indexOf(name, from). */
export function indexOf(encoded: ArrayBuffer, name: string, from: i32): i32 { return new HeaderSnapshot(encoded).indexOf(name, from); }

/** get(name) re-encoded; a one-byte 0xff buffer stands for null. */
export function getValue(encoded: ArrayBuffer, name: string): ArrayBuffer {
  const v = new HeaderSnapshot(encoded).get(name);
  if (v === null) { const b = new ArrayBuffer(1); store<u8>(changetype<usize>(b), 0xff); return b; }
  return String.UTF8.encode(v);
}

/**
 * A callout's response (HttpCallResponse.of, what every proxy_on_http_call_response gets): its
 * header(name) before and after `headers` is decoded, and `headers` beside decodeStringPairs.
 * "ok", or what differed.
 */
export function callResponse(encoded: ArrayBuffer, name: string): string {
  const r = HttpCallResponse.of(200, new HeaderSnapshot(encoded), new ArrayBuffer(0), "");
  const before = r.header(name);
  const all = r.headers;
  const after = r.header(name);
  const want = decodeStringPairs(encoded);
  if (all.length != want.length) return "count " + all.length.toString() + " != " + want.length.toString();
  for (let i = 0; i < all.length; i++) if (all[i].name != want[i].name || all[i].value != want[i].value) return "pair " + i.toString();
  const b = before === null ? "<null>" : before!, a = after === null ? "<null>" : after!;
  if (b != a) return "header(name) " + b + " before decoding, " + a + " after";
  return "ok";
}
