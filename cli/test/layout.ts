// The layout rules the fetchers apply to a pulled manifest (Istio pkg/wasm/imagefetcher.go, Envoy Gateway, Higress),
// written independently of the CLI's image builder so a test can hold one against the other.
import { gunzipSync } from "node:zlib";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_TGZ = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const OCI_TGZ = "application/vnd.oci.image.layer.v1.tar+gzip";
const WASM_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm";
const WASM_CONFIG = "application/vnd.module.wasm.config.v1+json";

/** Reads a ustar archive: name → content (regular files only). */
export function untar(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let off = 0; off + 512 <= buf.length; ) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const prefix = h.subarray(345, 500).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(h.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(h[156] || 48);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    const stored = parseInt(h.subarray(148, 156).toString("ascii").replace(/\0.*$/s, "").trim(), 8);
    if (sum !== stored) throw new Error(`tar header checksum mismatch for ${name}`);
    if (type === "0") out.set(prefix ? `${prefix}/${name}` : name, Buffer.from(buf.subarray(off + 512, off + 512 + size)));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const base = (p: string) => p.replace(/^.*\//, "");

export interface Verdicts {
  /** Istio ≥ 1.16, Envoy Gateway and Higress's gateway (its Istio fork): which variant, and the module. */
  istio: { variant: "docker" | "compat" | "oci" | "reject"; wasm?: Buffer; why?: string };
  /** Higress plugin-server (pull_plugins.py). */
  pluginServer: { ok: boolean; wasm?: Buffer; why?: string };
  /** Higress's plugin release gate (tools/plugin-release envoyWasmLayout). */
  releaseGate: "compat" | "oci" | "reject";
}

export function checkLayout(m: Manifest, blob: (digest: string) => Buffer): Verdicts {
  const layers = m.layers ?? [];
  const last = layers[layers.length - 1];
  let istio: Verdicts["istio"];
  const fromTgz = (d: Descriptor) => {
    const files = untar(gunzipSync(blob(d.digest)));
    const entry = [...files.entries()].find(([n]) => base(n) === "plugin.wasm");
    return entry?.[1];
  };
  if (m.mediaType === DOCKER_MANIFEST) {
    istio = last?.mediaType === DOCKER_TGZ ? { variant: "docker", wasm: fromTgz(last) } : { variant: "reject", why: "docker manifest whose last layer is not a tar.gzip" };
  } else if (last?.mediaType === OCI_TGZ) {
    const wasm = fromTgz(last);
    istio = wasm ? { variant: "compat", wasm } : { variant: "reject", why: "plugin.wasm not found in the last layer" };
  } else if (layers.length === 2 && layers.some((l) => l.mediaType === WASM_LAYER)) {
    istio = { variant: "oci", wasm: blob(layers.find((l) => l.mediaType === WASM_LAYER)!.digest) };
  } else {
    istio = { variant: "reject", why: `number of layers must be 2 but got ${layers.length}` };
  }
  let pluginServer: Verdicts["pluginServer"];
  const candidates = layers.filter((l) => l.mediaType === WASM_LAYER || l.mediaType === OCI_TGZ || l.mediaType === DOCKER_TGZ);
  if (candidates.length !== 1) pluginServer = { ok: false, why: `${candidates.length} wasm/tar.gz layers` };
  else if (candidates[0].mediaType === WASM_LAYER) pluginServer = { ok: true, wasm: blob(candidates[0].digest) };
  else {
    const files = [...untar(gunzipSync(blob(candidates[0].digest))).entries()].filter(([n]) => n.endsWith(".wasm"));
    pluginServer = files.length === 1 ? { ok: true, wasm: files[0][1] } : { ok: false, why: `${files.length} .wasm files in the tar` };
  }
  if (pluginServer.ok && !pluginServer.wasm!.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d]))) pluginServer = { ok: false, why: "not a wasm module" };
  const releaseGate = layers.length === 2 && layers[0].mediaType === WASM_CONFIG && layers[1].mediaType === WASM_LAYER ? "oci" : last?.mediaType === OCI_TGZ ? "compat" : "reject";
  return { istio, pluginServer, releaseGate };
}
