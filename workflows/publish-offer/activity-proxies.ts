/**
 * Activity options, one proxy per kind of work. Light activities and I/O activities are typed with
 * their own sets (activities/index.ts), so a heavy activity cannot be called on the light queue.
 */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { IoActivities, LightActivities } from '../../activities';

export function activityProxies(ioTaskQueue: string) {
  const light = proxyActivities<LightActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const certifier = proxyActivities<IoActivities>({
    taskQueue: ioTaskQueue,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes' },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  /** A region that keeps failing fails the step (naming it) instead of retrying for ever. */
  const replicator = proxyActivities<IoActivities>({
    taskQueue: ioTaskQueue,
    startToCloseTimeout: '6 hours',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 },
    // Cleanup must not start until every copy has stopped, or a late copy would leave a replica behind.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  /** E-mail must not block the publish for ever: after the attempts, the status says it was not sent. */
  const mailer = proxyActivities<LightActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  return { light, certifier, replicator, mailer };
}

export type ActivityProxies = ReturnType<typeof activityProxies>;
