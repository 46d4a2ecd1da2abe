// Benchmark module: assemblyscript-json 1.1.0 (the library Higress's AssemblyScript SDK uses).
// It parses UTF-8 bytes (Uint8Array) into a DOM and stringifies to a UTF-16 string.
import { JSON } from "assemblyscript-json/assembly";

export function parseEditSerialize(body: ArrayBuffer, iters: i32): i32 {
  let n = 0;
  for (let i = 0; i < iters; i++) {
    const o = <JSON.Obj>JSON.parse(Uint8Array.wrap(body));
    o.set("model", "qwen-max");
    n = String.UTF8.encode(o.stringify()).byteLength;
  }
  return n;
}

export function editOnce(body: ArrayBuffer): ArrayBuffer {
  const o = <JSON.Obj>JSON.parse(Uint8Array.wrap(body));
  o.set("model", "qwen-max");
  return String.UTF8.encode(o.stringify());
}
