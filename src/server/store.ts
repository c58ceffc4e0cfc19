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

/** A store for one process. Expired keys are dropped when read and swept once a minute. */
export function createMemoryStore(): LivenessStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) entries.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  };
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }, 60_000);
  (sweep as { unref?: () => void }).unref?.(); // never keeps a process alive
  return {
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, { ttlMs, ifAbsent = false }) {
      if (ifAbsent && live(key)) return false;
      entries.set(key, { value, expiresAt: Date.now() + ttlMs });
      return true;
    },
    async increment(key, ttlMs) {
      const entry = live(key);
      const count = (entry ? Number(entry.value) || 0 : 0) + 1;
      entries.set(key, { value: String(count), expiresAt: entry?.expiresAt ?? Date.now() + ttlMs });
      return count;
    },
    async delete(key) {
      entries.delete(key);
    },
    async close() {
      clearInterval(sweep);
      entries.clear();
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

export interface RedisStoreOptions {
  /** Prepended to every key, so several apps can share one Redis. Default `accura-liveness:`. */
  prefix?: string;
}

// INCR and the expiry in one step: a crash between two commands can't leave a counter that never expires.
const INCREMENT_SCRIPT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

/**
 * A store in Redis, shared by every instance connected to it. `close()` does not close the
 * client: the host that connected it closes it.
 */
export function createRedisStore(client: RedisCommander, options: RedisStoreOptions = {}): LivenessStore {
  const prefix = options.prefix ?? 'accura-liveness:';
  return {
    async get(key) {
      const value = await client.sendCommand(['GET', prefix + key]);
      return value === null || value === undefined ? undefined : String(value);
    },
    async set(key, value, { ttlMs, ifAbsent = false }) {
      const reply = await client.sendCommand(['SET', prefix + key, value, 'PX', String(Math.max(1, Math.ceil(ttlMs))), ...(ifAbsent ? ['NX'] : [])]);
      return reply !== null;
    },
    async increment(key, ttlMs) {
      return Number(await client.sendCommand(['EVAL', INCREMENT_SCRIPT, '1', prefix + key, String(Math.max(1, Math.ceil(ttlMs)))]));
    },
    async delete(key) {
      await client.sendCommand(['DEL', prefix + key]);
    },
    async close() {},
  };
}
