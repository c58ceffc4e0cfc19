/**
 * Shared state for the server half (one-time tokens, quotas, and later cross-device handoff),
 * behind one small interface: keys with a TTL, set-if-absent, atomic counters with expiry, delete.
 * Two implementations: in memory (one process) and Redis through the standard `redis` client
 * (several instances). Routes never talk to Redis directly.
 */

/** Options of {@link LivenessStore.set}. */
export interface StoreSetOptions {
  /** Lifetime in milliseconds (> 0). */
  ttlMs: number;
  /** Only set when the key does not exist (Redis `NX`). */
  ifAbsent?: boolean;
}

/** Key-value state with expiry that every instance of a host sees alike. */
export interface LivenessStore {
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Sets a value with a TTL; false when `ifAbsent` and the key already existed. */
  set(key: string, value: string, options: StoreSetOptions): Promise<boolean>;
  /** Adds 1 atomically and returns the new count; the TTL starts with the first increment. */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Removes a key (no error when absent). */
  delete(key: string): Promise<void>;
  /** Releases timers or connections the store itself owns. */
  close(): Promise<void>;
}

/**
 * What cross-device handoff needs beyond {@link LivenessStore}: an append-only list per session
 * (its events, which a reconnecting desktop reads again from where it left off) and a broadcast
 * that reaches the instance holding the desktop's stream. Both stores implement it.
 */
export interface LivenessEventStore extends LivenessStore {
  /** Appends to a list, (re)setting its TTL; returns the new length (the 1-based id of the item). */
  append(key: string, value: string, ttlMs: number): Promise<number>;
  /** The list's items from 0-based index `from` on; empty when absent. */
  list(key: string, from?: number): Promise<string[]>;
  /** Sends a message to every subscriber of the channel, in every instance. */
  publish(channel: string, message: string): Promise<void>;
  /** Listens on a channel; resolves once listening, with a function that stops it. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
}

/** A store for one process. Expired keys are dropped when read and swept once a minute (the timer starts with the first write). */
export function createMemoryStore(): LivenessEventStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const lists = new Map<string, { items: string[]; expiresAt: number }>();
  const channels = new Map<string, Set<(message: string) => void>>();
  const liveList = (key: string) => {
    const entry = lists.get(key);
    if (entry && entry.expiresAt <= Date.now()) lists.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  };
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  };
  // Started by the first write, never at creation: Workers forbid timers at module scope, where a
  // store is often made (`Disallowed operation called within global scope`).
  let sweep: ReturnType<typeof setInterval> | undefined;
  const sweepLater = () => {
    if (sweep !== undefined) return;
    sweep = setInterval(() => {
      const now = Date.now();
      for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
      for (const [key, entry] of lists) if (entry.expiresAt <= now) lists.delete(key);
    }, 60_000);
    (sweep as { unref?: () => void }).unref?.(); // never keeps a process alive
  };
  return {
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, { ttlMs, ifAbsent = false }) {
      if (ifAbsent && live(key)) return false;
      sweepLater();
      entries.set(key, { value, expiresAt: Date.now() + ttlMs });
      return true;
    },
    async increment(key, ttlMs) {
      const entry = live(key);
      const count = (entry ? Number(entry.value) || 0 : 0) + 1;
      sweepLater();
      entries.set(key, { value: String(count), expiresAt: entry?.expiresAt ?? Date.now() + ttlMs });
      return count;
    },
    async delete(key) {
      entries.delete(key);
      lists.delete(key);
    },
    async append(key, value, ttlMs) {
      const entry = liveList(key) ?? { items: [], expiresAt: 0 };
      entry.items.push(value);
      sweepLater();
      entry.expiresAt = Date.now() + ttlMs;
      lists.set(key, entry);
      return entry.items.length;
    },
    async list(key, from = 0) {
      return liveList(key)?.items.slice(from) ?? [];
    },
    async publish(channel, message) {
      // Delivered on a later turn, as a Redis message would be.
      for (const listener of channels.get(channel) ?? []) queueMicrotask(() => listener(message));
    },
    async subscribe(channel, listener) {
      const set = channels.get(channel) ?? new Set();
      channels.set(channel, set.add(listener));
      return async () => {
        set.delete(listener);
        if (set.size === 0 && channels.get(channel) === set) channels.delete(channel);
      };
    },
    async close() {
      clearInterval(sweep);
      sweep = undefined;
      entries.clear();
      lists.clear();
      channels.clear();
    },
  };
}

/**
 * The part of a `redis` (node-redis) client that the store uses. A client from
 * `createClient({ url })`, connected by the host, fits.
 */
export interface RedisCommander {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A connection in subscriber mode (node-redis: `client.duplicate()`, connected): Redis takes no
 * other commands on a subscribed connection, so pub/sub needs its own.
 */
export interface RedisSubscriber {
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  unsubscribe(channel: string, listener?: (message: string) => void): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** Prepended to every key, so several apps can share one Redis. Default `accura-liveness:`. */
  prefix?: string;
  /** For handoff's events across instances ({@link LivenessEventStore.subscribe}). Without it, subscribe throws. */
  subscriber?: RedisSubscriber;
}

// INCR and the expiry in one step: a crash between two commands can't leave a counter that never expires.
const INCREMENT_SCRIPT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

// RPUSH and the expiry in one step, for the same reason.
const APPEND_SCRIPT = "local n = redis.call('RPUSH', KEYS[1], ARGV[1]) redis.call('PEXPIRE', KEYS[1], ARGV[2]) return n";

/**
 * A store in Redis, shared by every instance connected to it. `close()` does not close the
 * client: the host that connected it closes it.
 */
export function createRedisStore(client: RedisCommander, options: RedisStoreOptions = {}): LivenessEventStore {
  const prefix = options.prefix ?? 'accura-liveness:';
  const { subscriber } = options;
  return {
    async get(key) {
      const value = await client.sendCommand(['GET', prefix + key]);
      return value === null || value === undefined ? undefined : String(value);
    },
    async set(key, value, { ttlMs, ifAbsent = false }) {
      const reply = await client.sendCommand([
        'SET',
        prefix + key,
        value,
        'PX',
        String(Math.max(1, Math.ceil(ttlMs))),
        ...(ifAbsent ? ['NX'] : []),
      ]);
      return reply !== null;
    },
    async increment(key, ttlMs) {
      return Number(await client.sendCommand(['EVAL', INCREMENT_SCRIPT, '1', prefix + key, String(Math.max(1, Math.ceil(ttlMs)))]));
    },
    async delete(key) {
      await client.sendCommand(['DEL', prefix + key]);
    },
    async append(key, value, ttlMs) {
      return Number(await client.sendCommand(['EVAL', APPEND_SCRIPT, '1', prefix + key, value, String(Math.max(1, Math.ceil(ttlMs)))]));
    },
    async list(key, from = 0) {
      const items = await client.sendCommand(['LRANGE', prefix + key, String(from), '-1']);
      return Array.isArray(items) ? items.map(String) : [];
    },
    async publish(channel, message) {
      await client.sendCommand(['PUBLISH', prefix + channel, message]);
    },
    async subscribe(channel, listener) {
      if (!subscriber) throw new TypeError('createRedisStore: pass a `subscriber` connection to use subscribe');
      await subscriber.subscribe(prefix + channel, listener);
      return async () => void (await subscriber.unsubscribe(prefix + channel, listener));
    },
    async close() {},
  };
}
