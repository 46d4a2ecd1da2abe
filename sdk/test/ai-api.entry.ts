// Test entry: sdk/ai/api path classification exposed to Node.
import { classifyAiPath, aiApiName, aiApiSpendsTokens } from "../ai/api";

/** The API name of a path given one byte per char (latin1), as ":path" bytes reach a plugin. */
export function classify(bytes: string): string {
  const b = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) b[i] = <u8>bytes.charCodeAt(i);
  const api = classifyAiPath(b.buffer);
  return aiApiName(api) + (aiApiSpendsTokens(api) ? "+tokens" : "");
}
