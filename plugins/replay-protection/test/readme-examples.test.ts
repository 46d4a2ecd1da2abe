// Higress's replay-protection README example, as YAML text exactly as printed there, loads on both
// targets and behaves as its error table says. Its Redis (`redis.static`, port 80) is a real
// redis-server under that cluster name.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { parse } from "yaml";
import { RecordingUpstream, pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { RedisServer } from "../../../harness/src/redis.js";

const EXAMPLE = `
force_nonce: true
nonce_header: "X-Higress-Nonce"    # Specifies the name of the nonce request header
nonce_ttl: 900                    # The validity period of the nonce, set to 900 seconds
nonce_min_length: 8               # The minimum length of the nonce
nonce_max_length: 128             # The maximum length of the nonce
validate_base64: true             # Whether to enable Base64 format verification
reject_code: 429                  # The HTTP status code returned when a request is rejected
reject_msg: "Replay Attack Detected"  # The error message content returned when a request is rejected
redis:
  service_name: redis.static       # The name of the Redis service
  service_port: 80                # The port used by the Redis service
  timeout: 1000                   # The timeout time of Redis operations (unit: milliseconds)
  key_prefix: "replay-protection" # The key prefix in Redis
`;

const fx = { redis: undefined as RedisServer | undefined, up: undefined as RecordingUpstream | undefined };
beforeAll(async () => {
  fx.redis = await RedisServer.start();
  fx.up = await RecordingUpstream.start();
});
afterAll(async () => {
  await fx.redis?.stop();
  await fx.up?.stop();
});

describe.each(["envoy", "higress"] as const)("Higress README example (%s)", (target) => {
  it("the complete example: error table and replay", async () => {
    const host = await Emulator.load(pluginWasm("replay-protection", target), {
      target,
      config: parse(EXAMPLE),
      pluginName: "replay-protection",
      routes: [{ name: "r", prefix: "/", cluster: "up" }],
      clusters: { up: `http://127.0.0.1:${fx.up!.port}`, "outbound|80||redis.static": target === "higress" ? `redis://127.0.0.1:${fx.redis!.redisPort}` : fx.redis!.webdisUrl },
    });
    const send = async (headers: [string, string][]) => {
      const r = await host.request({ method: "POST", path: "/path", headers, body: '{"key": "value"}' });
      expect(host.traps).toEqual([]);
      return [r.status, r.body];
    };
    // nonce=$(openssl rand -base64 32)
    const nonce = Buffer.from(`readme-${target}-0123456789abcdef0123`).toString("base64");
    expect(await send([])).toEqual([400, "Missing Required Header"]);
    expect(await send([["X-Higress-Nonce", "short"]])).toEqual([400, "Invalid Nonce"]);
    expect(await send([["X-Higress-Nonce", "not base64!"]])).toEqual([400, "Invalid Nonce"]);
    expect((await send([["X-Higress-Nonce", nonce]]))[0]).toBe(200);
    expect(await send([["X-Higress-Nonce", nonce]])).toEqual([429, "Replay Attack Detected"]);
    host.close();
  });
});
