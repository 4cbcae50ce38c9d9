/**
 * Operating a publish from the outside (docs/operations.md#observability): one publish through
 * the API, with SAS URLs and a lead endpoint with secrets, then
 *  - the worker's Prometheus endpoint (the SDK runtime's exporter, installed as workers/main.ts
 *    installs it) has the SDK's metrics and the product's own, with their labels;
 *  - the API's `/metrics` has request durations by route template and status, in-flight requests
 *    and the process metrics, and refuses a publisher key from off-host;
 *  - the Grafana dashboard kept in deploy/ queries only metrics those two endpoints export;
 *  - the worker's `/readyz` says ready while the workers poll, and not once they stopped;
 *  - every log line of the worker and the API is JSON, the activities' and workflow's lines carry
 *    workflow, run, publisher and offer ids, and no SAS, key or lead secret appears.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { NativeConnection } from '@temporalio/worker';
import { loadObservabilityConfig } from '../../config/observability';
import { API_METRICS, PRODUCT_METRICS } from '../../domain/metrics';
import { createLogger } from '../../lib/observability/logger';
import { routeTemplate } from '../../api/metrics';
import { boundPort, startHealthServer } from '../../workers/health-server';
import { installWorkerRuntime } from '../../workers/telemetry';
import { startHttpsReceiver, type LeadReceiver } from '../fixtures/lead-receivers';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { startStack, type Stack } from '../helpers/stack';
import { dashboardMetricNames, exportedMetricNames } from '../helpers/prometheus-text';

const LEAD_PATH_TOKEN = 'ObsLeadPathToken9d2c4e7a';
const LEAD_QUERY_KEY = 'ObsLeadQueryKey3f6b8a';

/** A port free now, for the SDK's exporter (its bind address cannot be port 0: it would not say which port it took). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const lines: string[] = [];
const capture = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});
const workerLog = createLogger({ service: 'worker', level: 'debug', destination: capture });
const apiLog = createLogger({ service: 'api', level: 'debug', destination: capture });

describe('metrics, health and logs of a publish', () => {
  let stack: Stack;
  let receiver: LeadReceiver;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    // What workers/main.ts does, before the stack's connection makes the SDK's default runtime.
    installWorkerRuntime({ logLevel: 'DEBUG' }, { ...loadObservabilityConfig({}), workerMetricsAddress: `127.0.0.1:${port}` }, workerLog);
    stack = await startStack({}, { requestLogger: apiLog });
    receiver = await startHttpsReceiver({ key: LEAD_QUERY_KEY, path: `/hooks/${LEAD_PATH_TOKEN}/leads` });
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });

  it('exports the product metrics, serves readiness, and logs JSON lines with ids and without secrets', async () => {
    const connection = await NativeConnection.connect({ address: stack.config.temporal.address });
    const health = await startHealthServer('127.0.0.1', 0, connection, () => stack.workers);
    const readyz = `http://127.0.0.1:${boundPort(health)}/readyz`;
    try {
      const ready = await fetch(readyz);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, temporal: 'reachable', workers: [{ state: 'RUNNING' }, { state: 'RUNNING' }] });

      const offerId = uniqueOfferId('obs');
      const offer = await hostedOffer(stack.blobs);
      const imageSig = new URL(offer.skus![0].diskVersions![0].osVhdUrl!).searchParams.get('sig')!;
      offer.leadDestination = { type: 'Https', url: `${receiver.url}/hooks/${LEAD_PATH_TOKEN}/leads?code=${LEAD_QUERY_KEY}` };
      // One refused test lead: a failed activity attempt, retried, for the failure panels.
      receiver.failNext(503);
      const published = await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [`${offerId}@contoso.example`] } });
      expect(published.status).toBe(202);
      const review = await waitForStatus(stack, offerId, (s) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed', 120_000);
      expect(review.status).toBe('WaitingForPublisherReview');
      expect((await call(stack, 'POST', `${offerPath(offerId)}/golive`)).status).toBe(202);
      const done = await waitForStatus(stack, offerId, (s) => s.status === 'Succeeded' || s.status === 'Failed', 120_000);
      expect(done.status).toBe('Succeeded');
      await stack.client.workflow.getHandle(`publish/contoso/${offerId}`).result();

      // Worker: the SDK's own metrics and the product's, labelled.
      // The run's last metrics reach the exporter a moment after its result.
      let worker = '';
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
        worker = await (await fetch(metricsUrl)).text();
        if (/^temporal_workflow_completed\{/m.test(worker) && worker.includes('event="live"')) break;
      }
      const queue = stack.config.taskQueue;
      const series = (name: string, labels: Record<string, string>) =>
        worker.split('\n').filter((l) => l.startsWith(name) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
      expect(series(`${PRODUCT_METRICS.runsStarted}`, { taskQueue: queue, workflowType: 'publishOffer' })).not.toHaveLength(0);
      expect(series(`${PRODUCT_METRICS.runsEnded}`, { result: 'Succeeded', step: 'live', taskQueue: queue })).not.toHaveLength(0);
      for (const step of ['validate', 'certify', 'provision', 'package', 'preview', 'signoff', 'live']) {
        expect([step, series(`${PRODUCT_METRICS.stepDuration}_count`, { step, outcome: 'Complete', taskQueue: queue })]).toEqual([step, [expect.any(String)]]);
      }
      expect(series(PRODUCT_METRICS.certificationBytesRead, {})).not.toHaveLength(0);
      expect(series(`${PRODUCT_METRICS.certificationDuration}_count`, { outcome: 'Passed' })).not.toHaveLength(0);
      for (const region of stack.config.regions) {
        expect(series(PRODUCT_METRICS.replicaCopies, { region, outcome: 'Copied' })).not.toHaveLength(0);
        expect(series(`${PRODUCT_METRICS.replicaCopyDuration}_count`, { region })).not.toHaveLength(0);
      }
      expect(series(PRODUCT_METRICS.testLeads, { destination_type: 'Https', outcome: 'Delivered' })).not.toHaveLength(0);
      expect(series(PRODUCT_METRICS.testLeads, { destination_type: 'Https', outcome: 'Error' })).not.toHaveLength(0);
      expect(series('temporal_activity_execution_failed', { activity_type: 'packageOffer', task_queue: queue })).not.toHaveLength(0);
      expect(series(PRODUCT_METRICS.emailsSent, { event: 'live' })).not.toHaveLength(0);
      expect(series('temporal_workflow_completed', { task_queue: queue })).not.toHaveLength(0);
      expect(series('temporal_workflow_task_schedule_to_start_latency_bucket', { task_queue: queue })).not.toHaveLength(0);

      // API: by route template (never the concrete path), status code; in flight; process.
      const apiMetrics = await call(stack, 'GET', '/metrics', { key: null });
      expect(apiMetrics.status).toBe(200);
      const publishRoute = routeTemplate('POST', `${offerPath(offerId)}/publish`);
      expect(publishRoute).toBe('/api/publishers/{publisherId}/offers/{offerId}/publish');
      expect(apiMetrics.text).toContain(`${API_METRICS.requestDuration}_count{method="POST",route="${publishRoute}",status_code="202"} 1`);
      expect(apiMetrics.text).not.toContain(offerId);
      expect(apiMetrics.text).toMatch(new RegExp(`^${API_METRICS.requestsInFlight} \\d+`, 'm'));
      // The status polls above were answered by the read model, most from memory.
      const reads = (answered: string) => Number(new RegExp(`^${API_METRICS.statusReads}\\{answered="${answered}"\\} (\\d+)`, 'm').exec(apiMetrics.text)?.[1]);
      expect(reads('fresh') + reads('refreshing')).toBeGreaterThan(0);
      expect(reads('loaded')).toBeGreaterThanOrEqual(0);
      expect(apiMetrics.text).toMatch(/^process_cpu_user_seconds_total /m);

      // The dashboard asks only for what is exported; of the product's counters, a few appear only
      // once they count something (an overdue step, an e-mail that failed), so their declared names stand in.
      const declared = Object.values(PRODUCT_METRICS).flatMap((n) => [n, `${n}_bucket`, `${n}_count`, `${n}_sum`]);
      const exported = new Set([...exportedMetricNames(worker), ...exportedMetricNames(apiMetrics.text), ...declared]);
      const wanted = dashboardMetricNames();
      expect(wanted.length).toBeGreaterThan(5);
      expect(wanted.filter((m) => !exported.has(m))).toEqual([]);

      // Logs: JSON; the run's activity and workflow lines carry its ids; no secret anywhere.
      const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const ofRun = parsed.filter((l) => l.workflowId === `publish/contoso/${offerId}`);
      expect(ofRun.some((l) => l.activityType === 'certifyImages' && l.runId === done.runId && l.publisherId === 'contoso' && l.offerId === offerId)).toBe(true);
      expect(ofRun.some((l) => l.service === 'api' && l.route === '/api/publishers/{publisherId}/offers/{offerId}/publish' && l.status === 202)).toBe(true);
      const all = lines.join('\n');
      for (const secret of [imageSig, LEAD_PATH_TOKEN, LEAD_QUERY_KEY]) expect({ secret, found: all.includes(secret) }).toEqual({ secret, found: false });
      expect(all).not.toMatch(/sig=[^<]/);
      expect(all).not.toContain('taskToken');

      // Workers stopped: not ready any more (a load balancer or orchestrator takes the process out).
      await stack.stopWorkers();
      const stopped = await fetch(readyz);
      expect(stopped.status).toBe(503);
      expect(await stopped.json()).toMatchObject({ ready: false, workers: [{ state: 'STOPPED' }, { state: 'STOPPED' }] });
    } finally {
      await new Promise((r) => health.close(r));
      await connection.close();
    }
  });
});
