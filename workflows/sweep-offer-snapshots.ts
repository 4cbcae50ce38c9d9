/**
 * sweepOfferSnapshots: started by the retention schedule (workers/retention-schedule.ts), one
 * activity that removes the secrets of offer snapshots whose run ended longer ago than
 * OFFER_SNAPSHOT_RETENTION (activities/retention). A run that fails is simply done again at the
 * next interval.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { LightActivities } from '../activities';
import type { SweepResult } from '../activities/retention';

const { sweepOfferSnapshots: sweep } = proxyActivities<LightActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 3 },
});

export async function sweepOfferSnapshots(): Promise<SweepResult> {
  return sweep();
}
