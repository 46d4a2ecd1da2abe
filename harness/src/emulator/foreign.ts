// proxy_call_foreign_function and the foreign functions each host builds in (Envoy's
// verify_signature with BoringSSL's messages, compress/uncompress, Higress's extras).
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import { Status } from "./abi.js";
import type { HostContext, HostFunctions } from "./types.js";

/** A foreign function with its host bound (ForeignFunction in host.ts takes the Emulator too). */
export type BoundForeign = (args: Buffer) => Uint8Array | string | Status;

const enc = (s: string) => Buffer.from(s, "utf8");

/** `userFunction` finds a function the test gave (EmulatorOptions.foreignFunctions); built-ins come after. */
export function foreignImports(h: HostContext, userFunction: (name: string) => BoundForeign | undefined): HostFunctions {
  return {
    proxy_call_foreign_function(nPtr: number, nLen: number, aPtr: number, aLen: number, retPtr: number, retSize: number) {
      const name = h.mem.readStr(nPtr, nLen);
      const args = h.mem.read(aPtr, aLen);
      if (name === null || args === null) return Status.InvalidMemoryAccess;
      const f = userFunction(name) ?? builtinForeign(h, name);
      if (!f) return Status.NotFound;
      const r = f(args);
      if (typeof r === "number") return r;
      return h.mem.copyOut(typeof r === "string" ? enc(r) : r, retPtr, retSize);
    },
  };
}

function builtinForeign(h: HostContext, name: string): BoundForeign | undefined {
  const common: Record<string, BoundForeign> = {
    compress: (a) => deflateSync(a),
    uncompress: (a) => {
      try {
        return inflateSync(a);
      } catch {
        return Status.SerializationFailure;
      }
    },
    clear_route_cache: () => Buffer.alloc(0),
    declare_property: () => Buffer.alloc(0),
    set_envoy_filter_state: () => Buffer.alloc(0),
  };
  const envoyOnly: Record<string, BoundForeign> = { verify_signature: verifySignature };
  const higress: Record<string, BoundForeign> = {
    get_log_level: () => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(h.logLevel);
      return b;
    },
    set_global_max_requests_per_io_cycle: () => Buffer.alloc(0),
    inject_encoded_data_to_filter_chain_on_header: () => Buffer.alloc(0),
  };
  return common[name] ?? (h.target === "higress" ? higress[name] : envoyOnly[name]);
}

// ---- Envoy's verify_signature foreign function (source/extensions/common/wasm/foreign.cc) ----

/** Reads a flat protobuf message: field number → last value (varints as bigint, bytes as Buffer). */
function readProto(b: Buffer): Map<number, bigint | Buffer> | null {
  const out = new Map<number, bigint | Buffer>();
  let p = 0;
  const varint = (): bigint | null => {
    let v = 0n, shift = 0n;
    for (;;) {
      if (p >= b.length || shift > 63n) return null;
      const c = b[p++];
      v |= BigInt(c & 0x7f) << shift;
      shift += 7n;
      if ((c & 0x80) === 0) return v;
    }
  };
  while (p < b.length) {
    const key = varint();
    if (key === null) return null;
    const num = Number(key >> 3n), wire = Number(key & 7n);
    if (wire === 0) {
      const v = varint();
      if (v === null) return null;
      out.set(num, v);
    } else if (wire === 2) {
      const len = varint();
      if (len === null || p + Number(len) > b.length) return null;
      out.set(num, b.subarray(p, p + Number(len)));
      p += Number(len);
    } else return null;
  }
  return out;
}

/** VerifySignatureArguments {hash_function=1, public_key=2 (DER), signature=3, text=4} →
 *  VerifySignatureResult {result=1, error=2}, with BoringSSL's messages. */
function verifySignature(args: Buffer): Uint8Array | Status {
  const m = readProto(args);
  if (!m) return Status.BadArgument;
  const field = (n: number) => (m.get(n) instanceof Buffer ? (m.get(n) as Buffer) : Buffer.alloc(0));
  const hash = field(1).toString();
  const reply = (ok: boolean, error: string) => {
    const e = Buffer.from(error);
    return Buffer.concat([ok ? Buffer.from([0x08, 1]) : Buffer.alloc(0), e.length ? Buffer.concat([Buffer.from([0x12]), protoLen(e.length), e]) : Buffer.alloc(0)]);
  };
  if (!["sha1", "sha224", "sha256", "sha384", "sha512"].includes(hash)) return reply(false, `${hash} is not supported.`);
  let key;
  try {
    key = createPublicKey({ key: field(2), format: "der", type: "spki" });
  } catch {
    return reply(false, "Failed to initialize digest verify.");
  }
  try {
    return cryptoVerify(hash, field(4), key, field(3)) ? reply(true, "") : reply(false, "Failed to verify digest. Error code: 0");
  } catch {
    return reply(false, "Failed to verify digest. Error code: 0");
  }
}

function protoLen(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

