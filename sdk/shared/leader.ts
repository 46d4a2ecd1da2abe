// Leader election over shared data, with Higress's lease semantics (wasm-go plugin_wrapper.go):
// the lease is JSON {"vmID":…,"timestamp":<unix seconds>} under "higress_wasm_vm_lease:<suffix>",
// written with CAS. The holder renews it; anyone takes it over when it is older than 60 s.
// Call elect() periodically (e.g. from a tick) and act only while isLeader.
import { Status } from "../abi/types";
import * as host from "../runtime/hostcalls";
import { parseJson } from "../json/parse";
import { quoteJsonString } from "../json/value";
import { sharedData } from "./data";

export const LEASE_KEY_PREFIX = "higress_wasm_vm_lease";
export const LEASE_TTL_SECONDS: i64 = 60;

const HEX = "0123456789abcdef";

/** A random UUID v4 (Higress gives each VM one). */
export function randomVmId(): string {
  const b = new ArrayBuffer(16);
  if (!host.randomBytes(b)) {
    // No randomness from the host: fall back to the clock (unique enough per VM start).
    const t = host.currentTimeNanos();
    for (let i = 0; i < 8; i++) store<u8>(changetype<usize>(b) + <usize>i, <u8>(t >> (i * 8)));
  }
  const u = Uint8Array.wrap(b);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += "-";
    s += HEX.charAt(u[i] >> 4) + HEX.charAt(u[i] & 15);
  }
  return s;
}

export class LeaderElection {
  isLeader: bool = false;
  /** Why the last elect() did not lead ("" when leading or when another VM holds the lease). */
  lastError: string = "";
  readonly key: string;
  readonly vmId: string;

  /** `vmId` "" picks a random one; `fingerprint` separates elections (Higress's is empty in practice). */
  constructor(vmId: string = "", fingerprint: string = "") {
    this.key = LEASE_KEY_PREFIX + ":" + fingerprint;
    this.vmId = vmId.length > 0 ? vmId : randomVmId();
  }

  /** Takes or renews the lease; returns isLeader. */
  elect(): bool {
    this.isLeader = this.tryAcquireOrRenew(<i64>(host.currentTimeNanos() / 1000000000));
    return this.isLeader;
  }

  private tryAcquireOrRenew(now: i64): bool {
    const cur = sharedData.get(this.key);
    if (!cur.found || cur.value.byteLength == 0) return this.write(now, cur.cas);
    const parsed = parseJson(cur.text);
    const doc = parsed.ok ? parsed.value!.asObject() : null;
    if (doc === null) { this.lastError = "lease is not valid JSON"; return false; }
    const holder = doc.getString("vmID");
    const ts = <i64>doc.getNumber("timestamp", 0);
    if ((holder !== null && holder == this.vmId) || now - ts > LEASE_TTL_SECONDS) return this.write(now, cur.cas);
    this.lastError = "";
    return false;
  }

  private write(now: i64, cas: u32): bool {
    const lease = "{\"vmID\":" + quoteJsonString(this.vmId) + ",\"timestamp\":" + now.toString() + "}";
    const st = sharedData.setText(this.key, lease, cas);
    if (st != Status.Ok) {
      this.lastError = st == Status.CasMismatch ? "another VM updated the lease first" : "cannot write the lease";
      return false;
    }
    this.lastError = "";
    return true;
  }
}
