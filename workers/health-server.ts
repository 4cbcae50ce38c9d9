/**
 * The worker's health endpoints, on their own port next to the metrics (the SDK's Rust exporter
 * owns the metrics port): `GET /livez` answers while the process runs; `GET /readyz` answers 200
 * only when every worker is running with its pollers polling and the Temporal frontend answers a
 * health check, 503 with the reasons otherwise. Loopback by default; no secrets in the answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NativeConnection, Worker } from '@temporalio/worker';

export interface Readiness {
  ready: boolean;
  temporal: 'reachable' | 'unreachable';
  workers: { taskQueue: string; state: string; workflowPoller: string; activityPoller: string }[];
}

const CHECK_TIMEOUT_MS = 2000;

async function frontendAnswers(connection: NativeConnection): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, CHECK_TIMEOUT_MS, false).unref());
  const check = connection.healthService
    .check({})
    .then((r) => r.status === 1 /* SERVING */)
    .catch(() => false);
  return Promise.race([check, timeout]);
}

export async function readiness(connection: NativeConnection, workers: () => Worker[]): Promise<Readiness> {
  const list = workers().map((w) => {
    const s = w.getStatus();
    return { taskQueue: w.options.taskQueue, state: s.runState, workflowPoller: s.workflowPollerState, activityPoller: s.activityPollerState };
  });
  const reachable = await frontendAnswers(connection);
  const polling = list.length > 0 && list.every((w) => w.state === 'RUNNING' && w.workflowPoller !== 'FAILED' && w.activityPoller !== 'FAILED');
  return { ready: reachable && polling, temporal: reachable ? 'reachable' : 'unreachable', workers: list };
}

export async function startHealthServer(host: string, port: number, connection: NativeConnection, workers: () => Worker[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    if (path === '/livez') return send(200, { live: true });
    if (path === '/readyz') {
      void readiness(connection, workers).then((r) => send(r.ready ? 200 : 503, r), () => send(503, { ready: false }));
      return;
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function boundPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}
