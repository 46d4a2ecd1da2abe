// Higress's control plane expands `${secret.<ns>/<name>.<key>}` (or `${secret.<name>.<key>}`) in a
// plugin's configuration with a value from a Kubernetes Secret before the configuration reaches
// the plugin. Nothing expands it in a plain Envoy or in `sluice run`: taken as it is, the template
// text itself would become the credential (a key-auth key anyone can read in the docs). So a
// configuration that still holds one is refused, with a message that says why.
import { JsonObject, JsonValue } from "../json/value";

const MARK = "${secret.";

/**
 * The path of the first string in `doc` holding a `${secret.…}` template (e.g.
 * `consumers[0].credential`), or null when there is none. Iterative: any nesting depth the JSON
 * parser accepted is walked without recursion.
 */
export function findSecretTemplate(doc: JsonObject): string | null {
  const values = new Array<JsonValue>();
  const paths = new Array<string>();
  for (let i = 0; i < doc.keys.length && i < doc.values.length; i++) {
    values.push(unchecked(doc.values[i]));
    paths.push(unchecked(doc.keys[i]));
  }
  while (values.length > 0) {
    const v = values.pop();
    const path = paths.pop();
    if (v.isString) {
      if (v.str.includes(MARK)) return path;
    } else if (v.isArray) {
      const a = v.arr;
      if (a !== null) for (let i = 0; i < a.length; i++) { values.push(unchecked(a[i])); paths.push(path + "[" + i.toString() + "]"); }
    } else if (v.isObject) {
      const o = v.obj;
      if (o !== null) for (let i = 0; i < o.keys.length && i < o.values.length; i++) { values.push(unchecked(o.values[i])); paths.push(path + "." + unchecked(o.keys[i])); }
    }
  }
  return null;
}

export function secretTemplateError(path: string): string {
  return "'" + path + "' holds a ${secret.…} template: only Higress's control plane expands those (from a Kubernetes Secret) before the plugin sees its configuration; outside Higress put the value itself in the configuration";
}
