/**
 * Workflow logic with mocked activities, on Temporal's time-skipping test server (the Java test
 * server from Maven, run through an existing-path wrapper): overdue timers that take a day of
 * workflow time in a second of wall time, operator signals, cancel and failure paths.
 * End-to-end behaviour against real services is in test/e2e.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import type { IoActivities, LightActivities } from '../../activities';
import { replicateRegionsInTurn } from '../../activities/provision';

/** The test's one worker runs both sets (ioTaskQueue is its own queue). */
type Activities = LightActivities & IoActivities;
import {
  cancelSignal,
  goLiveSignal,
  setNotificationEmailsSignal,
  statusQuery,
  type PublishInput,
} from '../../domain/messages';
import type { NotificationRequest, PublishPlan } from '../../domain/pipeline';
import type { PublishStatusBody } from '../../domain/status';
import type { HistoryEvent } from '../../domain/history';
import { publishOffer } from '../../workflows';
import { API_ROUTES, type ApiRoute } from '../../domain/api-paths';
import { testServices } from '../helpers/services';
import { workflowBundleFile } from '../helpers/workflow-bundle';
import { ErrorType, infrastructureFailure, publisherFailure } from '../../domain/errors';

const plan: PublishPlan = {
  title: 'Contoso Web Appliance',
  disks: [{ skuId: 'standard', version: '1.0.0', role: 'os', field: 'skus[0].diskVersions[0].osVhdUrl', blobName: 'standard/1.0.0/os.vhd' }],
  osFamilyBySku: { standard: 'Linux' },
  leadDestinationType: null,
};

function mockActivities(overrides: Partial<Activities> = {}) {
  const sent: NotificationRequest[] = [];
  const cleaned: string[] = [];
  const replicated: string[] = [];
  /** The regions of each several-region copy activity. */
  const batches: string[][] = [];
  const recorded: HistoryEvent[] = [];
  const activities: Activities = {
    recordHistory: async (batch) => {
      recorded.push(...batch.events);
    },
    validateOffer: async () => ({ findings: [], plan, contactEmails: ['eng@contoso.example'] }),
    certifyImages: async () => ({ passed: true, checkCount: 7, bytesRead: 1024, notable: [], reportRef: 'r/certify.json' }),
    replicateRegion: async (_ref, region) => {
      replicated.push(region);
      return { region, disks: 1, bytes: 1, skipped: 0 };
    },
    // The real activity's rule (in turn, stop at the first failure) over this mock's region copy.
    replicateRegions: async (ref, regions, disks) => {
      batches.push(regions);
      const ctx = Context.current();
      return replicateRegionsInTurn(regions, (region) => activities.replicateRegion(ref, region, disks), { heartbeat: () => ctx.heartbeat(), signal: ctx.cancellationSignal });
    },
    writeProvisionReport: async () => 'r/provision.json',
    packageOffer: async () => ({ pageRef: 'p/page.json' }),
    promoteToLive: async () => ({ liveRef: 'l/page.json' }),
    cleanupRun: async (ref) => {
      cleaned.push(ref.runId);
      return { replicasDeleted: 1, previewDeleted: 0 };
    },
    sendNotification: async (req) => {
      sent.push(req);
      return { messageId: `<${req.event}>` };
    },
    ...overrides,
  } as Activities;
  return { activities, sent, cleaned, replicated, batches, recorded };
}

describe('publishOffer workflow logic (time-skipping test server)', () => {
  let env: TestWorkflowEnvironment;
  /** Bundled once for the file: `workflowsPath` would make every test's Worker run webpack again. */
  let workflowBundle: { codePath: string };

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: testServices().testServerPath } },
      }),
      workflowBundleFile().then((codePath) => ({ codePath })),
    ]);
  }, 180_000);

  afterAll(async () => {
    await env?.teardown();
  });

  async function run(
    activities: Activities,
    input: Partial<PublishInput>,
    drive: (h: Awaited<ReturnType<typeof env.client.workflow.start<typeof publishOffer>>>) => Promise<void>,
  ): Promise<PublishStatusBody> {
    const taskQueue = `logic-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities,
    });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(publishOffer, {
        taskQueue,
        workflowId: `publish/contoso/${randomUUID()}`,
        args: [
          {
            publisherId: 'contoso',
            offerId: 'web-appliance',
            offerRef: 'contoso/web-appliance/x.json',
            notificationEmails: ['ops@contoso.example'],
            options: {
              regions: ['eastus', 'westeurope', 'japaneast'],
              provisionConcurrency: 2,
              publicBaseUrl: 'http://api.test',
              supportUrl: 'https://support.test/new',
              ioTaskQueue: taskQueue,
            },
            ...input,
          },
        ].map((i) => ({ ...i, options: { ...i.options, ioTaskQueue: i.options.ioTaskQueue || taskQueue } })) as [PublishInput],
      });
      await drive(handle);
      return handle.result();
    });
  }

  async function until(handle: { query: (q: typeof statusQuery) => Promise<PublishStatusBody> }, done: (s: PublishStatusBody) => boolean) {
    for (let i = 0; i < 300; i++) {
      const s = await handle.query(statusQuery);
      if (done(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('condition not reached');
  }

  it('marks a step overdue after its time frame, e-mails once, and goes on when the publisher answers', async () => {
    const { activities, sent, recorded } = mockActivities();
    const started = Date.now();
    const result = await run(activities, { notificationEmails: [] }, async (h) => {
      await until(h, (s) => s.status === 'WaitingForPublisherInput');
      // A day and an hour of workflow time, in an instant: the validate time frame (1 day) runs out.
      await env.sleep('25 hours');
      const overdue = await until(h, (s) => s.steps[0].overdue);
      expect(overdue.steps[0].messages.some((m) => m.level === 'Warning' && /longer than its expected time frame/.test(m.text))).toBe(true);
      await env.sleep('2 days'); // more time passes: still one overdue e-mail
      await h.signal(setNotificationEmailsSignal, { emails: ['ops@contoso.example'] });
      await until(h, (s) => s.status === 'WaitingForPublisherReview');
      await h.signal(goLiveSignal);
    });
    expect(result.status).toBe('Succeeded');
    const validate = result.steps[0];
    expect(validate.overdue).toBe(true);
    expect(Date.parse(validate.completedAt!) - Date.parse(validate.startedAt!)).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    expect(Date.now() - started).toBeLessThan(60_000);
    const overdueMails = sent.filter((m) => m.event === 'overdue');
    expect(overdueMails).toHaveLength(1);
    // Before e-mails were given, the engineering contact is told.
    expect(overdueMails[0].to).toEqual(['eng@contoso.example']);
    expect(result.steps.filter((s) => s.id !== 'validate').every((s) => !s.overdue)).toBe(true);
    expect(sent.map((m) => m.event)).toEqual(['overdue', 'previewReady', 'live']);
    // The history: operators' signals by `operator`, the rest by the pipeline, in order, once each.
    expect(recorded.map((e) => [e.type, e.actor, e.step])).toEqual([
      ['publish.started', 'operator', 'validate'],
      ['publish.waiting_for_input', 'system', 'validate'],
      ['publish.overdue', 'system', 'validate'],
      ['publish.notification_emails.given', 'operator', 'validate'],
      ['publish.step.completed', 'system', 'validate'],
      ...['certify', 'provision', 'package', 'preview'].map((step) => ['publish.step.completed', 'system', step]),
      ['publish.waiting_for_review', 'system', 'signoff'],
      ['publish.go_live.requested', 'operator', 'signoff'],
      ['publish.step.completed', 'system', 'signoff'],
      ['publish.step.completed', 'system', 'live'],
      ['publish.live', 'system', 'live'],
    ]);
    expect(new Set(recorded.map((e) => e.id)).size).toBe(recorded.length);
  });

  it('ignores a goLive signal before signoff, and a cancel signal after Go live', async () => {
    const { activities, cleaned, recorded } = mockActivities();
    const result = await run(activities, {}, async (h) => {
      await h.signal(goLiveSignal); // too early: ignored
      const waiting = await until(h, (s) => s.status === 'WaitingForPublisherReview');
      expect(waiting.currentStep).toBe('signoff');
      expect(waiting.cancellable).toBe(true);
      await h.signal(goLiveSignal);
      await h.signal(cancelSignal, { reason: 'too late' });
    });
    expect(result.status).toBe('Succeeded');
    expect(result.cancellable).toBe(false);
    expect(cleaned).toHaveLength(0);
    // Ignored signals are not in the history.
    expect(recorded.filter((e) => e.actor === 'operator').map((e) => e.type)).toEqual(['publish.started', 'publish.go_live.requested']);
  });

  it('cancel at signoff cleans up what the run created and e-mails', async () => {
    const { activities, cleaned, sent } = mockActivities();
    const result = await run(activities, {}, async (h) => {
      await until(h, (s) => s.status === 'WaitingForPublisherReview');
      await h.signal(cancelSignal, { reason: 'changing the price' });
    });
    expect(result.status).toBe('Canceled');
    expect(result.currentStep).toBe('signoff');
    expect(result.steps.find((s) => s.id === 'signoff')!.status).toBe('Canceled');
    expect(result.provisioning!.regionsDone).toBe(0);
    expect(Object.values(result.provisioning!.regions).every((r) => r === 'Removed')).toBe(true);
    expect(cleaned).toEqual([result.runId]);
    expect(sent.map((m) => m.event)).toContain('canceled');
  });

  it('copies each lane\'s regions a few per activity, in turn, and shows every region complete', async () => {
    const { activities, batches, replicated } = mockActivities();
    const regions = ['eastus', 'westeurope', 'japaneast', 'brazilsouth', 'uksouth'];
    const options = { regions, provisionConcurrency: 2, publicBaseUrl: 'http://api.test', supportUrl: 'https://support.test/new', ioTaskQueue: '' };
    const result = await run(activities, { options }, async (h) => {
      await until(h, (s) => s.status === 'WaitingForPublisherReview');
      await h.signal(goLiveSignal);
    });
    expect(result.status).toBe('Succeeded');
    // Two lanes, five regions: three and two, one activity each.
    expect(batches.sort((a, b) => b.length - a.length)).toEqual([['eastus', 'westeurope', 'japaneast'], ['brazilsouth', 'uksouth']]);
    expect(replicated.sort()).toEqual([...regions].sort());
    expect(result.provisioning).toMatchObject({ regionsDone: 5, regionsTotal: 5 });
    expect(Object.values(result.provisioning!.regions).every((r) => r === 'Complete')).toBe(true);
  });

  /** One lane (see below), and a few quick attempts instead of 8 over minutes. */
  const oneLaneQuickRetry = {
    regions: ['eastus', 'westeurope', 'japaneast'],
    provisionConcurrency: 1,
    publicBaseUrl: 'http://api.test',
    supportUrl: 'https://support.test/new',
    ioTaskQueue: '',
    regionStorageRetry: { maximumAttempts: 3, initialIntervalMs: 10, maximumIntervalMs: 10 },
  };

  it('a region a batch could not copy is retried in its own activity within its attempts, and the regions after it one activity each', async () => {
    const attempts: Record<string, number> = {};
    const { activities, batches, replicated } = mockActivities({
      replicateRegion: async (_ref, region) => {
        attempts[region] = (attempts[region] ?? 0) + 1;
        if (region === 'westeurope' && attempts[region] < 3) throw new Error('region account busy');
        replicated.push(region);
        return { region, disks: 1, bytes: 1, skipped: 0 };
      },
    });
    const result = await run(activities, { options: oneLaneQuickRetry }, async (h) => {
      await until(h, (s) => s.status === 'WaitingForPublisherReview');
      await h.signal(goLiveSignal);
    });
    expect(result.status).toBe('Succeeded');
    expect(batches).toEqual([['eastus', 'westeurope', 'japaneast']]);
    // The batch's try was westeurope's first attempt; japaneast, after it, was not tried by the batch.
    expect(attempts).toEqual({ eastus: 1, westeurope: 3, japaneast: 1 });
    expect(replicated).toEqual(['eastus', 'westeurope', 'japaneast']);
    expect(Object.values(result.provisioning!.regions).every((r) => r === 'Complete')).toBe(true);
  });

  it('a batch that does not finish (its worker lost) has its regions copied one activity each', async () => {
    const { activities, batches, replicated } = mockActivities({
      replicateRegions: async (_ref, regions) => {
        batches.push(regions);
        throw new Error('worker lost');
      },
    });
    const result = await run(activities, { options: oneLaneQuickRetry }, async (h) => {
      await until(h, (s) => s.status === 'WaitingForPublisherReview');
      await h.signal(goLiveSignal);
    });
    expect(result.status).toBe('Succeeded');
    expect(batches).toHaveLength(1);
    expect(replicated).toEqual(['eastus', 'westeurope', 'japaneast']);
    expect(result.provisioning).toMatchObject({ regionsDone: 3, regionsTotal: 3 });
  });

  it('a region failing on something the publisher must fix fails provision with what to fix, naming the region, and cleans up', async () => {
    const fix = 'Reading the image at skus[0].diskVersions[0].osVhdUrl was refused (HTTP 403): check that its SAS token grants read access.';
    const { activities, cleaned, sent } = mockActivities({
      replicateRegion: async (_ref, region) => {
        if (region === 'westeurope') throw publisherFailure(ErrorType.ImageNotReadable, fix);
        return { region, disks: 1, bytes: 1, skipped: 0 };
      },
    });
    // One lane: the Java test server answers ACTIVITY_UNKNOWN when a cancel races a completion
    // (the real server does not); cancelling sibling copies is covered against the dev server in e2e.
    const options = { regions: ['eastus', 'westeurope', 'japaneast'], provisionConcurrency: 1, publicBaseUrl: 'http://api.test', supportUrl: 'https://support.test/new' };
    const result = await run(activities, { options: { ...options, ioTaskQueue: '' } }, async () => undefined);
    expect(result.status).toBe('Failed');
    expect(result.currentStep).toBe('provision');
    const provision = result.steps.find((s) => s.id === 'provision')!;
    expect(provision.status).toBe('Failed');
    expect(provision.messages.find((m) => m.level === 'Error')!.text).toBe(`Replication to region westeurope failed: ${fix}`);
    expect(cleaned).toHaveLength(1);
    expect(sent.map((m) => m.event)).toEqual(['failed']);
    expect(sent[0]).toMatchObject({ stepName: 'Provisioning', findings: [expect.objectContaining({ text: `Replication to region westeurope failed: ${fix}` })] });
  });

  it('a region that keeps failing on our side fails provision as our problem, not as something to fix, with its own e-mail', async () => {
    const internal = 'The storage account of region westeurope could not be used (check REGION_STORAGE) (403 AuthorizationFailure)';
    const attempts: Record<string, number> = {};
    const { activities, cleaned, sent } = mockActivities({
      replicateRegion: async (_ref, region) => {
        attempts[region] = (attempts[region] ?? 0) + 1;
        // A plain Error and a catalogued infrastructure type: both are retried, and neither is the publisher's.
        if (region === 'westeurope') throw attempts[region] % 2 ? new Error(internal) : infrastructureFailure(ErrorType.RegionStorageUnavailable, internal);
        return { region, disks: 1, bytes: 1, skipped: 0 };
      },
    });
    const result = await run(activities, { options: oneLaneQuickRetry }, async () => undefined);
    expect(attempts.westeurope).toBe(3);
    expect(result.status).toBe('Failed');
    expect(result.currentStep).toBe('provision');
    const provision = result.steps.find((s) => s.id === 'provision')!;
    expect(provision.status).toBe('Failed');
    const errors = provision.messages.filter((m) => m.level === 'Error').map((m) => m.text);
    expect(errors).toEqual([
      'Replication to region westeurope failed: a problem on our side stopped this step, not something in the offer. ' +
        'Our support team has been told. Nothing needs to change: publishing again is safe.',
    ]);
    expect(JSON.stringify(result)).not.toMatch(/REGION_STORAGE|AuthorizationFailure/);
    expect(cleaned).toHaveLength(1);
    expect(sent.map((m) => m.event)).toEqual(['internalFailure']);
    expect(sent[0].stepName).toBe('Provisioning');
  });

  it('certification that does not finish in 3 attempts fails certify as our problem, not the image\'s, and stops retrying', async () => {
    let attempts = 0;
    const { activities, sent } = mockActivities({
      // As when the worker certifying the image dies each time: the attempts run out on our side.
      certifyImages: async () => {
        attempts++;
        throw new Error('worker lost while reading standard 1.0.0 OS disk');
      },
    });
    const result = await run(activities, {}, async () => undefined);
    expect(attempts).toBe(3);
    expect(result).toMatchObject({ status: 'Failed', currentStep: 'certify' });
    const certify = result.steps.find((s) => s.id === 'certify')!;
    expect(certify.messages.filter((m) => m.level === 'Error').map((m) => m.text)).toEqual([
      'Certification did not finish in 3 attempts: a problem on our side stopped this step, not something in the offer. ' +
        'Our support team has been told. Nothing needs to change: publishing again is safe.',
    ]);
    expect(JSON.stringify(result)).not.toContain('worker lost');
    expect(sent.map((m) => m.event)).toEqual(['internalFailure']);
  });

  it('a cleanup that keeps failing on our side still ends the run, with a warning, so it can be published again', async () => {
    let cleanups = 0;
    const { activities, sent } = mockActivities({
      replicateRegion: async (_ref, region) => {
        if (region === 'westeurope') throw new Error('region account refused us');
        return { region, disks: 1, bytes: 1, skipped: 0 };
      },
      cleanupRun: async () => {
        cleanups++;
        throw new Error('region account refused us');
      },
    });
    const result = await run(activities, { options: oneLaneQuickRetry }, async () => undefined);
    expect(cleanups).toBe(3);
    expect(result.status).toBe('Failed');
    const provision = result.steps.find((s) => s.id === 'provision')!;
    expect(provision.messages.some((m) => m.level === 'Warning' && /could not be removed because of a problem on our side/.test(m.text))).toBe(true);
    expect(Object.values(result.provisioning!.regions)).not.toContain('Removed');
    expect(sent.map((m) => m.event)).toEqual(['internalFailure']);
  });

  it('validation errors fail the run at validate with per-field messages and one e-mail', async () => {
    const { activities, sent } = mockActivities({
      validateOffer: async () => ({
        findings: [{ level: 'Error', field: 'title', text: 'Give a title of 1 to 50 characters.' }],
        contactEmails: [],
      }),
    });
    const result = await run(activities, {}, async () => undefined);
    expect(result.status).toBe('Failed');
    expect(result.steps[0].status).toBe('Failed');
    expect(result.steps[0].messages[0]).toMatchObject({ level: 'Error', field: 'title' });
    expect(result.steps.slice(1).every((s) => s.status === 'NotStarted')).toBe(true);
    expect(sent.map((m) => m.event)).toEqual(['validationFailed']);
  });

  it('every link the workflow produces is a route of the API (domain/api-paths.ts)', async () => {
    let previewUrlArg = '';
    const { activities, sent } = mockActivities({
      packageOffer: async (_ref, _plan, _regions, previewUrl) => {
        previewUrlArg = previewUrl;
        return { pageRef: 'p/page.json' };
      },
    });
    const result = await run(activities, {}, async (h) => {
      await until(h, (s) => s.status === 'WaitingForPublisherReview');
      await h.signal(goLiveSignal);
    });
    expect(result.status).toBe('Succeeded');
    const links = new Set([previewUrlArg, ...result.previewLinks, ...result.liveLinks, ...sent.flatMap((m) => [m.statusUrl, ...(m.links ?? [])])]);
    // The API serves every route of the table (test/e2e/api-contract.test.ts); here, each link is one of them.
    const routeOf = (link: string) =>
      (Object.keys(API_ROUTES) as ApiRoute[]).find((r) => {
        const pattern = API_ROUTES[r].path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
        const m = new RegExp(`^http://api\\.test${pattern}$`).exec(link);
        return API_ROUTES[r].method === 'get' && m?.groups?.publisherId === 'contoso' && m.groups.offerId === 'web-appliance';
      });
    expect([...links].map((l) => [l, routeOf(l)]).sort()).toEqual(
      [
        ['http://api.test/api/marketplace/offers/contoso/web-appliance', 'livePage'],
        ['http://api.test/api/preview/offers/contoso/web-appliance', 'previewPage'],
        ['http://api.test/api/publishers/contoso/offers/web-appliance/status', 'status'],
      ].sort(),
    );
  });
});
