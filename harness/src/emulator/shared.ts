// Shared data (a key-value store with CAS, shareable between emulators to model several VMs) and
// shared queues (registered by this VM, filled by the module or by a test as another VM would).
import { Status } from "./abi.js";
import type { HostContext, HostFunctions } from "./types.js";

export class SharedData {
  private data = new Map<string, { value: Buffer; cas: number }>();
  private nextCas = 1;
  get(key: string): { value: Buffer; cas: number } | undefined {
    return this.data.get(key);
  }
  set(key: string, value: Buffer, cas: number): Status {
    const cur = this.data.get(key);
    if (cas !== 0 && cur && cur.cas !== cas) return Status.CasMismatch;
    this.data.set(key, { value: Buffer.from(value), cas: this.nextCas++ });
    return Status.Ok;
  }
  keys(): string[] {
    return [...this.data.keys()];
  }
}

export class SharedQueues {
  private queues = new Map<number, { key: string; items: Buffer[]; contextId: number }>();
  private ids = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly h: HostContext) {}

  /** This VM's id for queue names (an empty vm_id means this VM). */
  private key(vmId: string, name: string): string {
    return `${vmId || (this.h.options.vmId ?? this.h.pluginName)}\0${name}`;
  }

  register(name: string): number {
    const key = this.key("", name);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(key, id);
      this.queues.set(id, { key, items: [], contextId: this.h.rootContextId });
    }
    return id;
  }

  resolve(vmId: string, name: string): number | undefined {
    return this.ids.get(this.key(vmId, name));
  }

  has(id: number): boolean {
    return this.queues.has(id);
  }

  enqueue(id: number, data: Buffer): Status {
    const q = this.queues.get(id);
    if (!q) return Status.NotFound;
    q.items.push(data);
    this.notify(id);
    return Status.Ok;
  }

  dequeue(id: number): Buffer | Status.NotFound | Status.Empty {
    const q = this.queues.get(id);
    if (!q) return Status.NotFound;
    if (q.items.length === 0) return Status.Empty;
    return q.items.shift()!;
  }

  size(id: number): number {
    return this.queues.get(id)?.items.length ?? 0;
  }

  /** proxy_on_queue_ready runs once the current VM call returns. */
  private notify(id: number): void {
    const q = this.queues.get(id);
    if (!q) return;
    this.h.later(() => {
      if (this.h.failed) return;
      this.h.vmCall("proxy_on_queue_ready", q.contextId, q.contextId, id);
    });
  }
}

export function sharedImports(h: HostContext, data: SharedData, queues: SharedQueues): HostFunctions {
  return {
    proxy_get_shared_data(kPtr: number, kLen: number, retPtr: number, retSize: number, retCas: number) {
      const k = h.mem.readStr(kPtr, kLen);
      if (k === null) return Status.InvalidMemoryAccess;
      const e = data.get(k);
      if (!e) return Status.NotFound;
      if (!h.mem.writeU32(retCas, e.cas)) return Status.InvalidMemoryAccess;
      return h.mem.copyOut(e.value, retPtr, retSize);
    },
    proxy_set_shared_data(kPtr: number, kLen: number, vPtr: number, vLen: number, cas: number) {
      const k = h.mem.readStr(kPtr, kLen);
      const v = h.mem.read(vPtr, vLen);
      if (k === null || v === null) return Status.InvalidMemoryAccess;
      return data.set(k, v, cas >>> 0);
    },
    proxy_register_shared_queue(nPtr: number, nLen: number, retId: number) {
      const n = h.mem.readStr(nPtr, nLen);
      if (n === null) return Status.InvalidMemoryAccess;
      return h.mem.writeU32(retId, queues.register(n)) ? Status.Ok : Status.InvalidMemoryAccess;
    },
    proxy_resolve_shared_queue(vPtr: number, vLen: number, nPtr: number, nLen: number, retId: number) {
      const vm = h.mem.readStr(vPtr, vLen);
      const n = h.mem.readStr(nPtr, nLen);
      if (vm === null || n === null) return Status.InvalidMemoryAccess;
      // An empty vm_id means this VM (seen in Envoy 1.39: the sdk-probe table, test/sdk-services/sdk-probe-cases.ts).
      const id = queues.resolve(vm, n);
      if (id === undefined) return Status.NotFound;
      return h.mem.writeU32(retId, id) ? Status.Ok : Status.InvalidMemoryAccess;
    },
    proxy_enqueue_shared_queue(id: number, vPtr: number, vLen: number) {
      if (!queues.has(id >>> 0)) return Status.NotFound;
      const v = h.mem.read(vPtr, vLen);
      if (v === null) return Status.InvalidMemoryAccess;
      return queues.enqueue(id >>> 0, v);
    },
    proxy_dequeue_shared_queue(id: number, retPtr: number, retSize: number) {
      const item = queues.dequeue(id >>> 0);
      if (typeof item === "number") return item;
      return h.mem.copyOut(item, retPtr, retSize);
    },
  };
}
