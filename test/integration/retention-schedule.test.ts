/**
 * The retention schedule on the run's Temporal dev server: made once per task queue, left alone
 * when it is as this version wants it, brought back when it is not, and starting the workflow the
 * bundle exports under that name.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { SNAPSHOT_SWEEP_WORKFLOW_TYPE } from '../../domain/messages';
import * as workflows from '../../workflows';
import { ensureRetentionSchedule, retentionScheduleId, SWEEP_INTERVAL_MS } from '../../workers/retention-schedule';
import { testServices } from '../helpers/services';

describe('offer snapshot retention schedule', () => {
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    connection = await Connection.connect({ address: testServices().temporalAddress });
    client = new Client({ connection, namespace: testServices().namespace });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('runs the sweep workflow hourly on the task queue, one at a time, and is restored when changed', async () => {
    expect(Object.keys(workflows)).toContain(SNAPSHOT_SWEEP_WORKFLOW_TYPE);
    const taskQueue = `retention-${randomUUID().slice(0, 8)}`;
    const id = await ensureRetentionSchedule(client, taskQueue);
    expect(id).toBe(retentionScheduleId(taskQueue));
    const handle = client.schedule.getHandle(id);
    try {
      const created = await handle.describe();
      expect(created.action).toMatchObject({ type: 'startWorkflow', workflowType: SNAPSHOT_SWEEP_WORKFLOW_TYPE, taskQueue });
      expect(created.spec.intervals).toEqual([expect.objectContaining({ every: SWEEP_INTERVAL_MS })]);
      expect(created.policies.overlap).toBe('SKIP');

      // A second worker starting finds it as it should be.
      await ensureRetentionSchedule(client, taskQueue);
      // Changed by hand (or by an older version): the next start brings it back.
      await handle.update((previous) => ({ ...previous, spec: { intervals: [{ every: '1 day' }] } }));
      expect((await handle.describe()).spec.intervals).toEqual([expect.objectContaining({ every: 24 * SWEEP_INTERVAL_MS })]);
      await ensureRetentionSchedule(client, taskQueue);
      expect((await handle.describe()).spec.intervals).toEqual([expect.objectContaining({ every: SWEEP_INTERVAL_MS })]);
    } finally {
      await handle.delete();
    }
  });
});
