// Rows of the plugins' Envoy case tables: a request (path, host, headers) and what must come back.
// The credential auth plugins (basic-auth, key-auth) share a runner: an admitted request must reach
// the upstream with its path and the right X-Mse-Consumer, a rejected one must carry the exact
// message and the plugin's `WWW-Authenticate` challenge.
import { it, expect } from "vitest";
import { http, type HttpResult } from "./client.js";
import { rawHttp } from "./raw-http.js";

export interface RequestCase {
  name: string;
  path: string;
  host?: string;
  /** A Buffer value goes on the wire byte for byte (raw socket; Node's client would refuse it). */
  headers?: [string, string | Buffer][];
  status: number;
  message?: string;
}

export interface ConsumerCase extends RequestCase {
  /** The X-Mse-Consumer the upstream must see (null: none). */
  consumer?: string | null;
}

/** Sends a row's request through `gw`: its headers, plus `host` when set. */
export function sendCase(gw: { url: string }, c: RequestCase): Promise<HttpResult> {
  const headers: [string, string | Buffer][] = [...(c.headers ?? [])];
  if (c.host) headers.push(["host", c.host]);
  if (headers.some(([, v]) => typeof v !== "string")) return rawHttp(gw.url + c.path, { headers });
  return http(gw.url + c.path, { headers: headers as [string, string][] });
}

/** Runs `cases` against `gw`; `scheme` is the challenge's scheme ("Basic", "Key"). */
export function runConsumerCases(gw: { url: string }, scheme: string, cases: ConsumerCase[]) {
  it.each(cases)("$name", async (c) => {
    const r = await sendCase(gw, c);
    expect(r.status).toBe(c.status);
    if (c.status === 200) {
      const seen = JSON.parse(r.body);
      expect(seen.path).toBe(c.path);
      if (c.consumer !== undefined) expect(seen.headers["x-mse-consumer"] ?? null).toBe(c.consumer);
      // An upstream that folds '_' into '-' (or ignores case) must find no second consumer name.
      if (c.consumer) expect(Object.keys(seen.headers).filter((k) => k.toLowerCase().replace(/_/g, "-") === "x-mse-consumer")).toEqual(["x-mse-consumer"]);
    } else {
      if (c.message) expect(r.body).toBe(c.message);
      expect(r.headers["www-authenticate"]).toBe(`${scheme} realm=MSE Gateway`);
    }
  });
}
