// Interop: what `sluice push` writes, `oras` (installed by bootstrap, pinned in versions.env) pulls
// back byte for byte, in both layouts: the manifest (same digest), every titled layer, and the
// module inside plugin.tar.gz / the raw wasm layer equal to the build. A go-containerregistry
// program that picks the module the way Istio's image fetcher does (cli/test/istio-fetch) gets
// the same bytes.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import YAML from "yaml";
import { untar } from "./layout.js";
import { Registry, buildCli, buildIstioFetch, orasBinary, repoRoot, sluice } from "./helpers.js";

const oras = orasBinary;

const PLUGIN = "bot-detect";
const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
let registry: Registry;
let work: string;
let istioFetch: string;

beforeAll(async () => {
  buildCli();
  work = mkdtempSync(join(tmpdir(), "sluice-interop-"));
  // Go modules come from the Go module proxy (go.sum pins them); later builds hit Go's cache.
  istioFetch = buildIstioFetch(work);
  registry = await Registry.start();
}, 240_000);
afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(["compat", "oci"] as const)("%s layout", (layout) => {
  it("oras and an Istio-order fetcher pull back what sluice push wrote, byte for byte", async () => {
    const target = layout === "compat" ? "higress" : "envoy";
    const ref = `${registry.host}/plugins/${PLUGIN}:1.0.0-${layout}`;
    const r = await sluice(["push", PLUGIN, ref, "--layout", layout, "--target", target, "--no-build"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const pushed = /pushed .*@(sha256:[0-9a-f]{64})/.exec(r.stdout)![1];

    const bin = oras();
    const manifest = execFileSync(bin, ["manifest", "fetch", "--plain-http", ref]);
    expect(sha256(manifest)).toBe(pushed);

    const dir = mkdtempSync(join(tmpdir(), "sluice-oras-"));
    try {
      execFileSync(bin, ["pull", "--plain-http", "-o", dir, ref], { stdio: "pipe" });
      const m = JSON.parse(manifest.toString("utf8"));
      // Every layer oras wrote is the blob the manifest names (digest and size).
      for (const l of m.layers) {
        const file = readFileSync(join(dir, l.annotations["org.opencontainers.image.title"]));
        expect(sha256(file)).toBe(l.digest);
        expect(file.length).toBe(l.size);
      }
      const wasm = readFileSync(join(repoRoot, "plugins", PLUGIN, "build", `${target}.wasm`));
      // Istio's order: last layer tar+gzip → plugin.wasm inside (compat), else the 2-layer wasm layout.
      const variant = execFileSync(istioFetch, [ref, join(dir, "istio.wasm")], { encoding: "utf8" }).trim();
      expect(variant).toBe(layout);
      expect(readFileSync(join(dir, "istio.wasm"))).toEqual(wasm);
      if (layout === "compat") {
        expect(untar(gunzipSync(readFileSync(join(dir, "plugin.tar.gz"))))).toEqual(new Map([["plugin.wasm", wasm]]));
        expect(readFileSync(join(dir, "README.md"))).toEqual(readFileSync(join(repoRoot, "plugins", PLUGIN, "README.md")));
        expect(YAML.parse(readFileSync(join(dir, "spec.yaml"), "utf8")).spec).toMatchObject({ phase: "AUTHZ", priority: 310 });
      } else {
        expect(readFileSync(join(dir, "plugin.wasm"))).toEqual(wasm);
        expect(JSON.parse(readFileSync(join(dir, "runtime-config.json"), "utf8"))).toEqual({ type: "envoy_proxy", abi_version: "0.2.1", config: { root_ids: [PLUGIN] } });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
