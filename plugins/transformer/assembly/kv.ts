// Key → values maps (headers, query parameters, form bodies) and the seven operations on them, as
// Higress's kvHandler applies them: rule by rule in the configured order, each rule's items in order.
import { log } from "@sluice/sdk";
import { Item, Op, Rule, Side, Strategy, Target } from "./config";
import { jsonGet, gjsonString } from "./json-body";

/** An ordered multimap (a hash index keeps a long query string linear). */
export class KV {
  keys: Array<string> = [];
  vals: Array<Array<string>> = [];
  private index: Map<string, i32> = new Map<string, i32>();

  indexOf(key: string): i32 {
    return this.index.has(key) ? this.index.get(key) : -1;
  }
  private push(key: string, values: Array<string>): void {
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.vals.push(values);
  }
  has(key: string): bool { return this.indexOf(key) >= 0; }
  get(key: string): Array<string> | null {
    const i = this.indexOf(key);
    return i < 0 ? null : unchecked(this.vals[i]);
  }
  set(key: string, values: Array<string>): void {
    const i = this.indexOf(key);
    if (i >= 0) { unchecked(this.vals[i] = values); return; }
    this.push(key, values);
  }
  add(key: string, value: string): void {
    const i = this.indexOf(key);
    if (i >= 0) unchecked(this.vals[i]).push(value);
    else this.push(key, [value]);
  }
  delete(key: string): void {
    const i = this.indexOf(key);
    if (i < 0) return;
    this.keys.splice(i, 1);
    this.vals.splice(i, 1);
    this.index.delete(key);
    for (let j = i; j < this.keys.length; j++) this.index.set(unchecked(this.keys[j]), j);
  }
  clone(): KV {
    const c = new KV();
    for (let i = 0; i < this.keys.length; i++) c.push(this.keys[i], this.vals[i].slice(0));
    return c;
  }
  /** Keys with at least one value, sorted (Go's url.Values.Encode order). */
  sortedKeys(): Array<string> {
    const out = new Array<string>();
    for (let i = 0; i < this.keys.length; i++) if (this.vals[i].length > 0) out.push(this.keys[i]);
    out.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
    return out;
  }
}

/** What a map operation may read from: the request's (or response's) headers, query, body. */
export class Sources {
  headers: KV | null = null;
  querys: KV | null = null;
  /** A form body, parsed. */
  bodyKv: KV | null = null;
  /** A JSON body, as it arrived (Higress maps from the body before its own edits). */
  bodyJson: ArrayBuffer | null = null;
}

function copyOf(a: Array<string>): Array<string> { return a.slice(0); }

function dedupe(vs: Array<string>, s: Strategy): Array<string> {
  if (s == Strategy.RetainUnique) {
    const out = new Array<string>();
    const seen = new Set<string>();
    for (let i = 0; i < vs.length; i++) {
      if (seen.has(vs[i])) continue;
      seen.add(vs[i]);
      out.push(vs[i]);
    }
    return out;
  }
  if (vs.length == 0) return vs;
  if (s == Strategy.RetainLast) return [vs[vs.length - 1]];
  if (s == Strategy.SplitAndRetainFirst) return [vs[0].split(",")[0]];
  if (s == Strategy.SplitAndRetainLast) {
    const parts = vs[0].split(",");
    return [parts[parts.length - 1]];
  }
  return [vs[0]];
}

function mapItem(kvs: KV, it: Item, source: string, src: Sources): void {
  let from: KV | null = null;
  if (source == "headers") from = src.headers;
  else if (source == "querys") from = src.querys;
  else if (source == "body") {
    const json = src.bodyJson;
    if (json !== null) {
      const raw = jsonGet(json, it.keyPath);
      if (raw === null) return;
      const text = gjsonString(raw);
      if (text.length > 0) kvs.set(it.toKey, [text]);
      return;
    }
    from = src.bodyKv;
  }
  if (from === null) {
    log.warn("map key failed, source:" + source + " not exists");
    return;
  }
  const vs = from.get(it.key);
  if (vs !== null) kvs.set(it.toKey, copyOf(vs));
}

/** Applies the side's rules for target `t` (headers or querys, or a form body) to `kvs`. */
export function applyKv(side: Side, t: Target, kvs: KV, host: string, path: string, src: Sources): void {
  for (let r = 0; r < side.rules.length; r++) {
    const rule: Rule = side.rules[r];
    const items = rule.items(t);
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      switch (rule.op) {
        case Op.Remove:
          kvs.delete(it.key);
          break;
        case Op.Rename: {
          // The old values are appended to the new key's, then the old key goes (Higress's order,
          // so oldKey == newKey removes the key).
          const old = kvs.get(it.key);
          if (old === null) break;
          const moved = copyOf(old);
          const cur = kvs.get(it.toKey);
          const next = cur === null ? new Array<string>() : copyOf(cur);
          for (let j = 0; j < moved.length; j++) next.push(moved[j]);
          kvs.set(it.toKey, next);
          kvs.delete(it.key);
          break;
        }
        case Op.Replace:
          // Higress (since #2739's era): an absent key is added.
          kvs.set(it.key, [it.valueFor(host, path)]);
          break;
        case Op.Add:
          if (!kvs.has(it.key)) kvs.set(it.key, [it.valueFor(host, path)]);
          break;
        case Op.Append:
          kvs.add(it.key, it.valueFor(host, path));
          break;
        case Op.Map:
          mapItem(kvs, it, rule.sourceFor(t), src);
          break;
        case Op.Dedupe: {
          const vs = kvs.get(it.key);
          if (vs !== null) kvs.set(it.key, dedupe(vs, it.strategy));
          break;
        }
      }
    }
  }
}

/** Go's url.QueryEscape: unreserved bytes stay, ' ' becomes '+', the rest %XX. */
export function queryEscape(s: string): string {
  const b = Uint8Array.wrap(String.UTF8.encode(s));
  const out = new Uint8Array(b.length * 3);
  const HEX = "0123456789ABCDEF";
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = <i32>b[i];
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 95 || c == 126) out[o++] = <u8>c;
    else if (c == 32) out[o++] = 43; // '+'
    else {
      out[o++] = 37; // '%'
      out[o++] = <u8>HEX.charCodeAt(c >> 4);
      out[o++] = <u8>HEX.charCodeAt(c & 15);
    }
  }
  return String.UTF8.decodeUnsafe(out.dataStart, <usize>o);
}

/** Go's url.Values.Encode: keys sorted, each value as key=value, joined by '&'. */
export function encodeKv(kvs: KV): string {
  const keys = kvs.sortedKeys();
  const parts = new Array<string>();
  for (let i = 0; i < keys.length; i++) {
    const vs = kvs.get(keys[i])!;
    const k = queryEscape(keys[i]);
    for (let j = 0; j < vs.length; j++) parts.push(k + "=" + queryEscape(vs[j]));
  }
  return parts.join("&");
}
