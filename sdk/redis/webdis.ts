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
// body (binary-safe, no URL length limit; short commands go entirely in the path). Path arguments are percent-encoded, '.' included
// (webdis reads a '.' as the start of the output format).
import { HeaderPair } from "../runtime/pairs";
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

/** Percent-encodes every byte except A-Z a-z 0-9 - _ ~ ('.' and '/' mean something to webdis). */
export function encodeSegment(b: ArrayBuffer): string {
  const u = Uint8Array.wrap(b);
  let out = "";
  for (let i = 0; i < u.length; i++) {
    const c = u[i];
    const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 || c == 126;
    if (plain) out += String.fromCharCode(c);
    else out += "%" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
  }
  return out;
}

export class WebdisRequest {
  constructor(public path: string, public body: ArrayBuffer, public wrapped: bool) {}
}

/** The HTTP request webdis needs for one command. */
export function webdisRequest(cmd: RedisCommand, db: i32): WebdisRequest {
  const name = cmd.name;
  let args: Array<ArrayBuffer>;
  let wrapped = true;
  if (name == "evalsha" || scalarReply(name)) {
    args = cmd.args;
    wrapped = false;
  } else if (name == "eval" && cmd.args.length >= 2) {
    args = [String.UTF8.encode("EVAL"), String.UTF8.encode(wrapScript(String.UTF8.decode(cmd.args[1])))];
    for (let i = 2; i < cmd.args.length; i++) args.push(cmd.args[i]);
  } else {
    args = [String.UTF8.encode("EVAL"), String.UTF8.encode(WRAP_COMMAND), String.UTF8.encode("0")];
    for (let i = 0; i < cmd.args.length; i++) args.push(cmd.args[i]);
  }
  let path = db != 0 ? "/" + db.toString() : "";
  const last = args[args.length - 1];
  // Webdis appends the body only after at least one path argument, and ignores an empty body.
  const inBody = last.byteLength > 0 && args.length > 2;
  const n = inBody ? args.length - 1 : args.length;
  for (let i = 0; i < n; i++) path += "/" + encodeSegment(args[i]);
  path += ".raw";
  return new WebdisRequest(path, inBody ? last : new ArrayBuffer(0), wrapped);
}

export function webdisHeaders(): Array<HeaderPair> {
  return [new HeaderPair("content-type", "application/octet-stream")];
}

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
