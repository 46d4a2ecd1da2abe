// `sluice new NAME` outside a Sluice checkout: a self-contained plugin project in ./NAME. It
// depends on the SDK, the harness and the CLI as npm packages (by path to the checkout this CLI
// was built in; `npm pack` in sdk/, harness/ and cli/ makes tarballs that work the same), and
// on AssemblyScript and vitest from the registry.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { CliError } from "./errors.js";
import { validatePluginName } from "./commands/new.js";
import { pluginTemplate, type TemplateFile } from "./template.js";
import { homeRepo } from "./workspace.js";

/** Same options and targets as the repository's asconfig.json (a test keeps them equal). */
export const ASCONFIG = {
  options: { exportStart: "_initialize", runtime: "minimal", optimizeLevel: 3, shrinkLevel: 1, noAssert: false, debug: false },
  targets: { envoy: { use: ["SLUICE_HIGRESS=0"] }, higress: { use: ["SLUICE_HIGRESS=1"] } },
};

/** Where the Sluice packages come from: `npm pack` tarballs in a directory, else the checkout's folders. */
export interface PackageSource {
  home?: string;
  tarballs?: string;
}

function dep(src: PackageSource, pkg: "sdk" | "harness" | "cli"): string {
  if (src.tarballs) {
    const tgz = readdirSync(src.tarballs).filter((f) => f.startsWith(`sluice-${pkg}-`) && f.endsWith(".tgz")).sort().pop();
    if (!tgz) throw new CliError(`no sluice-${pkg}-*.tgz in ${src.tarballs} (make it with 'npm pack' in ${pkg}/)`);
    return `file:${join(resolve(src.tarballs), tgz)}`;
  }
  return src.home ? `file:${join(src.home, pkg)}` : "0.1.0";
}

export function projectTemplate(name: string, src: PackageSource = { home: homeRepo() }): TemplateFile[] {
  const files = pluginTemplate(name, ".").filter((f) => f.path !== "test/envoy.test.ts" && f.path !== "package.json");
  const readme = files.find((f) => f.path === "README.md")!;
  readme.content = readme.content.replace(/## Try it[\s\S]*$/, `## Try it

\`\`\`sh
npm install
npx sluice build                 # build/envoy.wasm and build/higress.wasm
npx sluice test                  # test/envoy.test.ts in a real Envoy
npx sluice run ${name} --config config.yaml --upstream http://127.0.0.1:8080
npx sluice push ${name} registry.example.com/plugins/${name}:0.1.0
npx sluice deploy ${name} --for higress --image registry.example.com/plugins/${name}:0.1.0
\`\`\`
`);
  return [
    ...files,
    {
      path: "package.json",
      content: JSON.stringify({
        name,
        version: "0.1.0",
        private: true,
        type: "module",
        description: `${name}: adds a response header from its configuration (a Sluice proxy-wasm plugin)`,
        scripts: { build: "sluice build", test: "sluice test" },
        dependencies: { "@sluice/sdk": dep(src, "sdk") },
        devDependencies: { "@sluice/harness": dep(src, "harness"), "@sluice/cli": dep(src, "cli"), assemblyscript: "^0.28.20", vitest: "^3.2.7" },
      }, null, 2) + "\n",
    },
    { path: "asconfig.json", content: JSON.stringify(ASCONFIG, null, 2) + "\n" },
    { path: ".gitignore", content: "node_modules/\nbuild/\n" },
    {
      // The harness is TypeScript: let vitest compile it even when it is installed from a tarball.
      path: "vitest.config.ts",
      content: `import { defineConfig } from "vitest/config";\n\nexport default defineConfig({\n  test: { testTimeout: 60_000, hookTimeout: 120_000, server: { deps: { inline: [/@sluice\\/harness/] } } },\n});\n`,
    },
    {
      path: "test/envoy.test.ts",
      content: `// ${name} in a real Envoy: the configured header is added to every response.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Envoy, RecordingUpstream, http } from "@sluice/harness";

const wasm = join(dirname(fileURLToPath(import.meta.url)), "..", "build", "envoy.wasm");
let upstream: RecordingUpstream;
let envoy: Envoy;
beforeAll(async () => {
  upstream = await RecordingUpstream.start();
  envoy = await Envoy.start({
    plugins: [{ name: "${name}", wasm, config: { header: "x-greeting", value: "hello", _rules_: [{ _match_route_: ["other"], value: "from a rule" }] } }],
    routes: [
      { name: "other", prefix: "/other", cluster: "up" },
      { name: "default", prefix: "/", cluster: "up" },
    ],
    clusters: [{ name: "up", port: upstream.port }],
  });
});
afterAll(async () => {
  await envoy?.stop();
  await upstream?.stop();
});

describe("${name} in Envoy", () => {
  it("adds the configured header", async () => {
    const r = await http(envoy.url + "/hello");
    expect(r.status).toBe(200);
    expect(r.headers["x-greeting"]).toBe("hello");
  });

  it("uses a rule's value on its route", async () => {
    const r = await http(envoy.url + "/other");
    expect(r.headers["x-greeting"]).toBe("from a rule");
  });
});
`,
    },
  ];
}

/** Writes ./NAME (never over an existing directory); returns its path. */
export function newProject(name: string, where = process.cwd(), packages?: string): string {
  validatePluginName(name);
  const src: PackageSource = packages ? { tarballs: packages } : { home: homeRepo() };
  const files = projectTemplate(name, src); // a missing tarball fails before anything is written
  const dir = resolve(where, name);
  if (existsSync(dir)) throw new CliError(`${relative(process.cwd(), dir) || dir} already exists; not overwriting it`);
  for (const f of files) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content, { flag: "wx" });
  }
  return dir;
}
