/**
 * Configuration of metrics, health and logs (docs/operations.md#observability), read apart from
 * config/env.ts because only the entry points need it.
 */
import { z } from 'zod';
import { ConfigError } from './env';

const address = z
  .string()
  .trim()
  .refine((v) => v === '' || v === 'off' || /^[^\s:]+:\d{1,5}$/.test(v) || /^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(v), 'must be host:port, or "off"');

const schema = z.object({
  /** The worker's Prometheus endpoint (the SDK runtime's exporter, `/metrics`); `off` disables it. */
  WORKER_METRICS_ADDRESS: address.default('127.0.0.1:9464'),
  /** The worker's health endpoints (`/readyz`, `/livez`); `off` disables them. */
  WORKER_HEALTH_ADDRESS: address.default('127.0.0.1:9465'),
  /** `json` (one JSON object a line, the default) or `pretty` (for a terminal; `npm start` chooses it on a TTY). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
});

export interface ObservabilityConfig {
  workerMetricsAddress?: string;
  workerHealthAddress?: string;
  logFormat: 'json' | 'pretty';
}

const orOff = (v: string) => (v === '' || v === 'off' ? undefined : v);

export function loadObservabilityConfig(env: NodeJS.ProcessEnv = process.env): ObservabilityConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  return { workerMetricsAddress: orOff(e.WORKER_METRICS_ADDRESS), workerHealthAddress: orOff(e.WORKER_HEALTH_ADDRESS), logFormat: e.LOG_FORMAT };
}

/** `host:port` → the parts `net.Server.listen` takes (brackets removed from an IPv6 host). */
export function splitAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(addr.slice(i + 1)) };
}
