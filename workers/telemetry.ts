/**
 * The worker process's telemetry, installed once per process before any connection: the SDK
 * runtime's Prometheus exporter (SDK worker, workflow and activity metrics, and the product's own,
 * recorded through the SDK's metric meter: domain/metrics.ts) and its logger writing JSON lines
 * through pino, with the Rust core's own messages forwarded to it.
 */
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { AppConfig } from '../config/env';
import type { ObservabilityConfig } from '../config/observability';
import type { Logger } from '../lib/observability/logger';
import { PinoTemporalLogger } from '../lib/observability/temporal-logger';

/** Histogram buckets (seconds) of the product's durations: a step runs from seconds to days. */
const STEP_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 86400, 7 * 86400];
const ACTIVITY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800];

export function installWorkerRuntime(config: Pick<AppConfig, 'logLevel'>, obs: ObservabilityConfig, log: Logger): void {
  Runtime.install({
    logger: new PinoTemporalLogger(log),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: config.logLevel === 'TRACE' || config.logLevel === 'DEBUG' ? config.logLevel : 'WARN' }), forward: {} },
      ...(obs.workerMetricsAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: obs.workerMetricsAddress,
                useSecondsForDurations: true,
                histogramBucketOverrides: {
                  publish_step_duration_seconds: STEP_BUCKETS,
                  publish_certification_duration_seconds: ACTIVITY_BUCKETS,
                  publish_replica_copy_duration_seconds: ACTIVITY_BUCKETS,
                },
              },
            },
          }
        : {}),
    },
  });
}
