/**
 * Activity options, one proxy per kind of work. Light activities and I/O activities are typed with
 * their own sets (activities/index.ts), so a heavy activity cannot be called on the light queue.
 */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { IoActivities, LightActivities } from '../../activities';
import { DEFAULT_REGION_STORAGE_RETRY, type PublishOptions } from '../../domain/messages';

/** Start-to-close of one region's copy (Azure's cross-region copies of big images take hours). */
export const REGION_COPY_HOURS = 6;

/** Attempts of the certify activity. */
export const CERTIFY_ATTEMPTS = 3;

export function activityProxies({ ioTaskQueue, regionStorageRetry = DEFAULT_REGION_STORAGE_RETRY }: Pick<PublishOptions, 'ioTaskQueue' | 'regionStorageRetry'>) {
  const regionStorage = {
    initialInterval: regionStorageRetry.initialIntervalMs,
    maximumInterval: regionStorageRetry.maximumIntervalMs,
    maximumAttempts: regionStorageRetry.maximumAttempts,
  };
  const light = proxyActivities<LightActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  /**
   * Certification bounds its own work per image, so an attempt that does not finish is ours (a
   * worker killed or restarted, storage down): retried a few times, spaced for a short outage,
   * then the step fails as our problem instead of certifying the same image for ever.
   */
  const certifier = proxyActivities<IoActivities>({
    taskQueue: ioTaskQueue,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: CERTIFY_ATTEMPTS },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  /** A region that keeps failing fails the step (naming it) instead of retrying for ever. */
  const replicator = proxyActivities<IoActivities>({
    taskQueue: ioTaskQueue,
    startToCloseTimeout: REGION_COPY_HOURS * 3_600_000,
    heartbeatTimeout: '1 minute',
    retry: regionStorage,
    // Cleanup must not start until every copy has stopped, or a late copy would leave a replica behind.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  /** E-mail must not block the publish for ever: after the attempts, the status says it was not sent. */
  const mailer = proxyActivities<LightActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  /**
   * Removing a run's replicas and preview page: bounded like replication, so a region account that
   * refuses us cannot keep a failed or canceled run open for ever (and the offer from publishing again).
   */
  const cleaner = proxyActivities<LightActivities>({
    startToCloseTimeout: '5 minutes',
    retry: regionStorage,
  });
  return { light, certifier, replicator, mailer, cleaner };
}

export type ActivityProxies = ReturnType<typeof activityProxies>;
