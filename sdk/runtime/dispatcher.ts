// Context ids → objects, and callout tokens → the context that made the call. The exported
// proxy_on_* functions (sdk/exports.ts) land here. Unknown ids are ignored, never fatal.
import { Action } from "../abi/types";
import { RootContext, HttpContext } from "./context";
import { logState, refreshLogLevel } from "./logstate";
import * as host from "./hostcalls";

export type RootFactory = () => RootContext;

/** Something waiting for an asynchronous answer (HTTP callout, Redis reply, gRPC). */
export abstract class PendingCall {
  /** The context that made the call: the answer is delivered with it as the effective context. */
  contextId: u32 = 0;
  abstract deliver(arg0: u32, arg1: u32, arg2: u32): void;
}

export class Dispatcher {
  factory: RootFactory | null = null;
  roots: Map<u32, RootContext> = new Map<u32, RootContext>();
  streams: Map<u32, HttpContext> = new Map<u32, HttpContext>();
  pending: Map<u64, PendingCall> = new Map<u64, PendingCall>();
  contextsCreated: u32 = 0;
  /** The context the host is running right now (set on every callback): async calls remember it. */
  current: u32 = 0;

  createContext(id: u32, parentId: u32): void {
    if (parentId == 0) {
      const f = this.factory;
      if (f === null) return;
      const root = f();
      root.id = id;
      this.roots.set(id, root);
      return;
    }
    if (!this.roots.has(parentId)) return;
    // Pick up log level changes now and then without a host call per request.
    if ((this.contextsCreated++ & 255) == 0) refreshLogLevel();
    const ctx = this.roots.get(parentId).createHttpContext(id);
    if (ctx !== null) {
      ctx.id = id;
      this.streams.set(id, ctx);
    }
  }

  /** Makes stream `id` the caller: its async calls remember it, its log lines carry its request id. */
  enterStream(id: u32, ctx: HttpContext): void {
    this.current = id;
    logState.effective = id;
    logState.stream = ctx;
  }

  /** Makes root context `id` the caller: its lines belong to no request. */
  enterRoot(id: u32): void {
    this.current = id;
    logState.effective = id;
    logState.stream = null;
  }

  root(id: u32): RootContext | null {
    this.enterRoot(id);
    return this.roots.has(id) ? this.roots.get(id) : null;
  }

  stream(id: u32): HttpContext | null {
    if (!this.streams.has(id)) return null;
    const ctx = this.streams.get(id);
    this.enterStream(id, ctx);
    return ctx;
  }

  deleteContext(id: u32): void {
    if (this.streams.has(id)) {
      this.streams.get(id).onDeleteRaw();
      this.streams.delete(id);
    } else if (this.roots.has(id)) {
      this.roots.get(id).onDelete();
      this.roots.delete(id);
    }
    logState.stream = null;
  }

  /** Remembers a pending call under its host token (tokens of each kind are counted apart). */
  expect(kind: CallKind, token: u32, call: PendingCall): void {
    // The host cancels the callouts of a request that ends without calling back: forget those
    // entries now and then, or they would pile up for the life of the VM.
    if (this.pending.size >= this.sweepAt) this.sweepPending();
    this.pending.set(callKey(kind, token), call);
  }

  private sweepAt: i32 = 256;

  /** Drops pending calls whose context is gone. */
  sweepPending(): void {
    const keys = this.pending.keys();
    for (let i = 0; i < keys.length; i++) {
      const cid = this.pending.get(keys[i]).contextId;
      if (cid != 0 && !this.streams.has(cid) && !this.roots.has(cid)) this.pending.delete(keys[i]);
    }
    this.sweepAt = max<i32>(256, this.pending.size * 2);
  }

  isPending(kind: CallKind, token: u32): bool {
    return this.pending.has(callKey(kind, token));
  }

  /** Delivers an answer to whoever asked, with their context made effective again. */
  resolve(kind: CallKind, token: u32, arg0: u32, arg1: u32, arg2: u32): void {
    const key = callKey(kind, token);
    if (!this.pending.has(key)) return;
    const call = this.pending.get(key);
    this.pending.delete(key);
    const cid = call.contextId;
    if (cid == 0) logState.stream = null;
    else if (this.streams.has(cid)) {
      host.setEffectiveContext(cid);
      this.enterStream(cid, this.streams.get(cid));
    } else if (this.roots.has(cid)) {
      this.enterRoot(cid); // a root's own call
    } else {
      return; // the request is gone; nobody is left to act on the answer
    }
    call.deliver(arg0, arg1, arg2);
  }
}

export enum CallKind { Http = 1, Redis = 2, Grpc = 3 }

@inline function callKey(kind: CallKind, token: u32): u64 { return (<u64>kind << 32) | <u64>token; }

export const dispatcher = new Dispatcher();

/** Registers the plugin: call once at the top level of the plugin's entry file. */
export function registerRoot(pluginName: string, factory: RootFactory): void {
  logState.pluginName = pluginName;
  dispatcher.factory = factory;
}

@inline export function actionOf(a: Action): u32 { return <u32>a; }
