/** MailDev: the SMTP catcher the app sends to, with a web inbox and REST API tests read mail from. */
import * as net from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT, spawnService, waitReady, type ServiceHandle, type ServicePriority } from './processes';

const NODE_MODULES = path.join(REPO_ROOT, 'node_modules');

export interface MailHandle extends ServiceHandle {
  smtpUrl: string;
  /** Web inbox; the REST API lives under `${webUrl}/api`. */
  webUrl: string;
}

export interface MailOptions extends ServicePriority {
  smtpPort: number;
  webPort: number;
  logDir: string;
  readyTimeoutMs?: number;
}

export async function startMailCatcher(o: MailOptions): Promise<MailHandle> {
  const handle = spawnService({
    name: 'MailDev',
    command: process.execPath,
    args: [
      path.join(NODE_MODULES, 'maildev', 'dist', 'bin', 'maildev.js'),
      '--smtp', String(o.smtpPort),
      '--ip', '127.0.0.1',
      '--web', String(o.webPort),
      '--web-ip', '127.0.0.1',
    ],
    logFile: path.join(o.logDir, 'maildev.log'),
    cwd: o.logDir,
    nice: o.nice,
  });
  const webUrl = `http://127.0.0.1:${o.webPort}`;
  await waitReady(
    handle,
    async () => {
      const res = await fetch(`${webUrl}/api/healthz`, { signal: AbortSignal.timeout(2000) });
      return res.ok && (await smtpGreets(o.smtpPort));
    },
    o.readyTimeoutMs ?? 60_000,
  );
  return { ...handle, smtpUrl: `smtp://127.0.0.1:${o.smtpPort}`, webUrl };
}

/** True when the SMTP port sends its `220` greeting. */
function smtpGreets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('data', (d) => done(d.toString().startsWith('220')));
    sock.once('error', () => done(false));
  });
}
