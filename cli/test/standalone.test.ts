// From nothing to a cluster, as a developer outside this repository would go: in a temporary
// directory, `sluice new` → edit → `sluice build` → its test passes → `sluice run` answers →
// `sluice push` to a local registry → oras and an Istio-order fetcher return the built bytes →
// `sluice deploy --for higress|istio|envoy` validates (CRD schemas; the Envoy snippet's settings).
import { it, expect, beforeAll, afterAll } from "vitest";
import { execFile, execFileSync, spawn } from "node:child_process";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import YAML from "yaml";
import { RecordingUpstream } from "../../harness/src/index.js";
import { loadCrd, validateResource } from "./crd.js";
import { untar } from "./layout.js";
import { Registry, buildCli, buildIstioFetch, cliBundle, orasBinary, repoRoot } from "./helpers.js";

const NAME = "greet";
let tmp: string;
let upstream: RecordingUpstream;
let registry: Registry;

beforeAll(async () => {
  buildCli();
  tmp = realpathSync(mkdtempSync(join(tmpdir(), "sluice-standalone-")));
  upstream = await RecordingUpstream.start();
  registry = await Registry.start();
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  await upstream?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A shell as a new user has one: no node_modules/.bin of this repository on PATH. */
const env = { ...process.env, PATH: (process.env.PATH ?? "").split(":").filter((d) => !d.includes("node_modules")).join(":"), NO_COLOR: "1" };
for (const k of Object.keys(env)) if (k.startsWith("VITEST") || k === "NODE_OPTIONS" || k === "TEST") delete env[k];

/** Runs a command without blocking the test worker (vitest must keep hearing from it). */
async function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): Promise<{ code: number; out: string }> {
  try {
    const r = await run(cmd, args, { cwd, env, encoding: "utf8", timeout, maxBuffer: 64 << 20 });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: typeof x.code === "number" ? x.code : -1, out: `${x.stdout}\n${x.stderr}` };
  }
}
const run = promisify(execFile);

it("new → edit → build → test → run → push → oras/Istio pull → deploy, outside the repository", async () => {
  // new: a project of its own in ./greet, not plugins/ of this checkout.
  const created = await sh(process.execPath, [cliBundle, "new", NAME], tmp);
  expect(created.code, created.out).toBe(0);
  const proj = join(tmp, NAME);
  expect(existsSync(join(repoRoot, "plugins", NAME))).toBe(false);
  for (const f of ["package.json", "asconfig.json", "assembly/index.ts", "plugin.yaml", "README.md", "config.yaml", "test/envoy.test.ts"]) expect(existsSync(join(proj, f)), f).toBe(true);
  expect(created.out).toContain(`next: cd ${NAME} && npm install && npx sluice build && npx sluice test`);

  // Its own dependencies (the SDK, harness and CLI by path; AssemblyScript and vitest from npm).
  const install = await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], proj);
  expect(install.code, install.out).toBe(0);

  // edit: the header value gets a suffix; the test is updated to match.
  const src = join(proj, "assembly", "index.ts");
  writeFileSync(src, readFileSync(src, "utf8").replace("this.config.value);", 'this.config.value + "!");'));
  const test = join(proj, "test", "envoy.test.ts");
  writeFileSync(test, readFileSync(test, "utf8").replace('toBe("hello")', 'toBe("hello!")').replace('toBe("from a rule")', 'toBe("from a rule!")'));

  const build = await sh("npx", ["--no-install", "sluice", "build"], proj);
  expect(build.code, build.out).toBe(0);
  expect(build.out).toMatch(/\[[12]\/2\] ✓ greet envoy .* build\/envoy\.wasm/);
  const tested = await sh("npx", ["--no-install", "sluice", "test"], proj);
  expect(tested.code, tested.out).toBe(0);
  expect(tested.out).toMatch(/Tests\s+2 passed \(2\)/);

  // run answers with the edited plugin in front of the upstream.
  // Its own process group: npx does not pass SIGTERM on to `sluice run`, which would outlive the
  // test with its Envoy; the whole group is stopped instead.
  const run = spawn("npx", ["--no-install", "sluice", "run", NAME, "--config", "config.yaml", "--upstream", `http://127.0.0.1:${upstream.port}`, "--port", "0"], { cwd: proj, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  run.stdout!.on("data", (d) => (out += d));
  run.stderr!.on("data", (d) => (out += d));
  const exited = new Promise((r) => run.on("exit", r));
  try {
    const until = Date.now() + 60_000;
    let m: RegExpExecArray | null = null;
    while (!(m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)) && Date.now() < until && run.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(m, out).not.toBeNull();
    const r = await fetch(`${m![1]}/hi`);
    expect(r.status).toBe(200);
    expect(r.headers.get("x-greeting")).toBe("hello!");
  } finally {
    try { process.kill(-run.pid!, "SIGTERM"); } catch { /* already gone */ }
    await exited;
  }

  // push both layouts; oras and the Istio-order fetcher get the built modules back.
  const istioFetch = buildIstioFetch(tmp);
  for (const [layout, target] of [["compat", "higress"], ["oci", "envoy"]] as const) {
    const ref = `${registry.host}/plugins/${NAME}:1.0.0-${layout}`;
    const pushed = await sh("npx", ["--no-install", "sluice", "push", NAME, ref, "--layout", layout, "--target", target, "--no-build"], proj);
    expect(pushed.code, pushed.out).toBe(0);
    const digest = /@(sha256:[0-9a-f]{64})/.exec(pushed.out)![1];
    const wasm = readFileSync(join(proj, "build", `${target}.wasm`));
    const pull = join(tmp, `pull-${layout}`);
    execFileSync(orasBinary(), ["pull", "--plain-http", "-o", pull, ref], { stdio: "pipe" });
    const manifest = execFileSync(orasBinary(), ["manifest", "fetch", "--plain-http", ref]);
    expect(`sha256:${createHash("sha256").update(manifest).digest("hex")}`).toBe(digest);
    const pulled = layout === "compat" ? untar(gunzipSync(readFileSync(join(pull, "plugin.tar.gz")))).get("plugin.wasm") : readFileSync(join(pull, "plugin.wasm"));
    expect(pulled).toEqual(wasm);
    expect(execFileSync(istioFetch, [ref, join(pull, "istio.wasm")], { encoding: "utf8" }).trim()).toBe(layout);
    expect(readFileSync(join(pull, "istio.wasm"))).toEqual(wasm);
  }

  // deploy: the resources validate against the CRDs; the Envoy snippet has what Envoy needs.
  const ref = `${registry.host}/plugins/${NAME}:1.0.0-compat`;
  const crds = { higress: loadCrd("higress-wasmplugin.yaml"), istio: loadCrd("istio-wasmplugin.yaml") };
  for (const target of ["higress", "istio"] as const) {
    const d = await sh("npx", ["--no-install", "sluice", "deploy", NAME, "--for", target, "--image", ref, "--config", "config.yaml"], proj);
    expect(d.code, d.out).toBe(0);
    expect(validateResource(crds[target], YAML.parse(d.out))).toEqual([]);
  }
  const e = await sh("npx", ["--no-install", "sluice", "deploy", NAME, "--for", "envoy", "--config", "config.yaml"], proj);
  expect(e.code, e.out).toBe(0);
  const cfg = YAML.parse(e.out).http_filters[0].typed_config.config;
  expect(cfg.allow_on_headers_stop_iteration).toBe(true);
  expect(JSON.parse(cfg.configuration.value)).toEqual({ header: "x-greeting", value: "hello" });
}, 600_000);

it("a standalone project compiles with the repository's compiler options", async () => {
  const { ASCONFIG } = await import("../src/project.js");
  expect(ASCONFIG).toEqual(JSON.parse(readFileSync(join(repoRoot, "asconfig.json"), "utf8")));
});

it("a project installs the SDK, harness and CLI from npm pack tarballs, and builds and tests", async () => {
  const pkgs = join(tmp, "packages");
  execFileSync("mkdir", ["-p", pkgs]);
  for (const p of ["sdk", "harness", "cli"]) await run("npm", ["pack", "--pack-destination", pkgs, "--loglevel=error"], { cwd: join(repoRoot, p), env });
  const created = await sh(process.execPath, [cliBundle, "new", "packed", "--packages", pkgs], tmp);
  expect(created.code, created.out).toBe(0);
  const proj = join(tmp, "packed");
  const pkg = JSON.parse(readFileSync(join(proj, "package.json"), "utf8"));
  expect(pkg.dependencies["@sluice/sdk"]).toMatch(/^file:.*\/packages\/sluice-sdk-0\.1\.0\.tgz$/);
  const install = await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], proj);
  expect(install.code, install.out).toBe(0);
  // Real copies in node_modules, not links back into this checkout.
  expect(realpathSync(join(proj, "node_modules", "@sluice", "sdk"))).toBe(join(proj, "node_modules", "@sluice", "sdk"));
  const build = await sh("npx", ["--no-install", "sluice", "build", "--target", "envoy"], proj);
  expect(build.code, build.out).toBe(0);
  // The harness, installed under node_modules, finds func-e and Envoy through SLUICE_ROOT.
  env.SLUICE_ROOT = repoRoot;
  try {
    const tested = await sh("npx", ["--no-install", "sluice", "test"], proj);
    expect(tested.code, tested.out).toBe(0);
    expect(tested.out).toMatch(/Tests\s+2 passed \(2\)/);
  } finally {
    delete env.SLUICE_ROOT;
  }
}, 600_000);
