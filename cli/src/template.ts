// The files of a new plugin (sluice new). The plugin adds a response header taken from its
// configuration, so its effect is visible from the first request; its test proves that in Envoy.
import YAML from "yaml";
import { MANIFEST_FILE, type Manifest } from "./manifest.js";
import { readmeBlock } from "./readme.js";

const SOURCE = `// __NAME__: adds a response header whose name and value come from the configuration.
// Start here: parseConfig reads the configuration once per rule, the filter runs per request.
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, registerPlugin, log } from "@sluice/sdk";
export * from "@sluice/sdk/exports";

class __CLS__Config {
  header: string = "x-__NAME__";
  value: string = "";
}

class __CLS__ extends Plugin<__CLS__Config> {
  parseConfig(json: JsonObject, global: __CLS__Config | null, err: ConfigError): __CLS__Config | null {
    const c = new __CLS__Config();
    if (global !== null) { c.header = global.header; c.value = global.value; }
    const header = json.getString("header");
    if (header !== null) {
      if (header.length == 0) return err.fail<__CLS__Config>("'header' must not be empty");
      c.header = header;
    }
    const value = json.getString("value");
    if (value !== null) c.value = value;
    if (c.value.length == 0) return err.fail<__CLS__Config>("'value' is required");
    return c;
  }

  newFilter(): HttpFilter<__CLS__Config> { return new __CLS__Filter(); }
}

class __CLS__Filter extends HttpFilter<__CLS__Config> {
  onResponseHeaders(endOfStream: bool): Action {
    this.responseHeaders.set(this.config.header, this.config.value);
    log.debug("added " + this.config.header);
    return Action.Continue;
  }
}

registerPlugin("__NAME__", () => new __CLS__());
`;

/** The new plugin's manifest: what it is, its two fields, and the example config.yaml holds. */
export function templateManifest(name: string): Manifest {
  return {
    name,
    version: "0.1.0",
    title: name,
    description: "Adds a response header whose name and value come from the configuration.",
    category: "custom",
    phase: "default",
    priority: 100,
    config: {
      properties: {
        header: { type: "string", default: `x-${name}`, description: "name of the response header to set" },
        value: { type: "string", required: true, description: "value of the header" },
      },
    },
    examples: [{ title: "greet every response", config: { header: "x-greeting", value: "hello" } }],
  };
}

export interface TemplateFile {
  path: string;
  content: string;
}

function className(name: string): string {
  return name.split("-").map((p) => p[0].toUpperCase() + p.slice(1)).join("");
}

/** The plugin's source file (docs/sdk.md shows it for "add-header"; a test keeps the two equal). */
export function pluginSource(name: string): string {
  const cls = className(name);
  return SOURCE.replaceAll("__NAME__", name).replaceAll("__CLS__", cls);
}

/**
 * `dir` is where the plugin lands as the user will type it from where they ran `sluice new`
 * (e.g. "plugins/my-plugin"), so the README's commands work when pasted there.
 */
export function pluginTemplate(name: string, dir = `plugins/${name}`): TemplateFile[] {
  const manifest = templateManifest(name);
  return [
    { path: MANIFEST_FILE, content: "# The manifest: the README's configuration table (scripts/gen-plugin-docs.ts), push's spec.yaml\n# and `sluice deploy` come from here.\n" + YAML.stringify(manifest, { lineWidth: 0 }) },
    { path: "package.json", content: JSON.stringify({
      name: `@sluice/plugin-${name}`,
      version: "0.1.0",
      private: true,
      description: `${name}: adds a response header from its configuration`,
      dependencies: { "@sluice/sdk": "0.1.0" },
    }, null, 2) + "\n" },
    { path: "assembly/index.ts", content: pluginSource(name) },
    { path: "README.md", content: `# ${name}

Adds a response header whose name and value come from the configuration.

## Configuration

${readmeBlock(manifest)}

Rules (\`_rules_\` with \`_match_route_\`, \`_match_domain_\`, \`_match_service_\`) work as in every
Higress plugin: a rule's fields override the global ones for the requests it matches.

## Example

\`\`\`yaml
header: x-greeting
value: hello
\`\`\`

## Try it

\`config.yaml\` holds the example above. From the directory you ran \`sluice new\` in:

\`\`\`sh
npx sluice build ${name}
npx sluice run ${name} --config ${dir}/config.yaml --upstream http://127.0.0.1:8080
\`\`\`
` },
    { path: "config.yaml", content: "# the configuration sluice run reads (Higress's defaultConfig; _rules_ work too)\nheader: x-greeting\nvalue: hello\n" },
    { path: "test/envoy.test.ts", content: `// ${name} in a real Envoy: the configured header is added to every response.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RecordingUpstream, http } from "../../../harness/src/index.js";
import { useEnvoy } from "../../../harness/src/vitest.js";

const wasm = join(dirname(fileURLToPath(import.meta.url)), "..", "build", "envoy.wasm");
let upstream: RecordingUpstream;
beforeAll(async () => {
  upstream = await RecordingUpstream.start();
});
afterAll(async () => upstream?.stop());

const gw = useEnvoy(() => ({
  plugins: [{ name: "${name}", wasm, config: { header: "x-greeting", value: "hello", _rules_: [{ _match_route_: ["other"], value: "from a rule" }] } }],
  routes: [
    { name: "other", prefix: "/other", cluster: "up" },
    { name: "default", prefix: "/", cluster: "up" },
  ],
  clusters: [{ name: "up", port: upstream.port }],
}));

describe("${name} in Envoy", () => {
  it("adds the configured header", async () => {
    const r = await http(gw.url + "/hello");
    expect(r.status).toBe(200);
    expect(r.headers["x-greeting"]).toBe("hello");
  });

  it("uses a rule's value on its route", async () => {
    const r = await http(gw.url + "/other");
    expect(r.headers["x-greeting"]).toBe("from a rule");
  });
});
` },
  ];
}
