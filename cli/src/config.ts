// Reads a plugin configuration file (YAML or JSON: what Higress's WasmPlugin defaultConfig holds)
// and turns it into the JSON string the plugin receives.
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { CliError } from "./errors.js";

export function readPluginConfig(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (e as Error).message;
    throw new CliError(`cannot read config file ${file}: ${why}`);
  }
  if (!text.trim()) return "{}";
  let value: unknown;
  try {
    value = YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    const err = e as Error & { linePos?: { line: number; col: number }[] };
    const pos = err.linePos?.[0];
    const msg = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new CliError(`config file ${file}${pos ? `:${pos.line}:${pos.col}` : ""} is not valid YAML/JSON: ${msg}`);
  }
  if (value === null || value === undefined) return "{}";
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new CliError(`config file ${file} must hold an object (the plugin's configuration), not ${Array.isArray(value) ? "a list" : typeof value}`);
  }
  return JSON.stringify(value);
}
