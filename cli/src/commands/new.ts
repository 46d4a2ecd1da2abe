// sluice new <name>: scaffolds plugins/<name> from the template; never overwrites.
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { CliError } from "../errors.js";
import { pluginTemplate } from "../template.js";
import type { Workspace } from "../workspace.js";

export const NAME_RULE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function validatePluginName(name: string): void {
  if (!NAME_RULE.test(name) || name.length > 63) {
    throw new CliError(`invalid plugin name '${name}': use lowercase letters, digits and single dashes, starting with a letter (e.g. 'my-plugin')`);
  }
}

export function newPlugin(ws: Workspace, name: string): string {
  validatePluginName(name);
  const dir = join(ws.pluginsDir, name);
  if (existsSync(dir)) throw new CliError(`${relative(process.cwd(), dir) || dir} already exists; not overwriting it`);
  const shown = relative(process.cwd(), dir) || dir;
  for (const f of pluginTemplate(name, shown)) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content, { flag: "wx" });
  }
  return dir;
}

/** How the user invokes this CLI: `sluice` if that name is on PATH, else `npx sluice`. */
export function selfCommand(path = process.env.PATH ?? ""): string {
  for (const d of path.split(delimiter)) {
    if (!d) continue;
    try {
      accessSync(join(d, "sluice"), constants.X_OK);
      return "sluice";
    } catch {
      /* not here */
    }
  }
  return "npx sluice";
}
