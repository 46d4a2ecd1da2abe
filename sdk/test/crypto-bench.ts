// Cost of the AssemblyScript crypto in Node's V8 (the engine Envoy embeds): µs per signature
// verification and MB/s for hashes, in CPU time of this process (process.cpuUsage), so that a
// loaded machine inflates the numbers less than wall time would. A measurement script, not a test:
//   npx tsx sdk/test/crypto-bench.ts
import { generateKeyPairSync, sign, verify, constants, randomBytes, KeyObject, createHash } from "node:crypto";
import { loadAsModuleSync } from "../../harness/src/ascunit.js";

const sig = loadAsModuleSync("sdk/test/crypto-sig.entry.ts");
const cr = loadAsModuleSync("sdk/test/crypto.entry.ts");
type Fn = (...a: number[]) => number;
const cpuUs = () => { const u = process.cpuUsage(); return u.user + u.system; };

const input = Buffer.from("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ");
const pss = (h: string, s: number) => (k: KeyObject) => sign(h, input, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: s });
const rsa2048 = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsa4096 = generateKeyPairSync("rsa", { modulusLength: 4096 });
const cases: [string, string, { publicKey: KeyObject; privateKey: KeyObject }, (k: KeyObject) => Buffer][] = [
  ["RS256 (RSA-2048)", "RS256", rsa2048, (k) => sign("sha256", input, k)],
  ["PS256 (RSA-2048)", "PS256", rsa2048, pss("sha256", 32)],
  ["RS256 (RSA-4096)", "RS256", rsa4096, (k) => sign("sha256", input, k)],
  ["ES256 (P-256)", "ES256", generateKeyPairSync("ec", { namedCurve: "P-256" }), (k) => sign("sha256", input, { key: k, dsaEncoding: "ieee-p1363" })],
  ["ES384 (P-384)", "ES384", generateKeyPairSync("ec", { namedCurve: "P-384" }), (k) => sign("sha384", input, { key: k, dsaEncoding: "ieee-p1363" })],
  ["EdDSA (Ed25519)", "EdDSA", generateKeyPairSync("ed25519"), (k) => sign(null, input, k)],
];

console.log("| algorithm | µs per verify, AssemblyScript (Node " + process.version + ") | µs per verify, node:crypto (OpenSSL), same run |\n|---|---|---|");
for (const [label, alg, keys, signer] of cases) {
  const s = signer(keys.privateKey);
  const jwk = JSON.stringify(keys.publicKey.export({ format: "jwk" }));
  const pAlg = sig.newString(alg), pKey = sig.newString(jwk), pIn = sig.newBuffer(input), pSig = sig.newBuffer(s);
  const bench = sig.exports.bench as Fn;
  if (bench(0, pAlg, pKey, pIn, pSig, 3) !== 3) throw new Error(`${label}: did not verify`);
  let n = 5, ms = 0;
  for (;;) {
    const t0 = cpuUs();
    bench(0, pAlg, pKey, pIn, pSig, n);
    ms = (cpuUs() - t0) / 1e3;
    if (ms > 400) break;
    n *= 2;
  }
  // The same verification in native code, for scale (the machine may be loaded).
  const opts = alg.startsWith("PS") ? { key: keys.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
    : alg.startsWith("ES") ? { key: keys.publicKey, dsaEncoding: "ieee-p1363" as const } : keys.publicKey;
  const hash = alg === "EdDSA" ? null : "sha" + alg.slice(2);
  const nn = 200;
  const t1 = cpuUs();
  for (let i = 0; i < nn; i++) verify(hash, input, opts, s);
  const nativeUs = (cpuUs() - t1) / nn;
  console.log(`| ${label} | ${((ms * 1000) / n).toFixed(0)} | ${nativeUs.toFixed(0)} |`);
  for (const p of [pAlg, pKey, pIn, pSig]) sig.unpin(p);
}

console.log("\n| hash | MB/s on 64 KiB inputs (AssemblyScript) | MB/s, node:crypto |\n|---|---|---|");
const data = randomBytes(65536);
const pData = cr.newBuffer(data);
for (const [id, name] of [[0, "MD5"], [1, "SHA-1"], [3, "SHA-256"], [5, "SHA-512"]] as [number, string][]) {
  const loop = cr.exports.hashLoop as Fn;
  loop(id, pData, 5);
  const n = 100;
  const t0 = cpuUs();
  loop(id, pData, n);
  const s = (cpuUs() - t0) / 1e6;
  const t2 = cpuUs();
  for (let i = 0; i < n; i++) createHash(name.replace("-", "").toLowerCase()).update(data).digest();
  const s2 = (cpuUs() - t2) / 1e6;
  console.log(`| ${name} | ${((data.length * n) / s / 1e6).toFixed(0)} | ${((data.length * n) / s2 / 1e6).toFixed(0)} |`);
}
cr.unpin(pData);
