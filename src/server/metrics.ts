/**
 * Prometheus metrics for the proxy, with prom-client: checks by outcome and code, the upstream
 * latency, and the checks and body bytes in flight. Pass `metrics` as the proxy's `observer` and
 * serve `metrics.fetch` at `GET /metrics` behind a bearer token. Node only.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckObserver } from './proxy/proxy.ts';

export interface LivenessMetricsOptions {
  /** `GET /metrics` needs `Authorization: Bearer <token>`. Without a token it answers 404: metrics are off. */
  token?: string;
  /** Also export Node's process metrics (CPU, RSS, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/** An observer for the proxy and a Web-standard handler for the scrape. */
export interface LivenessMetrics extends CheckObserver {
  registry: Registry;
  /** Answers the scrape: 200 with the text format, 401 without the token, 404 when no token is set. */
  fetch(request: Request): Promise<Response>;
}

const json = (status: number, code: string, message: string) =>
  Response.json({ status: false, code, message }, { status, headers: { 'Cache-Control': 'no-store' } });

/** Compares in time that does not depend on where the texts differ. */
function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= a.charCodeAt(i % Math.max(1, a.length)) ^ b.charCodeAt(i);
  return difference === 0;
}

/** Builds the metrics in a registry of their own (so two proxies in one process don't collide). */
export function createLivenessMetrics(options: LivenessMetricsOptions = {}): LivenessMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const checks = new Counter({
    name: 'accura_liveness_checks_total',
    help: 'Checks by outcome (answered: Accura answered; refused: 4xx from the proxy; failed: 5xx) and code',
    labelNames: ['outcome', 'code'] as const,
    registers: [registry],
  });
  const upstreamStatus = new Counter({
    name: 'accura_liveness_upstream_responses_total',
    help: 'Upstream answers by HTTP status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'accura_liveness_upstream_duration_seconds',
    help: 'Upstream round trip, from sending the check to its whole answer',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: 'accura_liveness_checks_in_flight', help: 'Checks being handled now', registers: [registry] });
  const bytesInFlight = new Gauge({
    name: 'accura_liveness_body_bytes_in_flight',
    help: 'Request body bytes held in memory now (from reading until sent upstream)',
    registers: [registry],
  });

  return {
    registry,
    start() {
      inFlight.inc();
    },
    hold(bytes) {
      bytesInFlight.inc(bytes);
    },
    release(bytes) {
      bytesInFlight.dec(bytes);
    },
    end(record) {
      inFlight.dec();
      checks.inc({ outcome: record.outcome, code: record.code });
      if (record.upstreamStatus !== undefined) upstreamStatus.inc({ status: String(record.upstreamStatus) });
      if (record.ms.upstream !== undefined) upstreamSeconds.observe(record.ms.upstream / 1000);
    },
    async fetch(request) {
      if (!options.token) return json(404, 'not-found', 'No such route');
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      if (!sameText(bearer ?? '', options.token)) return json(401, 'unauthorized', 'The metrics token is required');
      return new Response(await registry.metrics(), { headers: { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' } });
    },
  };
}
