/**
 * The deprecation workflow's schedule on Temporal's time-skipping test server, with recording
 * activities: a 90-day schedule with its reminders passes in seconds, short notices scale the
 * reminders down, reschedule and restore (update and operator signal) wake the timers, and the
 * validators refuse what does not apply with the error catalogue's types; each event reaches the
 * offer's history (recordHistory) in order with its actor.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { IoActivities, LightActivities } from '../../activities';
import {
  DEPRECATION_WORKFLOW_TYPE,
  deprecationStatusQuery,
  rescheduleUpdate,
  restoreSignal,
  restoreUpdate,
  type CatalogDeprecation,
  type DeprecationInput,
  type DeprecationNoticeRequest,
  type DeprecationStatus,
} from '../../domain/deprecation';
import { ErrorType, publisherFailure } from '../../domain/errors';
import type { HistoryBatch, HistoryEvent } from '../../domain/history';
// Types only: the workflow runs from the bundle (importing workflow modules here would run their top level outside a workflow).
import type { deprecateOffer } from '../../workflows/deprecate-offer';
import { testServices } from '../helpers/services';
import { workflowBundleFile } from '../helpers/workflow-bundle';

type Activities = LightActivities & IoActivities;
const DAY = 86_400_000;

function recordingActivities() {
  const catalog: Array<CatalogDeprecation['state'] | 'withdrawn'> = [];
  const notices: DeprecationNoticeRequest[] = [];
  const calls: string[] = [];
  const history: HistoryEvent[] = [];
  const activities = {
    recordHistory: async (batch: HistoryBatch) => {
      history.push(...batch.events);
    },
    publishCatalogDeprecation: async (_p: string, _o: string, record: CatalogDeprecation) => {
      catalog.push(record.state);
    },
    withdrawCatalogDeprecation: async () => {
      catalog.push('withdrawn');
    },
    sendDeprecationNotice: async (req: DeprecationNoticeRequest) => {
      notices.push(req);
      return { messageId: `<${req.kind}>` };
    },
    deleteDeprecatedReplicas: async () => {
      calls.push('deleteReplicas');
      return { replicasDeleted: 3 };
    },
    findMissingDeprecatedReplicas: async () => {
      calls.push('findMissing');
      return [{ ref: { publisherId: 'contoso', offerId: 'web', workflowId: 'publish/contoso/web', runId: 'r1', offerRef: 'x.json' }, region: 'eastus', disks: [] }];
    },
    replicateRegion: async (_ref: unknown, region: string) => {
      calls.push(`replicate:${region}`);
      return { region, disks: 1, bytes: 1, skipped: 0 };
    },
  } as unknown as Activities;
  return { activities, catalog, notices, calls, history };
}

/** The recorded deprecation events as `type by actor`, in order. */
const eventsOf = (history: HistoryEvent[]) => history.map((e) => `${e.type} by ${e.actor}`);

describe('deprecateOffer schedule (time-skipping test server)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: { codePath: string };

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServices().testServerPath } } }),
      workflowBundleFile().then((codePath) => ({ codePath })),
    ]);
  }, 180_000);

  afterAll(async () => {
    await env?.teardown();
  });

  async function run(
    activities: Activities,
    input: Partial<DeprecationInput> & { noticeMs?: number },
    drive: (h: WorkflowHandle<typeof deprecateOffer>) => Promise<void> = async () => undefined,
  ): Promise<DeprecationStatus> {
    const taskQueue = `deprecation-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
    const now = await env.currentTimeMs();
    const { noticeMs = 90 * DAY, ...rest } = input;
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof deprecateOffer>(DEPRECATION_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `deprecate/contoso/${randomUUID()}`,
        args: [
          {
            publisherId: 'contoso',
            offerId: 'web',
            offerTitle: 'Contoso Web',
            request: { scope: { skuId: 'standard' }, reason: 'endOfSupport', alternative: { skuId: 'premium' }, effectiveAt: new Date(now + noticeMs).toISOString() },
            actor: 'publisher:contoso',
            notificationEmails: ['ops@contoso.example'],
            minNoticeMs: 90 * DAY,
            restoreWindowMs: 30 * DAY,
            publicBaseUrl: 'http://api.test',
            supportUrl: 'https://support.test/new',
            ioTaskQueue: taskQueue,
            ...rest,
          },
        ],
      });
      await drive(handle);
      const result = await handle.result();
      // Every path replays: updates, signals and timers must come back in the order they were recorded.
      await Worker.runReplayHistory({ workflowBundle }, await handle.fetchHistory(), handle.workflowId);
      return result;
    });
  }

  async function until(h: WorkflowHandle, done: (s: DeprecationStatus) => boolean): Promise<DeprecationStatus> {
    for (let i = 0; i < 300; i++) {
      const s = await h.query(deprecationStatusQuery);
      if (done(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('condition not reached');
  }

  const sentOf = (s: DeprecationStatus, kind: string, label?: string) => s.notices.find((n) => n.kind === kind && n.label === label)?.sentAt;

  it('runs a 90-day schedule in seconds: notices when scheduled, 30, 7 and 1 days before and when effective; replicas deleted after the window', async () => {
    const { activities, catalog, notices, calls, history } = recordingActivities();
    const wall = Date.now();
    const result = await run(activities, {});
    const wallMs = Date.now() - wall;

    expect(result.state).toBe('Effective');
    expect(notices.map((n) => n.label ?? n.kind)).toEqual(['scheduled', '30d', '7d', '1d', 'effective']);
    const effective = Date.parse(result.effectiveAt);
    for (const [label, days] of [['30d', 30], ['7d', 7], ['1d', 1]] as const) {
      // Sent at its time of workflow time (to the minute), not when the schedule was made.
      expect(Math.abs(Date.parse(sentOf(result, 'reminder', label)!) - (effective - days * DAY))).toBeLessThan(60_000);
    }
    expect(Math.abs(Date.parse(sentOf(result, 'effective')!) - effective)).toBeLessThan(60_000);
    expect(catalog).toEqual(['Scheduled', 'Effective']);
    expect(calls).toEqual(['deleteReplicas']);
    expect(Date.parse(result.replicasDeletedAt!) - effective).toBeGreaterThanOrEqual(30 * DAY);
    expect(notices[0]).toMatchObject({ to: ['ops@contoso.example'], scope: { skuId: 'standard' }, alternative: { skuId: 'premium' } });
    // In the offer's history, in order, each with its actor: the timers are the system's.
    expect(eventsOf(history)).toEqual(['deprecation.scheduled by publisher:contoso', 'deprecation.effective by system', 'deprecation.replicas_deleted by system']);
    expect(history.map((e) => e.id)).toEqual([1, 2, 3].map((n) => `${history[0].runId}:${n}`));
    expect(history[0].data).toEqual({ effectiveAt: result.effectiveAt });
    expect(history[2]).toMatchObject({ at: result.replicasDeletedAt, data: { replicasDeleted: 3 } });
    console.log(`deprecation: 90-day schedule + 30-day restore window in ${wallMs} ms of wall time`);
    expect(wallMs).toBeLessThan(60_000);
  }, 90_000);

  it('scales the reminders down for a short notice (30 s: 10 s, 2.3 s and 0.3 s before)', async () => {
    const { activities } = recordingActivities();
    const result = await run(activities, { noticeMs: 30_000, minNoticeMs: 30_000, restoreWindowMs: 60_000 });
    const effective = Date.parse(result.effectiveAt);
    const before = (label: string) => effective - Date.parse(sentOf(result, 'reminder', label)!);
    expect(before('30d')).toBeGreaterThan(9_000);
    expect(before('30d')).toBeLessThan(11_000);
    expect(before('7d')).toBeGreaterThan(1_800);
    expect(before('7d')).toBeLessThan(2_800);
    expect(before('1d')).toBeGreaterThanOrEqual(0);
    expect(before('1d')).toBeLessThan(600);
  }, 60_000);

  it('takes effect at once for a critical security issue, with no reminders', async () => {
    const r2 = recordingActivities();
    const now = await env.currentTimeMs();
    const res = await run(r2.activities, {
      request: { scope: 'offer', reason: 'criticalSecurityIssue', effectiveAt: new Date(now).toISOString() },
      restoreWindowMs: DAY,
    });
    expect(res.state).toBe('Effective');
    expect(r2.notices.map((n) => n.kind)).toEqual(['scheduled', 'effective']);
    expect(r2.catalog).toEqual(['Scheduled', 'Effective']);
  }, 60_000);

  it('goes on with the schedule when a notice cannot be sent, marking it failed', async () => {
    const rec = recordingActivities();
    const activities = {
      ...rec.activities,
      sendDeprecationNotice: async (req: DeprecationNoticeRequest) => {
        if (req.kind === 'reminder') throw publisherFailure(ErrorType.NotificationRejected, 'rejected');
        return rec.activities.sendDeprecationNotice(req);
      },
    } as Activities;
    const result = await run(activities, {});
    expect(result.state).toBe('Effective');
    expect(result.notices.filter((n) => n.kind === 'reminder').map((n) => [n.label, !!n.failedAt, !!n.sentAt])).toEqual([['30d', true, false], ['7d', true, false], ['1d', true, false]]);
    expect(rec.notices.map((n) => n.kind)).toEqual(['scheduled', 'effective']);
    expect(rec.catalog).toEqual(['Scheduled', 'Effective']);
  }, 60_000);

  it('restores before the effective time (update): the catalog record is withdrawn and nothing takes effect', async () => {
    const { activities, catalog, notices, calls, history } = recordingActivities();
    const result = await run(activities, {}, async (h) => {
      await until(h, (s) => !!sentOf(s, 'scheduled'));
      await env.sleep(65 * DAY); // past the 30-day reminder
      await until(h, (s) => !!sentOf(s, 'reminder', '30d'));
      const restored = await h.executeUpdate(restoreUpdate, { args: [{ actor: 'publisher:contoso' }] });
      expect(restored.state).toBe('Scheduled'); // accepted; the run restores next
    });
    expect(result).toMatchObject({ state: 'Restored', restoredBy: 'publisher:contoso' });
    expect(catalog).toEqual(['Scheduled', 'withdrawn']);
    expect(notices.map((n) => n.label ?? n.kind)).toEqual(['scheduled', '30d', 'restored']);
    expect(calls).toEqual([]); // never effective: no replicas to look at
    expect(eventsOf(history)).toEqual(['deprecation.scheduled by publisher:contoso', 'deprecation.restore_requested by publisher:contoso', 'deprecation.restored by publisher:contoso']);
  }, 60_000);

  it('restores within the window after the effective time (operator signal), re-copying missing replicas on the I/O queue', async () => {
    const { activities, catalog, calls, history } = recordingActivities();
    const result = await run(activities, {}, async (h) => {
      await until(h, (s) => !!sentOf(s, 'scheduled'));
      await env.sleep(91 * DAY);
      await until(h, (s) => s.state === 'Effective' && !!sentOf(s, 'effective'));
      await h.signal(restoreSignal);
    });
    expect(result).toMatchObject({ state: 'Restored', restoredBy: 'operator' });
    expect(catalog).toEqual(['Scheduled', 'Effective', 'withdrawn']);
    expect(calls).toEqual(['findMissing', 'replicate:eastus']);
    expect(eventsOf(history)).toEqual([
      'deprecation.scheduled by publisher:contoso',
      'deprecation.effective by system',
      'deprecation.restore_requested by operator',
      'deprecation.restored by operator',
    ]);
  }, 60_000);

  it('still restores when what to copy again cannot be found (the live run is gone), saying so', async () => {
    const rec = recordingActivities();
    const activities = {
      ...rec.activities,
      findMissingDeprecatedReplicas: async () => {
        throw new Error('workflow execution not found');
      },
    } as Activities;
    const result = await run(activities, {}, async (h) => {
      await until(h, (s) => !!sentOf(s, 'scheduled'));
      await env.sleep(91 * DAY);
      await until(h, (s) => s.state === 'Effective');
      await h.executeUpdate(restoreUpdate, { args: [{ actor: 'publisher:contoso' }] });
    });
    expect(result).toMatchObject({ state: 'Restored', replicasNotRestored: ['*'] });
    expect(rec.catalog).toEqual(['Scheduled', 'Effective', 'withdrawn']);
  }, 90_000);

  it('refuses a restore after the window and a reschedule with too short a notice or another scope; reschedules a later date', async () => {
    const { activities, notices, history } = recordingActivities();
    const refusal = async (p: Promise<unknown>) => {
      const err = await p.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      return (err as WorkflowUpdateFailedError).cause as { type?: string; message: string };
    };
    const result = await run(activities, {}, async (h) => {
      const s = await until(h, (x) => !!sentOf(x, 'scheduled'));
      const tooSoon = new Date(Date.parse(s.scheduledAt) + 10 * DAY).toISOString();
      expect((await refusal(h.executeUpdate(rescheduleUpdate, { args: [{ actor: 'publisher:contoso', request: { scope: { skuId: 'standard' }, reason: 'endOfSupport', effectiveAt: tooSoon } }] }))).type).toBe(ErrorType.NoticeTooShort);
      expect((await refusal(h.executeUpdate(rescheduleUpdate, { args: [{ actor: 'publisher:contoso', request: { scope: 'offer', reason: 'endOfSupport', effectiveAt: s.effectiveAt } }] }))).type).toBe(ErrorType.DeprecationScheduled);
      const later = new Date(Date.parse(s.effectiveAt) + 20 * DAY).toISOString();
      const rescheduled = await h.executeUpdate(rescheduleUpdate, { args: [{ actor: 'publisher:contoso', request: { scope: { skuId: 'standard' }, reason: 'other', effectiveAt: later } }] });
      expect(rescheduled.effectiveAt).toBe(later);
      await env.sleep(111 * DAY);
      await until(h, (x) => x.state === 'Effective');
      await env.sleep(31 * DAY);
      await until(h, (x) => !!x.replicasDeletedAt).catch(() => undefined);
      const late = await h.executeUpdate(restoreUpdate, { args: [{ actor: 'publisher:contoso' }] }).then(() => 'accepted', (e: unknown) => e);
      expect(late).not.toBe('accepted');
    });
    expect(result.state).toBe('Effective');
    expect(Math.abs(Date.parse(sentOf(result, 'effective')!) - Date.parse(result.effectiveAt))).toBeLessThan(60_000);
    expect(notices.map((n) => n.label ?? n.kind)).toEqual(['scheduled', 'rescheduled', '30d', '7d', '1d', 'effective']);
    // Refused requests leave no event; the reschedule is the publisher's, with its new date.
    expect(eventsOf(history)).toEqual(['deprecation.scheduled by publisher:contoso', 'deprecation.rescheduled by publisher:contoso', 'deprecation.effective by system', 'deprecation.replicas_deleted by system']);
    expect(history[1].data).toEqual({ effectiveAt: result.effectiveAt });
  }, 90_000);
});
