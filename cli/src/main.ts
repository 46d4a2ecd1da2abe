// The sluice command: new, build, run, push. Every failure the user can act on is one line on
// stderr ("sluice <command>: …") and a non-zero exit code.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { buildPlugins, TARGETS, type Target } from "./commands/build.js";
import { newPlugin, selfCommand } from "./commands/new.js";
import { push } from "./commands/push.js";
import { deploy, type DeployTarget } from "./commands/deploy.js";
import { run } from "./commands/run.js";
import { CliError } from "./errors.js";
import { findWorkspace, pluginDir, repoAround } from "./workspace.js";
import { newProject } from "./project.js";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";

const VERSION = "0.1.0";

const USAGE = `sluice ${VERSION}: build, run and publish proxy-wasm plugins written with the Sluice SDK

usage:
  sluice new <name> [--packages dir]       scaffold plugins/<name> in a Sluice checkout, else ./<name>
                                           as a standalone project (a working plugin and its test);
                                           --packages: a project using npm pack tarballs from dir
  sluice test [plugin…]                    run the plugin's tests (vitest)
  sluice build [plugin…] [--target t] [--force]
                                           compile for envoy and higress (default: every plugin),
                                           in parallel; up-to-date modules are kept
  sluice run <plugin> --config <file> --upstream <url> [--port n] [--host a] [--admin-port n]
             [--log-level l] [--plugin-log-level l] [--no-build]
             [--upstream-ca file | --upstream-insecure] [--logs]
                                           Envoy (func-e) with the plugin in front of the upstream;
                                           config reloads when the file changes
  sluice push <plugin> <registry>/<repo>:<tag> [--layout compat|oci] [--target higress|envoy]
             [--insecure] [--no-build] [--retries n]
                                           build and push an image Higress and Istio can pull
  sluice deploy <plugin> --for higress|istio|envoy [--image ref] [--config file]
             [--namespace ns] [--wasm-path path]
                                           print a Higress or Istio WasmPlugin, or the Envoy
                                           filter snippet, checked against the plugin's schema
  sluice help | --help | --version

docs: docs/cli.md`;

type Options = NonNullable<ParseArgsConfig["options"]>;

const OPTIONS: Record<string, Options> = {
  new: { packages: { type: "string" } },
  test: {},
  build: { target: { type: "string" }, force: { type: "boolean" } },
  run: {
    config: { type: "string", short: "c" },
    upstream: { type: "string", short: "u" },
    port: { type: "string", short: "p" },
    host: { type: "string" },
    "admin-port": { type: "string" },
    "log-level": { type: "string" },
    "plugin-log-level": { type: "string" },
    "no-build": { type: "boolean" },
    "upstream-ca": { type: "string" },
    logs: { type: "boolean" },
    "upstream-insecure": { type: "boolean" },
  },
  push: {
    layout: { type: "string" },
    target: { type: "string" },
    insecure: { type: "boolean" },
    "no-build": { type: "boolean" },
    retries: { type: "string" },
  },
  deploy: {
    for: { type: "string" },
    image: { type: "string" },
    config: { type: "string", short: "c" },
    namespace: { type: "string" },
    "wasm-path": { type: "string" },
  },
};

function parse(command: string, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { ...OPTIONS[command], help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${(e as Error).message.split("\n")[0]} (see 'sluice help')`, 2);
  }
}

function intOption(name: string, value: string | undefined, def: number, min = 0, max = 65535): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be an integer between ${min} and ${max}, not '${value}'`, 2);
  return n;
}

function target(value: string | undefined, def: Target): Target {
  const t = (value ?? def) as Target;
  if (!TARGETS.includes(t)) throw new CliError(`--target must be envoy or higress, not '${value}'`, 2);
  return t;
}

const LEVELS = ["trace", "debug", "info", "warning", "warn", "error", "critical", "off"];
function level(name: string, value: string | undefined, def: string): string {
  const v = value ?? def;
  if (!LEVELS.includes(v)) throw new CliError(`--${name} must be one of ${LEVELS.join(", ")}`, 2);
  return v;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === "--version" || command === "-v") {
    console.log(VERSION);
    return 0;
  }
  if (!(command in OPTIONS)) throw new CliError(`unknown command '${command}' (commands: new, build, test, run, push, deploy; see 'sluice help')`, 2);
  const parsed = parse(command, rest);
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const pos = parsed.positionals;
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  if (command === "new") {
    if (pos.length !== 1) throw new CliError("usage: sluice new <name>", 2);
    // Inside a Sluice checkout: plugins/<name>. Anywhere else: ./<name>, a project of its own.
    const repo = v.packages ? undefined : repoAround();
    if (repo) {
      const dir = newPlugin(repo, pos[0]);
      const rel = relative(process.cwd(), dir) || dir;
      console.log(`created ${rel}/ (assembly/index.ts, plugin.yaml, README.md, config.yaml, package.json, test/envoy.test.ts)`);
      console.log(`next: ${selfCommand()} build ${pos[0]} && npx vitest run ${rel}`);
    } else {
      const dir = newProject(pos[0], process.cwd(), v.packages as string | undefined);
      const rel = relative(process.cwd(), dir) || dir;
      console.log(`created ${rel}/, a standalone plugin project (package.json, asconfig.json, assembly/index.ts, plugin.yaml, README.md, config.yaml, test/envoy.test.ts)`);
      console.log(`next: cd ${rel} && npm install && npx sluice build && npx sluice test`);
    }
    return 0;
  }
  const ws = findWorkspace();
  switch (command) {
    case "test": {
      const names = pos.length ? pos : ws.project ? [ws.project.name] : [];
      if (!ws.project && names.length === 0) throw new CliError("usage: sluice test <plugin…> (inside a Sluice checkout)", 2);
      const dirs = names.map((n) => pluginDir(ws, n));
      const vitest = join(ws.root, "node_modules", "vitest", "vitest.mjs");
      if (!existsSync(vitest)) throw new CliError(`${vitest} is missing: run 'npm install' first`);
      const args = ws.project ? ["run"] : ["run", ...dirs.map((d) => relative(ws.root, d))];
      const r = spawnSync(process.execPath, [vitest, ...args], { cwd: ws.root, stdio: "inherit" });
      return r.status ?? 1;
    }
    case "build": {
      const targets = v.target ? [target(v.target as string, "envoy")] : TARGETS;
      await buildPlugins(ws, pos, targets, { force: Boolean(v.force) });
      return 0;
    }
    case "run": {
      if (pos.length !== 1) throw new CliError("usage: sluice run <plugin> --config <file> --upstream <url>", 2);
      await run(ws, pos[0], {
        config: v.config as string,
        upstream: v.upstream as string,
        port: intOption("port", v.port as string | undefined, 10000),
        host: (v.host as string | undefined) ?? "127.0.0.1",
        adminPort: intOption("admin-port", v["admin-port"] as string | undefined, 0),
        logLevel: level("log-level", v["log-level"] as string | undefined, "warning"),
        pluginLogLevel: level("plugin-log-level", v["plugin-log-level"] as string | undefined, "debug"),
        build: !v["no-build"],
        upstreamCa: v["upstream-ca"] as string | undefined,
        logs: Boolean(v.logs),
        upstreamInsecure: Boolean(v["upstream-insecure"]),
      });
      return 0; // run exits the process itself when Envoy stops
    }
    case "push": {
      if (pos.length !== 2) throw new CliError("usage: sluice push <plugin> <registry>/<repo>:<tag>", 2);
      await push(ws, pos[0], pos[1], {
        layout: ((v.layout as string | undefined) ?? "compat") as "compat" | "oci",
        target: target(v.target as string | undefined, "higress"),
        insecure: Boolean(v.insecure),
        build: !v["no-build"],
        retries: intOption("retries", v.retries as string | undefined, 4, 0, 20),
      });
      return 0;
    }
    case "deploy": {
      if (pos.length !== 1) throw new CliError("usage: sluice deploy <plugin> --for higress|istio|envoy", 2);
      process.stdout.write(deploy(ws, pos[0], {
        for: v.for as DeployTarget,
        image: v.image as string | undefined,
        config: v.config as string | undefined,
        namespace: v.namespace as string | undefined,
        wasmPath: v["wasm-path"] as string | undefined,
      }));
      return 0;
    }
  }
  return 2;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    if (argv[0] !== "run") process.exit(code);
  },
  (e) => {
    if (e instanceof CliError) {
      console.error(`sluice ${argv[0] ?? ""}: ${e.message}`.replace("sluice : ", "sluice: "));
      process.exit(e.exitCode);
    }
    console.error(`sluice ${argv[0] ?? ""}: internal error: ${(e as Error).stack ?? e}`);
    process.exit(70);
  },
);
