// Test entry: the byte-level credential helpers (sdk/auth/credential.ts, findSecret) for Node.
import { utf8Strict, queryParamsBytes } from "../auth/credential";
import { findSecret } from "../auth/consumer";

/** 1 when `b` is well-formed UTF-8 (utf8Strict gives text), else 0. */
export function strictOk(b: ArrayBuffer): i32 { return utf8Strict(b) === null ? 0 : 1; }

/** utf8Strict's text, re-encoded (so Node can compare bytes); empty when null. */
export function strictRoundTrip(b: ArrayBuffer): ArrayBuffer {
  const s = utf8Strict(b);
  return s === null ? new ArrayBuffer(0) : String.UTF8.encode(s);
}

/** The query's pairs as u32 length + name bytes, u32 length + value bytes, one after another. */
export function queryPairs(path: ArrayBuffer): ArrayBuffer {
  const pairs = queryParamsBytes(path);
  let size = 0;
  for (let i = 0; i < pairs.length; i++) size += 8 + pairs[i].name.byteLength + pairs[i].value.byteLength;
  const out = new ArrayBuffer(size);
  let o = changetype<usize>(out);
  for (let i = 0; i < pairs.length; i++) {
    const parts = [pairs[i].name, pairs[i].value];
    for (let k = 0; k < 2; k++) {
      store<u32>(o, <u32>parts[k].byteLength);
      memory.copy(o + 4, changetype<usize>(parts[k]), <usize>parts[k].byteLength);
      o += 4 + <usize>parts[k].byteLength;
    }
  }
  return out;
}

const SECRETS: Array<ArrayBuffer> = [String.UTF8.encode("alice-key"), String.UTF8.encode("dävé-key"), String.UTF8.encode("")];

/** findSecret over the secrets above ("alice-key", "dävé-key", ""). */
export function secretIndex(candidate: ArrayBuffer): i32 { return findSecret(SECRETS, candidate); }
