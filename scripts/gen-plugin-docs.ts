// Regenerates what each plugin's README takes from its manifest (plugins/<name>/plugin.yaml): the
// configuration table and the three deployment snippets between <!-- config:begin --> and
// <!-- config:end -->. With --check it
// changes nothing and exits 1 naming the READMEs that are stale (cli/test/manifest.test.ts runs it).
// Usage: node --import tsx scripts/gen-plugin-docs.ts [--check] [plugin…]
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadManifest } from "../cli/src/manifest.js";
import { withReadmeBlock } from "../cli/src/readme.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const names = args.filter((a) => !a.startsWith("--"));
const all = readdirSync(join(root, "plugins")).filter((n) => existsSync(join(root, "plugins", n, "plugin.yaml"))).sort();
let stale = 0;
for (const name of names.length ? names : all) {
  const dir = join(root, "plugins", name);
  const m = loadManifest(dir);
  if (!m) {
    console.error(`${name}: no plugin.yaml`);
    stale++;
    continue;
  }
  const file = join(dir, "README.md");
  const before = readFileSync(file, "utf8");
  const after = withReadmeBlock(before, m);
  if (after === before) continue;
  if (check) {
    console.error(`plugins/${name}/README.md: configuration table is not what plugin.yaml says (run: node --import tsx scripts/gen-plugin-docs.ts ${name})`);
    stale++;
  } else {
    writeFileSync(file, after);
    console.log(`plugins/${name}/README.md: configuration table regenerated`);
  }
}
process.exit(stale ? 1 : 0);
