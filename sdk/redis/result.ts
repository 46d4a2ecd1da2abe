// What a Redis command delivers: the reply, or why there is none. Both transports produce the
// same RedisResult for the same reply, and a Redis error reply is a value here, not a trap.
import { RespValue, RespKind } from "./resp";

export class RedisResult {
  constructor(
    /** The decoded reply; null when none arrived. */
    public value: RespValue | null,
    /** Why there is no reply ("cannot connect to redis cluster", "timeout", …); "" when there is one. */
    public failure: string,
  ) {}

  static reply(v: RespValue): RedisResult { return new RedisResult(v, ""); }
  static failed(why: string): RedisResult { return new RedisResult(null, why); }

  /** A reply arrived and it is not a Redis error. */
  get ok(): bool { const v = this.value; return v !== null && !v.isError; }

  /** The failure, or the Redis error message, or null when ok. */
  get error(): string | null {
    const v = this.value;
    if (v === null) return this.failure;
    return v.isError ? v.asString() : null;
  }

  /** A string reply (bulk or simple), null for nil, errors and failures. */
  get string(): string | null {
    const v = this.value;
    if (v === null || v.isError || v.isNil) return null;
    return v.asString();
  }

  /** An integer reply (or a decimal string reply), else `fallback`. */
  int(fallback: i64 = 0): i64 {
    const v = this.value;
    return v === null ? fallback : v.asInt(fallback);
  }

  get isNil(): bool { const v = this.value; return v !== null && v.isNil; }

  /** Elements of an array reply (empty for anything else). */
  get items(): Array<RespValue> {
    const v = this.value;
    return v !== null && v.kind == RespKind.Array ? v.items : new Array<RespValue>();
  }
}

/** Receives the result of one dispatched command, exactly once. */
export interface RedisHandler {
  onRedisResult(result: RedisResult): void;
}
