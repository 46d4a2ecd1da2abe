// Benchmark module: Sluice JSON. Body bytes in, body bytes out, as a gateway sees them.
import { parseJsonBytes } from "../../../sdk/json/parse";
import { setTopLevelString, readTopLevelString } from "../../../sdk/json/edit";
import { isValidJson } from "../../../sdk/json/scan";

/** parse → set model → serialise, `iters` times; returns the last output length. */
export function parseEditSerialize(body: ArrayBuffer, iters: i32): i32 {
  let n = 0;
  for (let i = 0; i < iters; i++) {
    const r = parseJsonBytes(body);
    if (!r.ok) return -1;
    const o = r.value!.asObject();
    if (o === null) return -1;
    o.setString("model", "qwen-max");
    n = r.value!.toBytes().byteLength;
  }
  return n;
}

export function parseOnly(body: ArrayBuffer, iters: i32): i32 {
  let n = 0;
  for (let i = 0; i < iters; i++) {
    const r = parseJsonBytes(body);
    if (!r.ok) return -1;
    n += r.value!.length;
  }
  return n;
}

/** In place: validate + replace `model` without building a tree. */
export function inPlaceModel(body: ArrayBuffer, iters: i32): i32 {
  let n = 0;
  for (let i = 0; i < iters; i++) {
    const out = setTopLevelString(body, "model", "qwen-max");
    if (out === null) return -1;
    n = out.byteLength;
  }
  return n;
}

export function readModel(body: ArrayBuffer, iters: i32): i32 {
  let n = 0;
  for (let i = 0; i < iters; i++) {
    const m = readTopLevelString(body, "model");
    if (m === null) return -1;
    n += m.length;
  }
  return n;
}

export function validateOnly(body: ArrayBuffer, iters: i32): i32 {
  let n = 0;
  for (let i = 0; i < iters; i++) if (isValidJson(changetype<usize>(body), body.byteLength)) n++;
  return n;
}

/** One edit, for checking the output. */
export function editOnce(body: ArrayBuffer): ArrayBuffer | null {
  const r = parseJsonBytes(body);
  if (!r.ok) return null;
  const o = r.value!.asObject();
  if (o === null) return null;
  o.setString("model", "qwen-max");
  return r.value!.toBytes();
}
export function inPlaceOnce(body: ArrayBuffer): ArrayBuffer | null { return setTopLevelString(body, "model", "qwen-max"); }
