// A real Redis connection for Higress's proxy_redis_call: raw RESP bytes go out on a TCP socket
// and each reply is read in full (the RESP framing decides where it ends) before it is handed
// back, in order. A connection that cannot be made or breaks fails every waiting call.
import { Socket, connect } from "node:net";
import { RedisStatus } from "./abi.js";

/** Length of the first complete RESP value in `b` from `at`, or -1 if more bytes are needed. */
export function respValueEnd(b: Buffer, at = 0): number {
  if (at >= b.length) return -1;
  const lineEnd = b.indexOf("\r\n", at);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(b[at]);
  const head = b.toString("latin1", at + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case "+": case "-": case ":": case "_": case "#": case ",": case "(":
      return after;
    case "$": case "!": case "=": {
      const n = Number(head);
      if (!Number.isInteger(n)) throw new Error(`bad RESP length '${head}'`);
      if (n < 0) return after;
      return after + n + 2 <= b.length ? after + n + 2 : -1;
    }
    case "*": case "~": case ">": case "%": case "|": {
      let n = Number(head);
      if (!Number.isInteger(n)) throw new Error(`bad RESP count '${head}'`);
      if (n < 0) return after;
      if (type === "%" || type === "|") n *= 2;
      let pos = after;
      for (let i = 0; i < n; i++) {
        pos = respValueEnd(b, pos);
        if (pos < 0) return -1;
      }
      return pos;
    }
    default:
      throw new Error(`bad RESP type byte 0x${b[at].toString(16)}`);
  }
}

export function respCommand(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

export interface RedisReply {
  /** Ok: a reply was read (it may be a RESP error); NetworkError: none was (Higress RedisStatus). */
  status: RedisStatus;
  data: Buffer;
}

interface Waiter {
  resolve: (r: RedisReply) => void;
  internal: boolean;
}

export interface RedisConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  timeoutMs?: number;
}

export class RedisConnection {
  private socket: Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Waiter[] = [];
  private broken = false;

  constructor(readonly opts: RedisConnectionOptions) {}

  private open(): Socket {
    const s = connect({ host: this.opts.host, port: this.opts.port });
    s.setNoDelay(true);
    s.on("data", (d) => this.onData(d));
    const fail = () => this.failAll();
    s.on("error", fail);
    s.on("close", fail);
    this.socket = s;
    // Authentication and database selection go first; their replies are swallowed.
    if (this.opts.password) {
      const auth = this.opts.username ? respCommand("AUTH", this.opts.username, this.opts.password) : respCommand("AUTH", this.opts.password);
      this.send(auth, true);
    }
    if (this.opts.db) this.send(respCommand("SELECT", String(this.opts.db)), true);
    return s;
  }

  private send(query: Buffer, internal: boolean): Promise<RedisReply> {
    return new Promise((resolve) => {
      this.waiters.push({ resolve, internal });
      this.socket!.write(query);
    });
  }

  /** Sends one raw RESP query and resolves with its reply. */
  call(query: Buffer): Promise<RedisReply> {
    if (this.broken || (this.socket && this.socket.destroyed)) {
      this.broken = false;
      this.socket = null;
      this.buf = Buffer.alloc(0);
    }
    if (!this.socket) this.open();
    const p = this.send(query, false);
    const t = this.opts.timeoutMs;
    if (!t) return p;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ status: RedisStatus.NetworkError, data: Buffer.alloc(0) }), t);
      p.then((r) => { clearTimeout(timer); resolve(r); });
    });
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      let end: number;
      try {
        end = respValueEnd(this.buf, 0);
      } catch {
        this.failAll();
        return;
      }
      if (end < 0) return;
      const reply = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end);
      const w = this.waiters.shift();
      if (w && !w.internal) w.resolve({ status: RedisStatus.Ok, data: Buffer.from(reply) });
      else if (w) w.resolve({ status: RedisStatus.Ok, data: Buffer.from(reply) });
    }
  }

  private failAll(): void {
    this.broken = true;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.resolve({ status: RedisStatus.NetworkError, data: Buffer.alloc(0) });
    if (this.socket && !this.socket.destroyed) this.socket.destroy();
  }

  close(): void {
    const s = this.socket;
    this.socket = null;
    this.failAll();
    s?.destroy();
  }
}
