// RSA signing (sdk/crypto/rsa-sign.ts) against Node's crypto: RSASSA-PKCS1-v1_5 is deterministic,
// so every signature must equal Node's byte for byte, for PKCS#8 and PKCS#1 PEM keys of several
// sizes; bad keys are refused with a reason, never a trap.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { generateKeyPairSync, createSign, createVerify, type KeyObject } from "node:crypto";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/crypto-sign.entry.ts");

function call(fn: string, args: (string | number | Uint8Array)[]): number {
  const ptrs = args.map((x) => (typeof x === "string" ? m.newString(x) : typeof x === "number" ? x : m.newBuffer(x)));
  const r = (m.exports[fn] as (...a: number[]) => number)(...ptrs);
  for (let i = 0; i < args.length; i++) if (typeof args[i] !== "number") m.unpin(ptrs[i]);
  return r >>> 0;
}
const keyError = (pem: string) => m.getString(call("keyError", [pem]));
const sign = (pem: string, bits: number, msg: Uint8Array) => Buffer.from(m.getBuffer(call("sign", [pem, bits, msg])));

function nodeSign(key: KeyObject, bits: number, msg: Uint8Array): Buffer {
  return createSign(`sha${bits}`).update(msg).sign(key);
}

const keys = [1024, 2048, 4096].map((modulusLength) => ({ modulusLength, ...generateKeyPairSync("rsa", { modulusLength }) }));

describe("rsaPkcs1Sign", () => {
  for (const k of keys) {
    const pkcs8 = k.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const pkcs1 = k.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    it(`RSA-${k.modulusLength}: PKCS#8 and PKCS#1 PEM keys sign exactly as Node (SHA-256/384/512), and Node verifies`, () => {
      expect(keyError(pkcs8)).toBe("");
      expect(keyError(pkcs1)).toBe("");
      const msg = new TextEncoder().encode("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0");
      for (const bits of [256, 384, 512]) {
        const want = nodeSign(k.privateKey, bits, msg);
        for (const pem of [pkcs8, pkcs1]) {
          const got = sign(pem, bits, msg);
          expect(got.toString("hex")).toBe(want.toString("hex"));
          expect(createVerify(`sha${bits}`).update(msg).verify(k.publicKey, got)).toBe(true);
        }
      }
    });
  }

  it("random messages (fast-check, RSA-2048, SHA-256): byte-identical to Node", () => {
    const k = keys[1];
    const pem = k.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (msg) => {
      expect(sign(pem, 256, msg).equals(nodeSign(k.privateKey, 256, msg))).toBe(true);
    }), { numRuns: 25 });
  });

  it("a Google service-account style key (PEM with \\n line breaks inside JSON) parses", () => {
    const pem = keys[1].privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const fromJson = JSON.parse(JSON.stringify({ private_key: pem })).private_key as string;
    expect(keyError(fromJson)).toBe("");
  });

  it("refuses what is not a usable RSA private key, with a reason and no trap", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const pub = keys[1].publicKey.export({ type: "spki", format: "pem" }) as string;
    const enc = keys[0].privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }) as string;
    const good = keys[1].privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    expect(keyError("")).toBe("no PEM block");
    expect(keyError("not a key")).toBe("no PEM block");
    expect(keyError(ec)).toBe("not an RSA private key");
    expect(keyError(pub)).toMatch(/unsupported PEM type: PUBLIC KEY/);
    expect(keyError(enc)).toBe("encrypted private keys are not supported");
    expect(keyError(good.replace("-----END PRIVATE KEY-----", ""))).toBe("PEM block has no END line");
    expect(keyError(good.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!"))).toBe("PEM body is not valid base64");
    // Truncated and bit-flipped DER bodies: refused or (if they still parse) the signature check holds.
    const body = good.split("\n").slice(1, -2).join("");
    const der = Buffer.from(body, "base64");
    for (let cut = 1; cut < der.length; cut += 97) {
      const pem = `-----BEGIN PRIVATE KEY-----\n${der.subarray(0, cut).toString("base64")}\n-----END PRIVATE KEY-----\n`;
      expect(keyError(pem)).not.toBe("");
    }
    for (let i = 0; i < der.length; i += 53) {
      const flipped = Buffer.from(der);
      flipped[i] ^= 0x10;
      const pem = `-----BEGIN PRIVATE KEY-----\n${flipped.toString("base64")}\n-----END PRIVATE KEY-----\n`;
      const err = keyError(pem);
      const sig = sign(pem, 256, new Uint8Array([1, 2, 3]));
      // Either refused, or any signature it gives verifies with its own public key (else empty).
      if (err === "" && sig.length > 0) expect(sig.length).toBe(256);
    }
  });
});
