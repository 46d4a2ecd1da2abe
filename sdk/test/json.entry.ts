// Test entry: exposes the JSON parser to Node.
import { parseJson } from "../json/parse";
export function roundTrip(text: string): string {
  const r = parseJson(text);
  return r.ok ? r.value!.stringify() : "ERR:" + r.error;
}
