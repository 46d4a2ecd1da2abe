// One HTTP/1 exchange with bytes as they are, the way go-ftw sends a test: the request is written
// on a fresh TCP connection and the answer is read until it is complete (Content-Length, chunked
// end, or close). A request that gets no parseable status line is an error, which is what
// `expect_error` tests check for.
import { connect } from "node:net";

export interface WireResponse {
  status: number;
  /** Status line, headers and whatever body arrived, as received (go-ftw matches `response_contains` against this). */
  raw: Buffer;
  headers: Record<string, string>;
}

/** Sends `request` and reads one response; rejects on a connection error, a bad status line, or `idleMs` of silence before a status line. */
export function exchange(host: string, port: number, request: Buffer, opts: { idleMs?: number; head?: boolean } = {}): Promise<WireResponse> {
  const idleMs = opts.idleMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const raw = Buffer.concat(chunks);
      if (err && !headEnd(raw)) return reject(err);
      const parsed = parseHead(raw);
      if (!parsed) return reject(err ?? new Error(`no HTTP response (${raw.length} bytes: ${JSON.stringify(raw.subarray(0, 60).toString("latin1"))})`));
      resolve({ ...parsed, raw });
    };
    socket.setTimeout(idleMs, () => finish(new Error(`no complete response within ${idleMs} ms of silence`)));
    socket.on("connect", () => socket.write(request));
    socket.on("data", (c) => {
      chunks.push(c);
      if (complete(Buffer.concat(chunks), opts.head ?? false)) finish();
    });
    socket.on("error", (e) => finish(e));
    socket.on("close", () => finish(new Error("connection closed before a response")));
  });
}

function headEnd(raw: Buffer): number {
  const i = raw.indexOf("\r\n\r\n");
  return i < 0 ? 0 : i + 4;
}

function parseHead(raw: Buffer): { status: number; headers: Record<string, string> } | undefined {
  const end = headEnd(raw);
  if (!end) return undefined;
  const lines = raw.subarray(0, end - 4).toString("latin1").split("\r\n");
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0]);
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(":");
    if (colon > 0) headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers };
}

function complete(raw: Buffer, head: boolean): boolean {
  const end = headEnd(raw);
  if (!end) return false;
  const parsed = parseHead(raw);
  if (!parsed) return true;
  const { status, headers } = parsed;
  if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) return true;
  if ((headers["transfer-encoding"] ?? "").toLowerCase().includes("chunked")) return raw.subarray(end).includes("0\r\n\r\n");
  if (headers["content-length"] !== undefined) return raw.length - end >= Number(headers["content-length"]);
  return false;
}
