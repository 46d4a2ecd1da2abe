// Shared queues: one VM registers a named queue and is told (proxy_on_queue_ready) when items
// arrive; any VM resolves it by vm_id + name and enqueues bytes.
import { Status } from "../abi/types";
import * as host from "../runtime/hostcalls";
import { dispatcher } from "../runtime/dispatcher";
import { proxy_dequeue_shared_queue } from "../abi/imports";
import { RET_PTR, RET_SIZE, adoptBuffer, dropHostBuffer } from "../runtime/memory";

export interface QueueHandler {
  /** Items are waiting in `queue`: dequeue until it reports Empty. */
  onQueueReady(queue: SharedQueue): void;
}

export class Dequeued {
  constructor(
    /** Ok with a value, Empty when nothing is queued, NotFound for an unknown queue. */
    public status: Status,
    public value: ArrayBuffer,
  ) {}
  get ok(): bool { return this.status == Status.Ok; }
  get text(): string { return String.UTF8.decode(this.value); }
}

export class SharedQueue {
  constructor(public id: u32, public name: string) {}

  /** Registers (or re-registers) `name` for this VM. `handler` is told when items arrive; it
   *  runs in the root context that registered. Returns null when the host refuses. */
  static register(name: string, handler: QueueHandler | null = null): SharedQueue | null {
    const id = host.registerSharedQueue(name);
    if (id < 0) return null;
    const q = new SharedQueue(<u32>id, name);
    if (handler !== null) queueHandlers.set(<u32>id, new QueueBinding(q, handler, dispatcher.current));
    return q;
  }

  /** Finds a queue another VM registered (vm_id "" is this plugin's VM). Null when unknown. */
  static resolve(vmId: string, name: string): SharedQueue | null {
    const id = host.resolveSharedQueue(vmId, name);
    if (id < 0) return null;
    return new SharedQueue(<u32>id, name);
  }

  enqueue(value: ArrayBuffer): Status { return host.enqueueSharedQueue(this.id, value); }
  enqueueText(value: string): Status { return host.enqueueSharedQueue(this.id, String.UTF8.encode(value)); }

  dequeue(): Dequeued {
    // Called directly (not via hostcalls) to tell Empty from NotFound.
    const st = <Status>proxy_dequeue_shared_queue(this.id, RET_PTR, RET_SIZE);
    if (st != Status.Ok) { dropHostBuffer(); return new Dequeued(st, new ArrayBuffer(0)); }
    return new Dequeued(Status.Ok, adoptBuffer());
  }
}

class QueueBinding {
  constructor(public queue: SharedQueue, public handler: QueueHandler, public rootId: u32) {}
}

const queueHandlers = new Map<u32, QueueBinding>();

/** Called by proxy_on_queue_ready. */
export function deliverQueueReady(rootId: u32, queueId: u32): void {
  if (!queueHandlers.has(queueId)) return;
  const b = queueHandlers.get(queueId);
  b.handler.onQueueReady(b.queue);
}
