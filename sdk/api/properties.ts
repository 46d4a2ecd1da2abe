// Host properties (Envoy's attribute tree, Higress's extras), by path segments.
import { Status } from "../abi/types";
import * as host from "../runtime/hostcalls";

export namespace properties {
  export function getBytes(path: Array<string>): ArrayBuffer | null { return host.getPropertyBytes(path); }

  export function getString(path: Array<string>): string | null {
    const b = host.getPropertyBytes(path);
    return b === null ? null : String.UTF8.decode(b);
  }

  /** An integer property (Envoy sends int64/uint64 as 8 little-endian bytes). */
  export function getInt(path: Array<string>): i64 {
    const b = host.getPropertyBytes(path);
    if (b === null || b.byteLength < 8) return -1;
    return load<i64>(changetype<usize>(b));
  }

  export function setString(path: Array<string>, value: string): Status {
    return host.setPropertyBytes(path, String.UTF8.encode(value));
  }

  export function setBytes(path: Array<string>, value: ArrayBuffer): Status {
    return host.setPropertyBytes(path, value);
  }
}
