/** Activity options of the deprecation workflow: the catalog and e-mail on its own queue, re-copies on the I/O queue. */
import { proxyActivities } from '@temporalio/workflow';
import type { IoActivities, LightActivities } from '../../activities';
import { DEFAULT_REGION_STORAGE_RETRY } from '../../domain/messages';

export function deprecationActivities(ioTaskQueue: string) {
  const catalog = proxyActivities<LightActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  /** A notice that cannot be sent after its attempts is logged; the schedule goes on. */
  const mailer = proxyActivities<LightActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  /** Bounded: a region that cannot be copied again (its source gone) is reported, not retried for ever. */
  const replicator = proxyActivities<IoActivities>({
    taskQueue: ioTaskQueue,
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: '1 minute',
    retry: {
      initialInterval: DEFAULT_REGION_STORAGE_RETRY.initialIntervalMs,
      maximumInterval: DEFAULT_REGION_STORAGE_RETRY.maximumIntervalMs,
      maximumAttempts: DEFAULT_REGION_STORAGE_RETRY.maximumAttempts,
    },
  });
  /** Finding what a restore must copy again reads the live run's history and snapshot, which may be gone: bounded too. */
  const restorer = proxyActivities<LightActivities>({
    startToCloseTimeout: '5 minutes',
    retry: {
      initialInterval: DEFAULT_REGION_STORAGE_RETRY.initialIntervalMs,
      maximumInterval: DEFAULT_REGION_STORAGE_RETRY.maximumIntervalMs,
      maximumAttempts: DEFAULT_REGION_STORAGE_RETRY.maximumAttempts,
    },
  });
  return { catalog, mailer, replicator, restorer };
}
