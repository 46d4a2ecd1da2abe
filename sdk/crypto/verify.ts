// JWS public-key signature verification (RFC 7518 §3.3–3.5, RFC 8037): RS*, PS*, ES256/384,
// EdDSA. Uses Envoy's native `verify_signature` foreign function where it is known to work
// (RSASSA-PKCS1-v1_5 and ECDSA with a DER SubjectPublicKeyInfo) and the AssemblyScript code in
// this folder everywhere else, including when the host does not offer the function (Higress,
// tests in Node) or answers with anything but a clear verdict.
import { PublicKey, KeyType } from "./keys";
import { HashAlg, newHasher } from "./hmac";
import { rsaPkcs1Verify, rsaPssVerify } from "./rsa";
import { ecdsaVerify } from "./ecdsa";
import { ed25519Verify } from "./ed25519";
import { derTlv, derConcat, derInteger, TAG_SEQUENCE } from "./der";
import { toBytes } from "../encoding/bytes";
import * as abi from "../abi/imports";
import { Status } from "../abi/types";
import { RET_PTR, RET_SIZE, adoptBuffer, dropHostBuffer } from "../runtime/memory";

export enum VerifyResult {
  /** The signature is valid for this key and input. */
  Ok = 0,
  /** Well-formed request, but the signature does not verify. */
  BadSignature = 1,
  /** The algorithm is not one we implement (e.g. ES512, HS256, "none"). */
  Unsupported = 2,
  /** No usable key (null). */
  MalformedKey = 3,
  /** The key's type does not fit the algorithm (an EC key for RS256, a P-384 key for ES256…). */
  WrongKeyType = 4,
}

export function verifyResultName(r: VerifyResult): string {
  switch (r) {
    case VerifyResult.Ok: return "ok";
    case VerifyResult.BadSignature: return "bad_signature";
    case VerifyResult.Unsupported: return "unsupported";
    case VerifyResult.MalformedKey: return "malformed_key";
    default: return "wrong_key_type";
  }
}

export enum NativeMode {
  /** Use the host's verify_signature for RS* and ES*, fall back to AssemblyScript. */
  Auto = 0,
  /** Never call the host (always the AssemblyScript code). */
  Off = 1,
}

let nativeMode = NativeMode.Auto;
let nativeMissing = false;
/** "native" or "as": which implementation decided the last verifySignature call. */
export let lastVerifyPath = "";

export function setNativeVerify(mode: NativeMode): void { nativeMode = mode; }
/** Which implementation decided the last verifySignature call: "native", "as", or "" (no verdict). */
export function lastVerifyImpl(): string { return lastVerifyPath; }

class AlgInfo {
  constructor(public kind: KeyType, public hash: HashAlg, public pss: bool, public curve: string) {}
}

function algInfo(alg: string): AlgInfo | null {
  if (alg == "RS256") return new AlgInfo(KeyType.RSA, HashAlg.SHA256, false, "");
  if (alg == "RS384") return new AlgInfo(KeyType.RSA, HashAlg.SHA384, false, "");
  if (alg == "RS512") return new AlgInfo(KeyType.RSA, HashAlg.SHA512, false, "");
  if (alg == "PS256") return new AlgInfo(KeyType.RSA, HashAlg.SHA256, true, "");
  if (alg == "PS384") return new AlgInfo(KeyType.RSA, HashAlg.SHA384, true, "");
  if (alg == "PS512") return new AlgInfo(KeyType.RSA, HashAlg.SHA512, true, "");
  if (alg == "ES256") return new AlgInfo(KeyType.EC, HashAlg.SHA256, false, "P-256");
  if (alg == "ES384") return new AlgInfo(KeyType.EC, HashAlg.SHA384, false, "P-384");
  if (alg == "EdDSA" || alg == "Ed25519") return new AlgInfo(KeyType.OKP, HashAlg.SHA512, false, "Ed25519");
  return null;
}

/** True if `alg` is a JWS algorithm this module verifies. */
export function isSupportedAlg(alg: string): bool { return algInfo(alg) !== null; }

/**
 * Verifies a JWS-style signature: `signingInput` is the signed bytes (for JWT, the ASCII of
 * `header.payload`), `signature` the raw signature (ECDSA as r||s, not DER).
 */
export function verifySignature<I, S>(alg: string, key: PublicKey | null, signingInput: I, signature: S): VerifyResult {
  lastVerifyPath = "";
  const info = algInfo(alg);
  if (info === null) return VerifyResult.Unsupported;
  if (key === null) return VerifyResult.MalformedKey;
  if (key.kind != info.kind) return VerifyResult.WrongKeyType;
  if (info.kind != KeyType.RSA && key.curve != info.curve) return VerifyResult.WrongKeyType;
  const msg = toBytes(signingInput);
  const sig = toBytes(signature);

  if (nativeMode == NativeMode.Auto && !nativeMissing && !info.pss && info.kind != KeyType.OKP) {
    const r = nativeVerify(info, key, msg, sig);
    if (r >= 0) { lastVerifyPath = "native"; return r ? VerifyResult.Ok : VerifyResult.BadSignature; }
  }
  lastVerifyPath = "as";
  let ok = false;
  if (info.kind == KeyType.OKP) {
    ok = ed25519Verify(key.ed!, msg, sig);
  } else {
    const h = newHasher(info.hash);
    h.updateRaw(msg.dataStart, msg.length);
    const hash = Uint8Array.wrap(h.finish());
    if (info.kind == KeyType.RSA) {
      ok = info.pss ? rsaPssVerify(key.rsa!, info.hash, hash, sig, hash.length) : rsaPkcs1Verify(key.rsa!, info.hash, hash, sig);
    } else {
      ok = ecdsaVerify(key.ec!, hash, sig);
    }
  }
  return ok ? VerifyResult.Ok : VerifyResult.BadSignature;
}

// ---- Envoy's verify_signature ----

function hashName(h: HashAlg): string {
  if (h == HashAlg.SHA384) return "sha384";
  if (h == HashAlg.SHA512) return "sha512";
  return "sha256";
}

/** JWS r||s → DER ECDSA-Sig-Value; null if the halves have the wrong length. */
export function ecdsaRawToDer(sig: Uint8Array, size: i32): Uint8Array | null {
  if (sig.length != 2 * size) return null;
  return derTlv(TAG_SEQUENCE, derConcat([derInteger(sig.subarray(0, size)), derInteger(sig.subarray(size))]));
}

/** 1 valid, 0 invalid, −1 no verdict (function missing, refused, or an unexpected error). */
function nativeVerify(info: AlgInfo, key: PublicKey, msg: Uint8Array, sig: Uint8Array): i32 {
  let s = sig;
  if (info.kind == KeyType.EC) {
    const d = ecdsaRawToDer(sig, key.ec!.curve.size);
    if (d === null) return 0; // wrong length: invalid whatever the host says
    s = d;
  }
  const args = encodeVerifyArgs(hashName(info.hash), key.spki(), s, msg);
  const out = callForeign("verify_signature", args);
  if (out === null) return -1;
  return decodeVerifyResult(Uint8Array.wrap(out));
}

/** The status of the last foreign call (Status.Ok, NotFound when the host lacks it, …). */
export let lastForeignStatus: u32 = 0;

// Like runtime/hostcalls callForeignFunction, but keeps the status: NotFound means the host
// does not offer the function at all, so we stop asking.
function callForeign(name: string, args: Uint8Array): ArrayBuffer | null {
  const n = String.UTF8.encode(name);
  const st = abi.proxy_call_foreign_function(changetype<usize>(n), <usize>n.byteLength, args.dataStart, <usize>args.length, RET_PTR, RET_SIZE);
  lastForeignStatus = st;
  if (st != Status.Ok) {
    dropHostBuffer();
    if (st == Status.NotFound || st == 12 /* Unimplemented */) nativeMissing = true;
    return null;
  }
  return adoptBuffer();
}

function varint(out: Array<u8>, v: u32): void {
  while (v >= 0x80) { out.push(<u8>(v | 0x80)); v >>>= 7; }
  out.push(<u8>v);
}

function field(out: Array<u8>, num: u32, b: Uint8Array): void {
  varint(out, (num << 3) | 2);
  varint(out, <u32>b.length);
  for (let i = 0; i < b.length; i++) out.push(unchecked(b[i]));
}

/**
 * Protobuf VerifySignatureArguments {hash_function=1, public_key=2 (DER), signature=3, text=4,
 * public_key_pem=5}. Empty fields are left out, as proto3 does.
 */
export function encodeVerifyArgs(hash: string, spkiDer: Uint8Array, sig: Uint8Array, text: Uint8Array, pem: string = ""): Uint8Array {
  const out = new Array<u8>();
  if (hash.length > 0) field(out, 1, Uint8Array.wrap(String.UTF8.encode(hash)));
  if (spkiDer.length > 0) field(out, 2, spkiDer);
  if (sig.length > 0) field(out, 3, sig);
  if (text.length > 0) field(out, 4, text);
  if (pem.length > 0) field(out, 5, Uint8Array.wrap(String.UTF8.encode(pem)));
  const b = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) unchecked(b[i] = out[i]);
  return b;
}

/** The fields of a VerifySignatureResult. */
export class NativeVerifyResult {
  /** The foreign call's status (0 Ok, 1 NotFound: no such function, 2 BadArgument: key refused…). */
  status: u32 = 0;
  result: bool = false;
  error: string = "";
  valid: bool = false; // the message parsed
}

/**
 * Calls the host's verify_signature with exactly these arguments and reports what came back
 * (for probes and diagnostics; verifySignature decides by itself when to use it).
 */
export function nativeVerifyRaw(hash: string, spkiDer: Uint8Array, pem: string, sig: Uint8Array, text: Uint8Array): NativeVerifyResult {
  const out = callForeign("verify_signature", encodeVerifyArgs(hash, spkiDer, sig, text, pem));
  let r: NativeVerifyResult;
  if (out === null) { r = new NativeVerifyResult(); r.valid = true; }
  else r = parseVerifyResult(Uint8Array.wrap(out));
  r.status = lastForeignStatus;
  return r;
}

export function parseVerifyResult(b: Uint8Array): NativeVerifyResult {
  const r = new NativeVerifyResult();
  let p = 0;
  const n = b.length;
  while (p < n) {
    const key = <u32>b[p++];
    const num = key >> 3, wire = key & 7;
    if (wire == 0) {
      let v: u64 = 0, shift: u64 = 0;
      while (true) {
        if (p >= n || shift > 63) return r;
        const c = <u64>b[p++];
        v |= (c & 0x7f) << shift;
        shift += 7;
        if ((c & 0x80) == 0) break;
      }
      if (num == 1) r.result = v != 0;
    } else if (wire == 2) {
      if (p >= n) return r;
      let len: u32 = 0, shift: u32 = 0;
      while (true) {
        if (p >= n || shift > 28) return r;
        const c = <u32>b[p++];
        len |= (c & 0x7f) << shift;
        shift += 7;
        if ((c & 0x80) == 0) break;
      }
      if (<i64>len > <i64>(n - p)) return r;
      if (num == 2) r.error = String.UTF8.decode(b.subarray(p, p + <i32>len).slice().buffer);
      p += <i32>len;
    } else {
      return r;
    }
  }
  r.valid = true;
  return r;
}

function decodeVerifyResult(b: Uint8Array): i32 {
  const r = parseVerifyResult(b);
  if (!r.valid) return -1;
  if (r.result) return 1;
  // BoringSSL's verdict for a signature that does not match; other errors mean "could not try".
  if (r.error.startsWith("Failed to verify digest")) return 0;
  return -1;
}
