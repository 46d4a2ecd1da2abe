// Every plugin has one manifest (plugins/<name>/plugin.yaml) and what is generated from it stays
// true: the README's configuration table, the spec.yaml `push` writes (Higress's phase and
// priority, typed nested fields), and every example passes the schema.
import { describe, it, expect } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, existsSync, rmSync, writeFileSync, cpSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import YAML from "yaml";
import { loadManifest, validateConfig, configTableMarkdown, type Manifest } from "../src/manifest.js";
import { pluginSpec } from "../src/commands/push.js";
import { pluginTemplate } from "../src/template.js";
import { readmeBlock } from "../src/readme.js";
import { repoRoot } from "./helpers.js";
import { Emulator, pluginWasm } from "../../harness/src/index.js";

const pluginsDir = join(repoRoot, "plugins");
const plugins = readdirSync(pluginsDir).filter((n) => existsSync(join(pluginsDir, n, "assembly", "index.ts"))).sort();
const manifest = (n: string) => loadManifest(join(pluginsDir, n)) as Manifest;

// Higress's own values: each plugin's Higress README ("插件执行阶段/优先级"); request-block's README
// has none, so its value is Higress console's spec.yaml for it.
const HIGRESS: Record<string, [string, number]> = {
  "ai-cache": ["AUTHN", 10],
  "ai-data-masking": ["AUTHN", 991],
  "ai-proxy": ["default", 100],
  "ai-quota": ["default", 750],
  "ai-statistics": ["default", 200],
  "ai-security-guard": ["default", 300],
  "ai-prompt-decorator": ["default", 450],
  "ai-prompt-template": ["default", 500],
  "ai-rag": ["default", 400],
  // Higress has no prompt guard: after the decorator and the template (they run first), before ai-proxy.
  "ai-prompt-guard": ["default", 420],
  "ai-token-ratelimit": ["default", 600],
  "basic-auth": ["AUTHN", 320],
  "cache-control": ["AUTHN", 420],
  "bot-detect": ["AUTHZ", 310],
  "cluster-key-rate-limit": ["default", 20],
  cors: ["AUTHZ", 340],
  "custom-response": ["AUTHN", 910],
  "ext-auth": ["AUTHN", 360],
  "hmac-auth-apisix": ["AUTHN", 330],
  "ip-restriction": ["AUTHN", 210],
  "jwt-auth": ["AUTHN", 340],
  // Higress gives none (its e2e WasmPlugin sets no phase): beside jwt-auth, with the other authentication plugins.
  "simple-jwt-auth": ["AUTHN", 335],
  // Higress publishes none (no README): early in AUTHN, before custom-response and the authentication plugins.
  "sni-misdirect": ["AUTHN", 950],
  "key-auth": ["AUTHN", 310],
  "key-rate-limit": ["default", 10],
  "replay-protection": ["AUTHN", 800],
  // Higress's model-mapper README gives none: right after model-router, before every default-phase plugin.
  "model-mapper": ["AUTHN", 800],
  "model-router": ["AUTHN", 900],
  opa: ["AUTHN", 225],
  "traffic-tag": ["default", 400],
  transformer: ["AUTHN", 410],
  "request-block": ["AUTHZ", 320],
  "request-validation": ["AUTHN", 220],
  waf: ["AUTHZ", 330],
};

describe.each(plugins)("%s", (name) => {
  it("has a manifest that names it, with Higress's phase and priority", () => {
    const m = manifest(name);
    expect(m, `plugins/${name}/plugin.yaml`).toBeDefined();
    expect(m.name).toBe(name);
    expect(m.version).toBe(JSON.parse(readFileSync(join(pluginsDir, name, "package.json"), "utf8")).version);
    expect([m.phase, m.priority]).toEqual(HIGRESS[name]);
  });

  it("every example passes the schema", () => {
    const m = manifest(name);
    for (const e of m.examples) expect(validateConfig(m, e.config), e.title).toEqual([]);
  });

  it("the README's configuration table and deployment snippets are generated from the manifest", () => {
    const readme = readFileSync(join(pluginsDir, name, "README.md"), "utf8");
    expect(readme).toContain(readmeBlock(manifest(name)));
  });

  it("push's spec.yaml carries the manifest: phase, priority, typed schema, example", () => {
    const m = manifest(name);
    const spec = YAML.parse(pluginSpec(join(pluginsDir, name), name, "1.2.3").toString("utf8"));
    expect(spec.info).toMatchObject({ name, category: m.category, title: m.title, version: "1.2.3" });
    expect(spec.spec.phase).toBe(m.phase);
    expect(spec.spec.priority).toBe(m.priority);
    const schema = spec.spec.configSchema.openAPIV3Schema;
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties)).toEqual(Object.keys(m.config.properties));
    expect(schema.example).toEqual(m.examples[0].config);
  });
});

it("key-auth's spec.yaml: AUTHN 310, consumers an array of {name, credential} objects", () => {
  const spec = YAML.parse(pluginSpec(join(pluginsDir, "key-auth"), "key-auth", "1.0.0").toString("utf8"));
  expect(spec.spec).toMatchObject({ phase: "AUTHN", priority: 310 });
  const s = spec.spec.configSchema.openAPIV3Schema;
  expect(s.required).toEqual(["consumers", "keys"]);
  expect(s.properties.consumers).toMatchObject({
    type: "array",
    items: { type: "object", required: ["name", "credential"], properties: { name: { type: "string" }, credential: { type: "string" } } },
  });
  expect(s.properties.keys).toMatchObject({ type: "array", items: { type: "string" } });
  expect(s.properties.in_header.type).toBe("boolean");
});

describe("the schema check can fail", () => {
  const m = () => manifest("key-auth");
  const good = { consumers: [{ name: "a", credential: "k" }], keys: ["x-api-key"], in_header: true };
  it.each([
    ["a missing required field", { ...good, keys: undefined }, "keys: required"],
    ["a wrong type", { ...good, in_header: "yes" }, "in_header: expected boolean, got string"],
    ["a wrong nested type", { ...good, consumers: [{ name: "a", credential: 7 }] }, "consumers[0].credential: expected string, got integer"],
    ["a missing nested field", { ...good, consumers: [{ name: "a" }] }, "consumers[0].credential: required"],
    ["an unknown field (a typo)", { ...good, in_headers: true }, "in_headers: unknown field"],
    ["a rule-only field in the global config", { ...good, allow: ["a"] }, "allow: only allowed in a rule"],
    ["a rule without its required field", { ...good, _rules_: [{ _match_route_: ["r"] }] }, "_rules_[0].allow: required"],
    ["a rule without a matcher", { ...good, _rules_: [{ allow: ["a"] }] }, "_rules_[0]: needs one of _match_route_, _match_domain_, _match_service_, _match_route_prefix_"],
    ["a global-only field in a rule", { ...good, _rules_: [{ _match_route_: ["r"], allow: ["a"], keys: ["k"] }] }, "_rules_[0].keys: only allowed in the global configuration"],
  ])("%s", (_, config, want) => {
    const c = JSON.parse(JSON.stringify(config));
    expect(validateConfig(m(), c)).toContain(want);
  });
  it("enums and bounds", () => {
    expect(validateConfig(manifest("ip-restriction"), { ip_source_type: "peer", allow: ["1.2.3.4"] })).toEqual(['ip_source_type: must be one of "origin-source", "header", not "peer"']);
    expect(validateConfig(manifest("key-rate-limit"), { limit_by_header: "x", limit_keys: [{ key: "a", query_per_second: 0 }] })).toEqual(["limit_keys[0].query_per_second: must be ≥ 1"]);
  });
});

it("scripts/gen-plugin-docs.ts --check fails on a stale README and regenerates it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-gen-"));
  try {
    // cli/src reaches the harness (the Envoy filter builder), so the copy needs it too.
    for (const f of ["scripts", "cli", "harness", "package.json"]) cpSync(join(repoRoot, f), join(dir, f), { recursive: true, filter: (s) => !s.includes("node_modules") && !s.includes("/dist") });
    symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
    cpSync(join(pluginsDir, "bot-detect"), join(dir, "plugins", "bot-detect"), { recursive: true, filter: (s) => !s.includes("/build") });
    // Asynchronous runs: three tsx start-ups block for over a minute on a loaded machine, and a
    // worker blocked that long loses its RPC to the runner.
    const run = (...a: string[]) => promisify(execFile)(process.execPath, ["--import", "tsx", join(dir, "scripts", "gen-plugin-docs.ts"), ...a], { cwd: repoRoot, encoding: "utf8" });
    await run("--check");
    const yamlFile = join(dir, "plugins", "bot-detect", "plugin.yaml");
    writeFileSync(yamlFile, readFileSync(yamlFile, "utf8").replace("default: 403", "default: 418"));
    let err = "";
    try {
      await run("--check");
    } catch (e) {
      err = (e as { stderr: string }).stderr;
    }
    expect(err).toMatch(/plugins\/bot-detect\/README\.md: configuration table is not what plugin\.yaml says/);
    await run();
    expect(readFileSync(join(dir, "plugins", "bot-detect", "README.md"), "utf8")).toContain("| `blocked_code` | integer | no | `418` |");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Three tsx start-ups: ~25 s on a quiet machine, 70 s seen under a CI run and a fuzz run beside it.
}, 300_000);

it("sluice new's plugin has a manifest too: README table from it, config.yaml passes its schema", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-tpl-"));
  try {
    for (const f of pluginTemplate("my-plugin")) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const m = loadManifest(dir)!;
    expect(m.name).toBe("my-plugin");
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(readmeBlock(m));
    expect(validateConfig(m, YAML.parse(readFileSync(join(dir, "config.yaml"), "utf8")))).toEqual([]);
    expect(validateConfig(m, { header: "x" })).toEqual(["value: required"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe.each(plugins)("%s accepts its manifest's examples (emulator)", (name) => {
  it.each(["envoy", "higress"] as const)("%s target", async (target) => {
    for (const e of manifest(name).examples) {
      const host = await Emulator.load(pluginWasm(name, target), { target, config: e.config, pluginName: name, allowStartFailure: true });
      expect(host.started, `${e.title}: ${host.logLines().join("\n")}`).toBe(true);
      expect(host.traps).toEqual([]);
    }
  });
});
