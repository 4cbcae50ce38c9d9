/**
 * A replication worker killed outright (SIGKILL, no shutdown) in the middle of `provision`: the
 * I/O worker runs as its own process, as it would scaled out, and a new process takes over. The
 * regions of the activity that was copying are copied one activity each once its heartbeat times
 * out (a minute); the regions finished before the kill are not copied again.
 */
import * as path from 'node:path';
import type { PublishStatusBody } from '../../domain/status';
import { DEFAULT_REGIONS } from '../../domain/regions';
import { runPrefix } from '../../lib/storage/layout';
import { REPO_ROOT, spawnService, tsEntryArgs, type ServiceHandle } from '../../dev-stack/services';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { testServices } from '../helpers/services';
import { startStack, type Stack } from '../helpers/stack';

const ended = (s: PublishStatusBody) => ['Succeeded', 'Failed', 'Canceled'].includes(s.status);

describe('a replication worker killed during provision', () => {
  let stack: Stack;
  let ioWorker: ServiceHandle | undefined;

  /** `workers/main.ts` with the I/O role only, on the stack's queues: a separate worker process. */
  function startIoWorker(name: string): ServiceHandle {
    const s = testServices();
    return spawnService({
      name,
      command: process.execPath,
      args: tsEntryArgs('workers/main.ts'),
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: s.temporalAddress,
        TEMPORAL_NAMESPACE: s.namespace,
        AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString,
        SMTP_URL: s.smtpUrl,
        URL_ALLOW_LOOPBACK: 'true',
        // The stack's key: this worker reads the offer snapshots the stack's API sealed.
        OFFER_SECRETS_KEY: stack.config.offerSecretsKey!.toString('base64'),
        WORKER_ROLES: 'io',
        TASK_QUEUE: stack.config.taskQueue,
        IO_TASK_QUEUE: stack.config.ioTaskQueue,
      },
      logFile: path.join(REPO_ROOT, '.test-run', 'logs', `${name}.log`),
    });
  }

  beforeAll(async () => {
    // The workflow worker stays in this process (so the status keeps answering); copies run one
    // at a time, two regions per activity, so provisioning lasts long enough to be caught in the
    // middle of an activity; the status is read as it is (no read model in between).
    stack = await startStack({ REGIONS: DEFAULT_REGIONS.join(','), PROVISION_CONCURRENCY: '1', REGIONS_PER_COPY_ACTIVITY: '2', STATUS_CACHE_FRESH_MS: '0', WORKER_ROLES: 'workflow' });
  });
  afterAll(async () => {
    await ioWorker?.stop();
    await stack?.stop();
  });

  it('is replaced by a new process that finishes without copying finished regions again', async () => {
    ioWorker = startIoWorker('io-worker-1');
    const offerId = uniqueOfferId('killed');
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, {
      body: { offer: await hostedOffer(stack.blobs), notificationEmails: [`${offerId}@contoso.example`] },
    });
    const copying = await waitForStatus(stack, offerId, (s) => (s.currentStep === 'provision' && (s.provisioning?.regionsDone ?? 0) >= 3) || ended(s), 90_000);
    process.kill(-ioWorker.pid, 'SIGKILL');
    expect(await ioWorker.exited).toBeNull(); // died of the signal
    expect(copying.currentStep).toBe('provision');

    const identity = async (region: string) => {
      const p = await stack.regionAccounts.replicas(region).getBlobClient(`${runPrefix(copying)}standard/1.0.0/os.vhd`).getProperties();
      return `${p.copyId} ${p.etag}`;
    };
    // What was finished when the process died (read after the kill: it can only have grown since the status).
    const atKill = await waitForStatus(stack, offerId, () => true);
    const finished = Object.entries(atKill.provisioning!.regions).filter(([, state]) => state === 'Complete').map(([region]) => region);
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(finished.length).toBeLessThan(55);
    const before = await Promise.all(finished.map(identity));

    ioWorker = startIoWorker('io-worker-2');
    const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || ended(s), 180_000);
    expect(review.status).toBe('WaitingForPublisherReview');
    expect(review.provisioning).toMatchObject({ regionsDone: 55, regionsTotal: 55 });
    expect(await Promise.all(finished.map(identity))).toEqual(before);
    const replicas = await Promise.all(DEFAULT_REGIONS.map((r) => stack.regionAccounts.replicas(r).getBlobClient(`${runPrefix(copying)}standard/1.0.0/os.vhd`).exists()));
    expect(replicas.every(Boolean)).toBe(true);

    await call(stack, 'POST', `${offerPath(offerId)}/cancel`);
    await waitForStatus(stack, offerId, ended);
  }, 300_000);
});
