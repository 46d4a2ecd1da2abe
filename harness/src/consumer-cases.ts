// The case-table runner of the credential auth plugins (basic-auth, key-auth): one request per
// row; an admitted request must reach the upstream with its path and the right X-Mse-Consumer,
// a rejected one must carry the exact message and the plugin's `WWW-Authenticate` challenge.
import { it, expect } from "vitest";
import { http } from "./client.js";

export interface ConsumerCase {
  name: string;
  path: string;
  host?: string;
  headers?: [string, string][];
  status: number;
  message?: string;
  /** The X-Mse-Consumer the upstream must see (null: none). */
  consumer?: string | null;
}

/** Runs `cases` against `gw`; `scheme` is the challenge's scheme ("Basic", "Key"). */
export function runConsumerCases(gw: { url: string }, scheme: string, cases: ConsumerCase[]) {
  it.each(cases)("$name", async (c) => {
    const headers: [string, string][] = [...(c.headers ?? [])];
    if (c.host) headers.push(["host", c.host]);
    const r = await http(gw.url + c.path, { headers });
    expect(r.status).toBe(c.status);
    if (c.status === 200) {
      const seen = JSON.parse(r.body);
      expect(seen.path).toBe(c.path);
      if (c.consumer !== undefined) expect(seen.headers["x-mse-consumer"] ?? null).toBe(c.consumer);
    } else {
      if (c.message) expect(r.body).toBe(c.message);
      expect(r.headers["www-authenticate"]).toBe(`${scheme} realm=MSE Gateway`);
    }
  });
}
