// The WASI functions cpp-host registers: stdout/stderr become log lines, the environment comes
// from the options, the clocks are the host's; the rest are the same stubs Envoy has.
import { randomFillSync } from "node:crypto";
import { LogLevel, WasiErrno } from "./abi.js";
import type { HostContext, HostFunctions } from "./types.js";

const enc = (s: string) => Buffer.from(s, "utf8");

/** WASI's monotonic clock id (0 is the realtime clock). */
const CLOCK_MONOTONIC = 1;
const STDOUT = 1, STDERR = 2;

export function wasiImports(h: HostContext): HostFunctions {
  const { Success, Badf, Fault, Inval, Noent, Nosys } = WasiErrno;
  const envList = () => Object.entries(h.options.environment ?? {}).map(([k, v]) => enc(`${k}=${v}\0`));
  return {
    fd_write(fd: number, iovs: number, n: number, retWritten: number) {
      if (fd !== STDOUT && fd !== STDERR) return Badf;
      const parts: Buffer[] = [];
      const dv = h.mem.view();
      for (let i = 0; i < n; i++) {
        const p = dv.getUint32(iovs + i * 8, true);
        const l = dv.getUint32(iovs + i * 8 + 4, true);
        const b = h.mem.read(p, l);
        if (b === null) return Fault;
        parts.push(b);
      }
      const text = Buffer.concat(parts);
      h.pushLog(fd === STDOUT ? LogLevel.Info : LogLevel.Error, text.toString("utf8"), h.effective);
      h.mem.writeU32(retWritten, text.length);
      return Success;
    },
    fd_read: () => Nosys,
    fd_seek: () => Success,
    fd_close: () => Success,
    fd_fdstat_get: () => Success,
    fd_fdstat_set_flags: () => Nosys,
    fd_prestat_get: () => Badf,
    fd_prestat_dir_name: () => Nosys,
    fd_filestat_get: () => Badf,
    fd_readdir: () => Nosys,
    path_open: () => Noent,
    path_filestat_get: () => Noent,
    environ_sizes_get(retCount: number, retSize: number) {
      const l = envList();
      h.mem.writeU32(retCount, l.length);
      h.mem.writeU32(retSize, l.reduce((a, b) => a + b.length, 0));
      return Success;
    },
    environ_get(arr: number, buf: number) {
      let p = buf >>> 0;
      envList().forEach((e, i) => {
        h.mem.writeU32(arr + i * 4, p);
        new Uint8Array(h.mem.buffer, p, e.length).set(e);
        p += e.length;
      });
      return Success;
    },
    args_sizes_get(a: number, b: number) {
      h.mem.writeU32(a, 0);
      h.mem.writeU32(b, 0);
      return Success;
    },
    args_get: () => Success,
    clock_time_get(id: number, _precision: bigint, ret: number) {
      const t = id === CLOCK_MONOTONIC ? h.monotonicNs() : h.nowNs();
      return h.mem.writeU64(ret, t) ? Success : Fault;
    },
    clock_res_get(_id: number, ret: number) {
      h.mem.writeU64(ret, 1n);
      return Success;
    },
    random_get(ptr: number, len: number) {
      len >>>= 0;
      if (len > 65536) return Inval;
      const b = h.mem.read(ptr, len);
      if (b === null) return Fault;
      randomFillSync(new Uint8Array(h.mem.buffer, ptr >>> 0, len));
      return Success;
    },
    proc_exit(code: number) {
      // Envoy logs and carries on; it does not trap.
      h.pushLog(LogLevel.Error, `wasi_unstable proc_exit(${code})`, h.effective);
    },
    sched_yield: () => Success,
    poll_oneoff: () => Nosys,
  };
}
