// The envoy target's transport: Redis over HTTP through webdis (stock Envoy has no Redis ABI).
//
// Webdis's `.raw` output re-serializes replies and loses detail: nil elements, errors and nested
// arrays inside an array are dropped and integers inside arrays become strings. So every command
// runs inside a small Lua script that encodes the true reply as RESP and returns it as one bulk
// string; we decode the outer bulk and then the RESP inside it, which is exactly what Redis sent.
// A user EVAL script is wrapped the same way (its body becomes a Lua function). EVALSHA cannot be
// wrapped: its reply comes back as webdis prints it. Commands whose reply is always one scalar
// (GET, INCRBY, …) skip the wrapper: webdis prints top-level scalars faithfully, and Redis's error
// texts stay exactly as Redis writes them (inside a script an unknown command reads
// "Unknown Redis command called from script").
//
// Request shape: PUT /[db/]EVAL/<script>/0/<arg>/…/<argN-1>.raw with the last argument as the
// body (binary-safe, no URL length limit; short commands go entirely in the path). Path arguments
// are percent-encoded, '.' included (webdis reads a '.' as the start of the output format).
// Not EVALSHA for a shorter path: Redis answers NOSCRIPT after a restart or SCRIPT FLUSH, and a
// script sent as a request ends (ai-token-ratelimit's add) has nobody left to resend it as EVAL.
import { BytesPair } from "../runtime/pairs";
import { HttpCallResponse } from "../http/call";
import { RedisCommand } from "./command";
import { RedisResult } from "./result";
import { decodeReply, RespKind } from "./resp";

// Lua 5.1 (Redis): RESP of a reply as redis.pcall returns it / as a script returns it.
const LUA_ENCODER =
  "local function enc(v) local t = type(v) " +
  "if t == 'string' then return '$' .. #v .. '\\r\\n' .. v .. '\\r\\n' end " +
  "if t == 'number' then return ':' .. string.format('%d', v) .. '\\r\\n' end " +
  "if t == 'boolean' then if v then return ':1\\r\\n' end return '$-1\\r\\n' end " +
  "if t == 'table' then " +
  "if type(v.err) == 'string' then return '-' .. v.err .. '\\r\\n' end " +
  "if type(v.ok) == 'string' then return '+' .. v.ok .. '\\r\\n' end " +
  "local parts, n = {}, 0 " +
  "while v[n + 1] ~= nil do n = n + 1 parts[n] = enc(v[n]) end " +
  "return '*' .. n .. '\\r\\n' .. table.concat(parts) end " +
  "return '$-1\\r\\n' end ";

/** Runs ARGV as a command and returns its reply as RESP text. */
export const WRAP_COMMAND = LUA_ENCODER + "return enc(redis.pcall(unpack(ARGV)))";

/** Wraps a user script so its return value comes back as RESP text. */
export function wrapScript(script: string): string {
  return LUA_ENCODER + "local r = (function()\n" + script + "\nend)()\nreturn enc(r)";
}

/** Commands whose reply is a single bulk/simple string, integer, nil or error. */
const SCALAR_REPLY = new Set<string>();
function scalarReply(name: string): bool {
  if (SCALAR_REPLY.size == 0) {
    const names = ["get", "set", "setex", "psetex", "setnx", "getset", "getdel", "incr", "incrby", "decr", "decrby", "incrbyfloat",
      "append", "strlen", "exists", "del", "unlink", "expire", "pexpire", "expireat", "persist", "ttl", "pttl", "type",
      "hget", "hset", "hsetnx", "hdel", "hexists", "hlen", "hincrby", "hincrbyfloat",
      "llen", "lpush", "rpush", "lindex", "sadd", "srem", "scard", "sismember",
      "zadd", "zrem", "zcard", "zcount", "zscore", "zincrby", "zrank", "zrevrank", "zremrangebyscore", "zremrangebyrank",
      "ping", "echo", "publish"];
    for (let i = 0; i < names.length; i++) SCALAR_REPLY.add(names[i]);
  }
  return SCALAR_REPLY.has(name);
}

const HEX = "0123456789ABCDEF";

@inline function plainByte(c: u32): bool {
  return (c - 48 < 10) || ((c | 32) - 97 < 26) || c == 45 || c == 95 || c == 126;
}

/** The length of `b` percent-encoded. */
function encodedLength(b: ArrayBuffer): i32 {
  const src = changetype<usize>(b);
  let len = 0;
  for (let i = 0, n = b.byteLength; i < n; i++) len += plainByte(<u32>load<u8>(src + <usize>i)) ? 1 : 3;
  return len;
}

/** Writes `b` percent-encoded at `dst`; returns the address after it. */
function writeEncoded(b: ArrayBuffer, dst: usize): usize {
  const src = changetype<usize>(b);
  const hex = changetype<usize>(HEX);
  let o = dst;
  for (let i = 0, n = b.byteLength; i < n; i++) {
    const c = <u32>load<u8>(src + <usize>i);
    if (plainByte(c)) { store<u8>(o++, <u8>c); continue; }
    store<u8>(o, 37); // '%'
    store<u8>(o + 1, <u8>load<u16>(hex + (<usize>(c >> 4) << 1)));
    store<u8>(o + 2, <u8>load<u16>(hex + (<usize>(c & 15) << 1)));
    o += 3;
  }
  return o;
}

/** Percent-encodes every byte except A-Z a-z 0-9 - _ ~ ('.' and '/' mean something to webdis): ASCII bytes. */
export function encodeSegment(b: ArrayBuffer): ArrayBuffer {
  const out = new ArrayBuffer(encodedLength(b));
  writeEncoded(b, changetype<usize>(out));
  return out;
}

/**
 * A script's EVAL segment (wrapped, percent-encoded), made once per script text and VM: plugins
 * pass a few constant scripts (ai-token-ratelimit's is 1.7 KB encoded), so each request only
 * encodes its keys and arguments. Past SCRIPT_CACHE_MAX distinct scripts (a plugin building
 * scripts per request) each is encoded afresh and not kept.
 */
class EncodedScript {
  constructor(public script: ArrayBuffer, public segment: ArrayBuffer) {}
}
const SCRIPT_CACHE_MAX = 32;
const scriptCache = new Array<EncodedScript>();
let commandSegment: ArrayBuffer | null = null;
const EVAL_SEGMENT = String.UTF8.encode("EVAL");
const ZERO_SEGMENT = String.UTF8.encode("0");

/** A user script, wrapped so its reply comes back as RESP text, as one path segment. */
export function scriptSegment(script: ArrayBuffer): ArrayBuffer {
  const n = script.byteLength;
  for (let i = 0; i < scriptCache.length; i++) {
    const e = unchecked(scriptCache[i]);
    if (e.script == script) return e.segment; // the same bytes (commands' own script cache)
    if (e.script.byteLength == n && memory.compare(changetype<usize>(e.script), changetype<usize>(script), <usize>n) == 0) return e.segment;
  }
  const segment = encodeSegment(String.UTF8.encode(wrapScript(String.UTF8.decode(script))));
  if (scriptCache.length < SCRIPT_CACHE_MAX) scriptCache.push(new EncodedScript(script, segment));
  return segment;
}

/** WRAP_COMMAND (runs any command given as ARGV) as one path segment. */
function wrapCommandSegment(): ArrayBuffer {
  let s = commandSegment;
  if (s === null) {
    s = encodeSegment(String.UTF8.encode(WRAP_COMMAND));
    commandSegment = s;
  }
  return s;
}

export class WebdisRequest {
  /** `path`: the request path as bytes (ASCII: every argument in it is percent-encoded). */
  constructor(public path: ArrayBuffer, public body: ArrayBuffer, public wrapped: bool) {}
}

/**
 * The path and body for webdis: `/[db/]seg/…/seg.raw`, the last argument in the body when it is
 * not empty and at least one argument precedes it in the path (webdis appends the body after
 * the path's arguments and ignores an empty one). `first` are already-encoded segments, then
 * `args` from `from` on. The path is written once, into a buffer of its final length.
 */
function buildRequest(db: i32, first: Array<ArrayBuffer>, args: Array<ArrayBuffer>, from: i32, wrapped: bool): WebdisRequest {
  const total = first.length + args.length - from;
  const last = args.length > from ? args[args.length - 1] : new ArrayBuffer(0);
  const inBody = last.byteLength > 0 && total > 2;
  const end = inBody ? args.length - 1 : args.length;
  const dbText = db != 0 ? db.toString() : "";
  let len = dbText.length > 0 ? 1 + dbText.length : 0;
  for (let i = 0; i < first.length; i++) len += 1 + first[i].byteLength;
  for (let i = from; i < end; i++) len += 1 + encodedLength(args[i]);
  len += 4; // ".raw"
  const path = new ArrayBuffer(len);
  let o = changetype<usize>(path);
  if (dbText.length > 0) {
    store<u8>(o++, 47);
    for (let i = 0; i < dbText.length; i++) store<u8>(o++, <u8>dbText.charCodeAt(i));
  }
  for (let i = 0; i < first.length; i++) {
    const seg = first[i];
    store<u8>(o++, 47); // '/'
    memory.copy(o, changetype<usize>(seg), <usize>seg.byteLength);
    o += <usize>seg.byteLength;
  }
  for (let i = from; i < end; i++) {
    store<u8>(o++, 47);
    o = writeEncoded(args[i], o);
  }
  store<u32>(o, 0x7761722e); // ".raw"
  return new WebdisRequest(path, inBody ? last : new ArrayBuffer(0), wrapped);
}

/** The HTTP request webdis needs for one command. */
export function webdisRequest(cmd: RedisCommand, db: i32): WebdisRequest {
  const name = cmd.name;
  if (name == "evalsha" || scalarReply(name)) return buildRequest(db, [], cmd.args, 0, false);
  if (name == "eval" && cmd.args.length >= 2) return buildRequest(db, [EVAL_SEGMENT, scriptSegment(cmd.args[1])], cmd.args, 2, true);
  return buildRequest(db, [EVAL_SEGMENT, wrapCommandSegment(), ZERO_SEGMENT], cmd.args, 0, true);
}

const WEBDIS_HEADERS: Array<BytesPair> = [new BytesPair(String.UTF8.encode("content-type"), String.UTF8.encode("application/octet-stream"))];
export const PUT = String.UTF8.encode("PUT");

export function webdisHeaders(): Array<BytesPair> { return WEBDIS_HEADERS; }

/** Turns webdis's HTTP answer into the reply Redis gave (or why there is none). */
export function webdisResult(r: HttpCallResponse, wrapped: bool): RedisResult {
  if (r.reason.length > 0) return RedisResult.failed("cannot get redis response: " + r.reason);
  if (r.status == 503) return RedisResult.failed("cannot connect to redis cluster");
  // Envoy answers a callout timeout itself with 504.
  if (r.status == 504) return RedisResult.failed("cannot get redis response: timeout");
  if (r.status != 200) return RedisResult.failed("webdis answered HTTP " + r.status.toString());
  const outer = decodeReply(r.body);
  if (!outer.ok) return RedisResult.failed("cannot read redis response: " + outer.error);
  const v = outer.value!;
  if (!wrapped || v.kind != RespKind.BulkString) return RedisResult.reply(v);
  const inner = decodeReply(v.bytes);
  if (!inner.ok) return RedisResult.failed("cannot read redis response: " + inner.error);
  return RedisResult.reply(inner.value!);
}
