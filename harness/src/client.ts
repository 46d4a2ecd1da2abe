// A small HTTP client for tests: raw control over headers (duplicates, odd casing, Host),
// which fetch() does not give.
import { request } from "node:http";

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpOptions {
  method?: string;
  /** Header pairs; repeat a name to send it twice. */
  headers?: [string, string][] | Record<string, string>;
  body?: string | Buffer;
  /** Send the body in these many chunks (chunked transfer encoding). */
  chunks?: number;
}

export function http(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  const u = new URL(url);
  const pairs: [string, string][] = Array.isArray(opts.headers) ? opts.headers : Object.entries(opts.headers ?? {});
  const flat: string[] = [];
  if (!pairs.some(([k]) => k.toLowerCase() === "host")) flat.push("host", u.host);
  for (const [k, v] of pairs) flat.push(k, v);
  if (opts.body !== undefined && (opts.chunks ?? 1) <= 1 && !pairs.some(([k]) => k.toLowerCase() === "content-length")) {
    flat.push("content-length", String(Buffer.byteLength(opts.body)));
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: u.port, path: u.pathname + u.search, method: opts.method ?? (opts.body ? "POST" : "GET"), headers: flat as unknown as Record<string, string>, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (opts.body !== undefined) {
      const buf = Buffer.from(opts.body);
      const n = Math.max(1, Math.min(opts.chunks ?? 1, buf.length));
      if (n === 1) req.end(buf);
      else {
        const size = Math.ceil(buf.length / n);
        let off = 0;
        const next = () => {
          if (off >= buf.length) return req.end();
          req.write(buf.subarray(off, off + size));
          off += size;
          setTimeout(next, 5);
        };
        next();
      }
    } else req.end();
  });
}
