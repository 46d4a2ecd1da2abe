// Test entry: exposes the request-path normaliser to Node (bytes in, bytes out).
import { normalizePath, normalizePathString } from "../net/path";

export function pathBytes(raw: ArrayBuffer): ArrayBuffer {
  return normalizePath(raw);
}

export function path(raw: string): string {
  return normalizePathString(raw);
}
