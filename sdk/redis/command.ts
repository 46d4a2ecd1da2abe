// Redis commands as argument lists (what both transports send). Names are lower-case, as
// Higress's client sends them; numbers are written in decimal.

export class RedisCommand {
  args: Array<ArrayBuffer> = [];

  /** `utf8`: the name already encoded (a constant kept by the caller), used instead of `name`. */
  constructor(name: string, utf8: ArrayBuffer | null = null) { this.args.push(utf8 !== null ? utf8 : String.UTF8.encode(name)); }

  static named(utf8: ArrayBuffer): RedisCommand { return new RedisCommand("", utf8); }

  str(s: string): RedisCommand { this.args.push(String.UTF8.encode(s)); return this; }
  bytes(b: ArrayBuffer): RedisCommand { this.args.push(b); return this; }
  int(n: i64): RedisCommand { return this.str(n.toString()); }
  float(x: f64): RedisCommand { return this.str(formatScore(x)); }
  strs(list: Array<string>): RedisCommand { for (let i = 0; i < list.length; i++) this.str(list[i]); return this; }

  /** The command name, lower-case. */
  get name(): string { return this.args.length == 0 ? "" : String.UTF8.decode(this.args[0]).toLowerCase(); }
}

/** Scores as Redis prints them: integers without ".0", infinities as +inf/-inf. */
export function formatScore(x: f64): string {
  if (x == Infinity) return "+inf";
  if (x == -Infinity) return "-inf";
  if (isNaN(x)) return "nan";
  if (x == Math.floor(x) && Math.abs(x) < 9007199254740992) return (<i64>x).toString();
  return x.toString();
}

/**
 * The UTF-8 of a script text, encoded once per text and VM: plugins pass a few constant scripts
 * (ai-token-ratelimit's are 0.4–0.7 KB), so a request does not encode them again. Past
 * SCRIPT_TEXTS_MAX distinct texts (scripts built per request) each is encoded afresh, not kept.
 */
const SCRIPT_TEXTS_MAX = 32;
const scriptTexts = new Array<string>();
const scriptBytes = new Array<ArrayBuffer>();
export function scriptUtf8(script: string): ArrayBuffer {
  for (let i = 0, n = scriptTexts.length; i < n; i++) {
    const t = unchecked(scriptTexts[i]);
    if (t == script) return unchecked(scriptBytes[i]); // the same text object compares at once
  }
  const b = String.UTF8.encode(script);
  if (scriptTexts.length < SCRIPT_TEXTS_MAX) { scriptTexts.push(script); scriptBytes.push(b); }
  return b;
}
const EVAL = String.UTF8.encode("eval");
const EVALSHA = String.UTF8.encode("evalsha");

export namespace commands {
  export function get(key: string): RedisCommand { return new RedisCommand("get").str(key); }
  export function set(key: string, value: string): RedisCommand { return new RedisCommand("set").str(key).str(value); }
  export function setBytes(key: string, value: ArrayBuffer): RedisCommand { return new RedisCommand("set").str(key).bytes(value); }
  /** SET key value EX ttl (Higress's SetEx). */
  export function setEx(key: string, value: string, ttlSeconds: i64): RedisCommand { return set(key, value).str("ex").int(ttlSeconds); }
  /** SET key value NX [EX ttl] (Higress's SetNX: the TTL only when > 0). */
  export function setNx(key: string, value: string, ttlSeconds: i64 = 0): RedisCommand {
    const c = set(key, value).str("nx");
    return ttlSeconds > 0 ? c.str("ex").int(ttlSeconds) : c;
  }
  /** SET key value NX PX ms. */
  export function setNxPx(key: string, value: string, ttlMs: i64): RedisCommand { return set(key, value).str("nx").str("px").int(ttlMs); }
  export function incrBy(key: string, delta: i64): RedisCommand { return new RedisCommand("incrby").str(key).int(delta); }
  export function expire(key: string, ttlSeconds: i64): RedisCommand { return new RedisCommand("expire").str(key).int(ttlSeconds); }
  export function del(keys: Array<string>): RedisCommand { return new RedisCommand("del").strs(keys); }
  export function mget(keys: Array<string>): RedisCommand { return new RedisCommand("mget").strs(keys); }
  export function hget(key: string, field: string): RedisCommand { return new RedisCommand("hget").str(key).str(field); }
  export function hset(key: string, field: string, value: string): RedisCommand { return new RedisCommand("hset").str(key).str(field).str(value); }
  export function hincrBy(key: string, field: string, delta: i64): RedisCommand { return new RedisCommand("hincrby").str(key).str(field).int(delta); }
  export function zadd(key: string, score: f64, member: string): RedisCommand { return new RedisCommand("zadd").str(key).float(score).str(member); }
  /** min/max as Redis takes them: "-inf", "(5", "10". */
  export function zrangeByScore(key: string, min: string, max: string): RedisCommand { return new RedisCommand("zrangebyscore").str(key).str(min).str(max); }
  export function zremRangeByScore(key: string, min: string, max: string): RedisCommand { return new RedisCommand("zremrangebyscore").str(key).str(min).str(max); }
  export function evalScript(script: string, keys: Array<string>, args: Array<string>): RedisCommand {
    return RedisCommand.named(EVAL).bytes(scriptUtf8(script)).int(keys.length).strs(keys).strs(args);
  }
  export function evalSha(sha1: string, keys: Array<string>, args: Array<string>): RedisCommand {
    return RedisCommand.named(EVALSHA).str(sha1).int(keys.length).strs(keys).strs(args);
  }
  /** Any command, e.g. raw(["ping"]). */
  export function raw(args: Array<string>): RedisCommand {
    const c = new RedisCommand(args.length > 0 ? args[0] : "ping");
    for (let i = 1; i < args.length; i++) c.str(args[i]);
    return c;
  }
}
