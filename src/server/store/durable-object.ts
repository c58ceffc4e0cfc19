/**
 * One-time tokens and quotas on Cloudflare Workers: a {@link LivenessStore} on Durable Objects, the
 * Workers runtime's own strongly consistent storage. Every isolate of every worker bound to the same
 * namespace sees one object per key, so a token spent on one is spent on all. No import from
 * `cloudflare:workers`: the module loads on every runtime, and the class is a classic Durable Object.
 *
 * ```ts
 * export { LivenessStoreObject } from 'accura-id-liveness/server'; // the worker's main module exports the class
 * const store = createDurableObjectStore(env.LIVENESS_STORE);
 * ```
 */
import type { LivenessStore, StoreSetOptions } from './store.ts';

/** The part of a Durable Object namespace binding (`env.LIVENESS_STORE`) the store uses. */
export interface LivenessStoreNamespace {
  idFromName(name: string): unknown;
  get(id: never): { fetch(request: Request): Promise<Response> };
}

/** The part of a Durable Object's `state` the object uses (the key-value storage API, on either storage backend). */
export interface LivenessStoreObjectState {
  storage: {
    get<T>(key: string): Promise<T | undefined>;
    put<T>(key: string, value: T): Promise<void>;
    deleteAll(): Promise<void>;
    setAlarm(scheduledTime: number): Promise<void>;
  };
}

type Operation =
  | { op: 'get'; key: string }
  | { op: 'set'; key: string; value: string; ttlMs: number; ifAbsent: boolean }
  | { op: 'increment'; key: string; ttlMs: number }
  | { op: 'delete'; key: string };

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The Durable Object class behind {@link createDurableObjectStore}: one object per key, holding its
 * value and expiry; an alarm deletes it when it expires. Export it from the worker's main module and
 * declare it in wrangler's `durable_objects` bindings and `migrations` (`new_sqlite_classes`).
 * A Durable Object runs one event at a time while it waits on its own storage, so read-then-write is atomic.
 */
export class LivenessStoreObject {
  readonly #state: LivenessStoreObjectState;

  constructor(state: LivenessStoreObjectState, _env?: unknown) {
    this.#state = state;
  }

  async #live(): Promise<Entry | undefined> {
    const entry = await this.#state.storage.get<Entry>('entry');
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  }

  async #put(value: string, expiresAt: number): Promise<void> {
    await this.#state.storage.put<Entry>('entry', { value, expiresAt });
    await this.#state.storage.setAlarm(expiresAt);
  }

  async fetch(request: Request): Promise<Response> {
    const operation = (await request.json()) as Operation;
    const now = Date.now();
    switch (operation.op) {
      case 'get':
        return Response.json({ value: (await this.#live())?.value ?? null });
      case 'set': {
        if (operation.ifAbsent && (await this.#live())) return Response.json({ ok: false });
        await this.#put(operation.value, now + operation.ttlMs);
        return Response.json({ ok: true });
      }
      case 'increment': {
        const entry = await this.#live();
        const count = (entry ? Number(entry.value) || 0 : 0) + 1;
        await this.#put(String(count), entry?.expiresAt ?? now + operation.ttlMs);
        return Response.json({ count });
      }
      case 'delete':
        await this.#state.storage.deleteAll();
        return Response.json({ ok: true });
      default:
        return new Response('Unknown operation', { status: 400 });
    }
  }

  /** The entry expired: the object forgets everything. */
  async alarm(): Promise<void> {
    const entry = await this.#state.storage.get<Entry>('entry');
    if (!entry || entry.expiresAt <= Date.now()) await this.#state.storage.deleteAll();
    else await this.#state.storage.setAlarm(entry.expiresAt); // set again after the alarm was scheduled
  }
}

export interface DurableObjectStoreOptions {
  /** Prepended to every key's object name, so several apps can share one namespace. Default `accura-liveness:`. */
  prefix?: string;
}

/**
 * A store on Durable Objects (`LivenessStoreObject`), for `createLivenessProxy({ store })` on Workers.
 * Creating it does no I/O, so it may be made at module scope or per request.
 */
export function createDurableObjectStore(namespace: LivenessStoreNamespace, options: DurableObjectStoreOptions = {}): LivenessStore {
  const prefix = options.prefix ?? 'accura-liveness:';
  async function call<T>(operation: Operation): Promise<T> {
    const stub = namespace.get(namespace.idFromName(prefix + operation.key) as never);
    const response = await stub.fetch(new Request('https://liveness-store.internal/', { method: 'POST', body: JSON.stringify(operation) }));
    if (!response.ok) throw new Error(`LivenessStoreObject answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }
  const ttl = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));
  return {
    async get(key) {
      return (await call<{ value: string | null }>({ op: 'get', key })).value ?? undefined;
    },
    async set(key, value, { ttlMs, ifAbsent = false }: StoreSetOptions) {
      return (await call<{ ok: boolean }>({ op: 'set', key, value, ttlMs: ttl(ttlMs), ifAbsent })).ok;
    },
    async increment(key, ttlMs) {
      return (await call<{ count: number }>({ op: 'increment', key, ttlMs: ttl(ttlMs) })).count;
    },
    async delete(key) {
      await call({ op: 'delete', key });
    },
    async close() {},
  };
}
