#!/usr/bin/env node
// Bundles the CLI into one executable ESM file: cli/dist/sluice.mjs (no tsx needed at runtime).
import { buildSync } from "esbuild";
import { chmodSync, existsSync, mkdirSync, renameSync, symlinkSync, lstatSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist", "sluice.mjs");
// Written beside the target and renamed, so a concurrent reader never sees half a file.
const tmp = `${out}.${process.pid}.tmp`;
mkdirSync(dirname(out), { recursive: true });
buildSync({
  entryPoints: [join(here, "src", "main.ts")],
  outfile: tmp,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __sluiceRequire } from 'node:module'; const require = __sluiceRequire(import.meta.url);" },
  logLevel: "warning",
});
chmodSync(tmp, 0o755);
renameSync(tmp, out);
// npm links a workspace's bin only if the file existed at install time; on a fresh clone it did
// not (the bundle is built after `npm ci`), so make the `sluice` link here as npm would.
const binDir = join(here, "..", "node_modules", ".bin");
const bin = join(binDir, "sluice");
let linked = false;
try { lstatSync(bin); linked = true; } catch { /* no link yet */ }
if (!linked && existsSync(binDir)) symlinkSync(relative(binDir, out), bin);
if (!process.argv.includes("--quiet")) console.log(`built ${out}`);
