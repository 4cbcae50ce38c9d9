/**
 * `npm run demo` (with `npm start` running): makes a sample Linux disk image (a sparse 1 GiB fixed
 * VHD: GPT, an EFI partition and an ext4 root filesystem of an Ubuntu-shaped tree) and logos, uploads them to storage as a publisher would, publishes a sample offer through
 * the HTTP API, follows it step by step, and presses Go live at sign-off.
 *
 *   npm run demo                      # publish, follow, go live through the API
 *   npm run demo -- --manual-golive   # stop at sign-off and print the `temporal` CLI command instead
 *   npm run demo -- --offer-id my-offer
 */
import fs from 'node:fs';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { loadConfig } from '../config/env';
import { apiPath } from '../domain/api-paths';
import { publishWorkflowId } from '../domain/messages';
import type { PublishStatusBody } from '../domain/status';
import { uploadSampleLogos, uploadVhdAsPageBlob } from '../samples/azure-upload';
import { validOffer } from '../samples/offer';
import { GiB } from '../domain/units';
import { buildSampleLinuxDisk } from '../samples/disk-image';
import { REPO_ROOT, TEMPORAL_CLI_PATH } from '../dev-stack/services';

const DATA = path.join(REPO_ROOT, '.data');
const ALLOW_LISTED = '0b1f6a3c-2d4e-4f60-8a7b-9c0d1e2f3a4b';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function apiKey(): string {
  const fromEnv = process.env.PUBLISHER_API_KEYS?.split(',').find((p) => p.startsWith('contoso:'));
  if (fromEnv) return fromEnv.slice('contoso:'.length);
  const file = path.join(DATA, 'publisher-api-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  throw new Error('No API key for publisher contoso: run `npm start` first (it writes .data/publisher-api-key), or set PUBLISHER_API_KEYS.');
}

const elapsed = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)}s`.padStart(7);

async function main() {
  const config = loadConfig();
  const base = `http://127.0.0.1:${config.port}`;
  const key = apiKey();
  const offerId = arg('offer-id') ?? `web-appliance-${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}`;
  const manualGoLive = process.argv.includes('--manual-golive');

  const health = await fetch(`${base}${apiPath('health')}`).catch(() => undefined);
  if (!health?.ok) throw new Error(`The API at ${base} is not up: start everything with \`npm start\` in another terminal.`);

  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${JSON.stringify(json)}`);
    return json as PublishStatusBody;
  };

  // 1. The publisher's assets: a sparse image (1 GiB virtual, a few KiB on disk) and logos.
  const t0 = Date.now();
  const blobs = BlobServiceClient.fromConnectionString(config.storageConnectionString);
  const demoDir = path.join(DATA, 'demo');
  const vhdFile = path.join(demoDir, 'contoso-web-appliance-os.vhd');
  fs.rmSync(demoDir, { recursive: true, force: true });
  fs.mkdirSync(demoDir, { recursive: true });
  // A small but real Ubuntu-shaped root filesystem, so certification has an OS to inspect.
  await buildSampleLinuxDisk(vhdFile, { virtualSize: GiB });
  console.log(`${elapsed(t0)}  sample image: ${vhdFile} (fixed VHD, 1 GiB virtual, GPT, EFI + ext4 root, sparse)`);
  const osVhdUrl = await uploadVhdAsPageBlob(blobs, 'publisher-uploads', `${offerId}/os-1.0.0.vhd`, vhdFile);
  const logos = await uploadSampleLogos(blobs, 'publisher-uploads', offerId);
  console.log(`${elapsed(t0)}  uploaded the image (page blob) and 4 logos to ${blobs.accountName}`);

  // 2. Publish, with an Azure Table lead destination so the test lead is visible too.
  const offer = { ...validOffer({ osVhdUrl, logos }), leadDestination: { type: 'AzureTable', connectionString: config.storageConnectionString, tableName: 'MarketplaceLeads' } };
  const email = 'publisher@contoso.example';
  const ids = { publisherId: 'contoso', offerId };
  const started = await api('POST', apiPath('publish', ids), { offer, notificationEmails: [email] });
  console.log(`${elapsed(t0)}  published contoso/${offerId}: workflow ${publishWorkflowId('contoso', offerId)}, run ${started.runId}`);

  // 3. Follow it.
  const seen = new Map<string, string>();
  let lastRegions = -1;
  let goLiveSent = false;
  for (;;) {
    const s = await api('GET', apiPath('status', ids));
    for (const step of s.steps) {
      if (seen.get(step.id) === step.status || step.status === 'NotStarted') continue;
      seen.set(step.id, step.status);
      console.log(`${elapsed(t0)}  ${step.stepName.padEnd(44)} ${step.status}`);
      if (step.status === 'Complete' || step.status === 'Failed') {
        for (const m of step.messages) console.log(`${' '.repeat(9)}${m.level === 'Error' ? '✗' : m.level === 'Warning' ? '!' : '·'} ${m.field ? `${m.field}: ` : ''}${m.text}`);
      }
    }
    if (s.currentStep === 'provision' && s.provisioning && s.provisioning.regionsDone !== lastRegions) {
      lastRegions = s.provisioning.regionsDone;
      if (lastRegions % 10 === 0 || lastRegions === s.provisioning.regionsTotal) {
        console.log(`${elapsed(t0)}    replicated to ${lastRegions}/${s.provisioning.regionsTotal} regions`);
      }
    }
    if (s.status === 'WaitingForPublisherReview' && !goLiveSent) {
      const preview = await fetch(s.previewLinks[0], { headers: { 'x-ms-subscription-id': ALLOW_LISTED } });
      console.log(`${elapsed(t0)}  preview ${s.previewLinks[0]} → ${preview.status} for allow-listed subscription ${ALLOW_LISTED}`);
      if (s.leadDelivery) console.log(`${elapsed(t0)}  test lead: ${s.leadDelivery.delivered ? 'delivered' : 'NOT delivered'} to ${s.leadDelivery.destination}`);
      if (manualGoLive) {
        console.log(`\nWaiting at sign-off. Find it and take it live from the temporal CLI:\n`);
        console.log(`  ${TEMPORAL_CLI_PATH} workflow list --query "PublishStep='signoff'"`);
        console.log(`  ${TEMPORAL_CLI_PATH} workflow signal --workflow-id ${publishWorkflowId('contoso', offerId)} --name goLive\n`);
      } else {
        await api('POST', apiPath('goLive', ids));
        console.log(`${elapsed(t0)}  Go live accepted`);
      }
      goLiveSent = true;
    }
    if (s.status === 'Succeeded' || s.status === 'Failed' || s.status === 'Canceled') {
      console.log(`\n${s.status} in ${elapsed(t0).trim()}.`);
      if (s.status === 'Succeeded') console.log(`Live page: ${s.liveLinks[0]}   (e-mails: http://127.0.0.1:1080)`);
      process.exitCode = s.status === 'Succeeded' ? 0 : 1;
      return;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

main().catch((err) => {
  console.error(`demo: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
