// sluice deploy: the Higress and Istio WasmPlugins validate against the CRDs' own schemas
// (vendored in cli/data/crds), and the Envoy snippet runs as printed in a real Envoy — including
// the buffer limit a body-reading plugin needs.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { Envoy, RecordingUpstream } from "../../harness/src/index.js";
import { deployYaml, imageUrl } from "../src/commands/deploy.js";
import { loadManifest, type Manifest } from "../src/manifest.js";
import { loadCrd, validateResource } from "./crd.js";
import { buildCli, repoRoot, sluice } from "./helpers.js";

const higress = loadCrd("higress-wasmplugin.yaml");
const istio = loadCrd("istio-wasmplugin.yaml");
const pluginsDir = join(repoRoot, "plugins");
const plugins = readdirSync(pluginsDir).filter((n) => existsSync(join(pluginsDir, n, "plugin.yaml"))).sort();
const manifest = (n: string) => loadManifest(join(pluginsDir, n)) as Manifest;
const render = (n: string, target: "higress" | "istio" | "envoy", extra: Record<string, string> = {}) => {
  const m = manifest(n);
  return YAML.parse(deployYaml(m, m.examples[0].config, { for: target, image: "registry.example.com/plugins/x:1.0.0", ...extra }));
};
/** The CEL rule on Istio's url, by hand (the validator does not run CEL). */
const urlSchemeOk = (u: string) => ["oci:", "http:", "https:", "file:"].includes(new URL(u).protocol);

describe.each(plugins)("%s", (name) => {
  it("Higress WasmPlugin validates against extensions.higress.io/v1alpha1", () => {
    const r = render(name, "higress");
    expect(validateResource(higress, r)).toEqual([]);
    const m = manifest(name);
    expect(r.spec.phase).toBe(m.phase === "default" ? "UNSPECIFIED_PHASE" : m.phase);
    expect(r.spec.priority).toBe(m.priority);
    expect(urlSchemeOk(r.spec.url)).toBe(true);
    expect(r.spec.defaultConfig._rules_).toBeUndefined();
  });
  it("Istio WasmPlugin validates against extensions.istio.io/v1alpha1", () => {
    const r = render(name, "istio");
    expect(validateResource(istio, r)).toEqual([]);
    expect(r.spec.pluginName).toBe(name);
    expect(urlSchemeOk(r.spec.url)).toBe(true);
    expect(r.spec.pluginConfig).toEqual(manifest(name).examples[0].config);
  });
  it("Envoy snippet: the wasm filter with allow_on_headers_stop_iteration, buffers for body plugins", () => {
    const r = render(name, "envoy");
    const c = r.http_filters[0].typed_config.config;
    expect(c.allow_on_headers_stop_iteration).toBe(true);
    expect(JSON.parse(c.configuration.value)).toEqual(manifest(name).examples[0].config);
    const body = manifest(name).body;
    expect(r.per_connection_buffer_limit_bytes).toBe(body?.request || body?.response ? 64 * 1024 * 1024 : undefined);
  });
});

it("Higress matchRules come from _rules_ (route → ingress, domain → domain)", () => {
  const r = render("request-block", "higress");
  expect(r.spec.defaultConfig).toEqual({ block_urls: ["swagger.html"], block_bodies: ["DROP TABLE"] });
  expect(r.spec.matchRules).toEqual([
    { ingress: ["admin"], config: { block_urls: ["secret"], blocked_code: 451, case_sensitive: false } },
    { domain: ["*.example.com"], config: { block_bodies: ["forbidden"] } },
  ]);
  expect(imageUrl("r.example/x:1")).toBe("oci://r.example/x:1");
  expect(imageUrl("https://h/x.wasm")).toBe("https://h/x.wasm");
});

it("the CRD check can fail", () => {
  const r = render("key-auth", "higress");
  expect(validateResource(higress, { ...r, spec: { ...r.spec, phase: "DEFAULT" } })).toEqual([expect.stringMatching(/^\.spec\.phase: "DEFAULT" not in/)]);
  expect(validateResource(higress, { ...r, spec: { ...r.spec, matchRule: [] } })).toEqual([".spec.matchRule: unknown field"]);
  expect(validateResource(istio, { ...render("key-auth", "istio"), apiVersion: "extensions.istio.io/v1" })[0]).toMatch(/version v1 is not served/);
  const i = render("key-auth", "istio");
  expect(validateResource(istio, { ...i, spec: { ...i.spec, priority: "high" } })).toEqual([".spec.priority: expected integer, got string"]);
});

describe("sluice deploy on the command line", () => {
  beforeAll(() => buildCli());
  it("prints YAML; a config that fails the schema is one line, exit 1; a bad --for is exit 2", async () => {
    const ok = await sluice(["deploy", "key-auth", "--for", "higress", "--image", "ghcr.io/acme/key-auth:1.0.0"]);
    expect(ok.code).toBe(0);
    expect(validateResource(higress, YAML.parse(ok.stdout))).toEqual([]);
    expect(YAML.parse(ok.stdout).spec.url).toBe("oci://ghcr.io/acme/key-auth:1.0.0");
    const dir = mkdtempSync(join(tmpdir(), "sluice-deploy-"));
    try {
      writeFileSync(join(dir, "bad.yaml"), "consumers: [{name: a, credential: k}]\nkeys: x-api-key\n");
      const bad = await sluice(["deploy", "key-auth", "--for", "istio", "--config", join(dir, "bad.yaml")]);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^sluice deploy: .*bad\.yaml does not match key-auth's schema: keys: expected array, got string$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const wrong = await sluice(["deploy", "key-auth", "--for", "nginx"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe("sluice deploy: --for must be one of higress, istio, envoy, not 'nginx'");
  });
});

describe("the Envoy snippet in a real Envoy", () => {
  let upstream: RecordingUpstream;
  beforeAll(async () => {
    upstream = await RecordingUpstream.start();
  });
  afterAll(async () => upstream?.stop());

  async function withSnippet(name: string, bufferLimit: "as printed" | "Envoy's default", fn: (url: string) => Promise<void>) {
    const r = render(name, "envoy", { wasmPath: join(pluginsDir, name, "build", "envoy.wasm") });
    const envoy = await Envoy.start({
      plugins: [],
      extraFilters: r.http_filters,
      bufferLimitBytes: bufferLimit === "as printed" ? r.per_connection_buffer_limit_bytes : undefined,
      routes: [
        { name: "admin", prefix: "/admin", cluster: "up" },
        { name: "route-a", prefix: "/a", cluster: "up" },
        { name: "default", prefix: "/", cluster: "up" },
      ],
      clusters: [{ name: "up", port: upstream.port }],
    });
    try {
      await fn(envoy.url);
    } finally {
      await envoy.stop();
    }
  }

  it("key-auth as printed (global_auth false): route-a wants consumer1's key, other routes are open", async () => {
    await withSnippet("key-auth", "as printed", async (url) => {
      expect((await fetch(`${url}/a`)).status).toBe(401);
      expect((await fetch(`${url}/a`, { headers: { "x-api-key": "token1" } })).status).toBe(200);
      expect((await fetch(`${url}/a`, { headers: { "x-api-key": "token2" } })).status).toBe(403);
      expect((await fetch(`${url}/x`)).status).toBe(200);
    });
  }, 60_000);

  const big = "a".repeat(2 * 1024 * 1024);
  it("request-block as printed: a 2 MiB body is inspected (passes), a body rule blocks", async () => {
    await withSnippet("request-block", "as printed", async (url) => {
      expect((await fetch(`${url}/upload`, { method: "POST", body: big })).status).toBe(200);
      expect((await fetch(`${url}/upload`, { method: "POST", body: big + "DROP TABLE users" })).status).toBe(403);
      expect((await fetch(`${url}/swagger.html`)).status).toBe(403);
    });
  }, 60_000);

  it("request-block without the printed buffer limit: the same 2 MiB body is refused (413)", async () => {
    await withSnippet("request-block", "Envoy's default", async (url) => {
      expect((await fetch(`${url}/upload`, { method: "POST", body: big })).status).toBe(413);
    });
  }, 60_000);
});
