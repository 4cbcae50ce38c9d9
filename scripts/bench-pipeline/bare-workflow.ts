/**
 * The bench's yardstick (scripts/bench-pipeline.ts): a workflow of the publish's shape with no
 * work in it — two activities in sequence, one per region in `lanes` lanes, then the rest in
 * sequence, all with no-op bodies — so the ratio to it measures what our pipeline adds to
 * Temporal's own cost on the same server. Not part of the product (not in workflows/).
 */
import { proxyActivities } from '@temporalio/workflow';

export interface BareActivities {
  noop(step: string): Promise<void>;
}

const { noop } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

export interface BareShape {
  /** Activities in all (the publish runs 62-64: steps, e-mails and one per region). */
  activities: number;
  regions: number;
  lanes: number;
}

export async function barePublish(shape: BareShape): Promise<number> {
  const before = 2;
  const after = Math.max(0, shape.activities - before - shape.regions);
  for (let i = 0; i < before; i++) await noop(`before-${i}`);
  const pending = Array.from({ length: shape.regions }, (_, i) => i);
  const lane = async () => {
    for (let r = pending.shift(); r !== undefined; r = pending.shift()) await noop(`region-${r}`);
  };
  await Promise.all(Array.from({ length: Math.min(shape.lanes, shape.regions) }, lane));
  for (let i = 0; i < after; i++) await noop(`after-${i}`);
  return before + shape.regions + after;
}
