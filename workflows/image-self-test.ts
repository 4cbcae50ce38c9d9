/**
 * imageSelfTest: one run per self-test (`image-test/{publisherId}/{testId}`), certifying one image
 * on the I/O queue with the certify step's engine. The API reads its result and report.
 */
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { IoActivities } from '../activities';
import type { ImageTestInput, ImageTestResult } from '../domain/image-tests';

export async function imageSelfTest(input: ImageTestInput): Promise<ImageTestResult> {
  // As the certify step: certification bounds its own work; an attempt that does not finish is ours.
  const { runImageTest } = proxyActivities<IoActivities>({
    taskQueue: input.ioTaskQueue,
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '10 seconds', maximumInterval: '2 minutes', maximumAttempts: 3 },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  return runImageTest(input);
}
