/**
 * Each publisher's webhook (its URL and signing secret) and the log of delivery attempts, in Azure
 * Tables of the control account. The secret is sealed under OFFER_SECRETS_KEY, bound to the
 * publisher: a dump of the table reveals no secret, and a box moved to another publisher does
 * not open. It is shown once, in the answer to PUT …/webhook.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { WebhookAttempt } from '../../domain/webhooks';
import { ensureTable, historyTableFor } from '../history/store';
import { open, seal, type SealedBox } from '../secrets/sealed-box';
import { statusOf } from '../storage/rest-errors';

const CONFIG_TABLE = 'publisherwebhooks';
const ATTEMPTS_TABLE = 'webhookattempts';
const KEY_NAME = 'OFFER_SECRETS_KEY';
const sealContext = (publisherId: string) => `webhook-secret/1\n${publisherId}`;
/** Attempts kept per publisher and shown by GET …/webhook. */
export const RECENT_ATTEMPTS = 50;

export interface WebhookStoreDeps {
  storageConnectionString: string;
  offerSecretsKey?: Buffer;
}

export interface WebhookConfig {
  url: string;
  createdAt: string;
}

interface ConfigRow {
  partitionKey: string;
  rowKey: string;
  url: string;
  createdAt: string;
  secret: string;
}

const table = (deps: WebhookStoreDeps, name: string): TableClient => historyTableFor(deps.storageConnectionString, name);

/** A Standard Webhooks secret: `whsec_` and base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export async function putWebhook(deps: WebhookStoreDeps, publisherId: string, url: string): Promise<{ url: string; secret: string }> {
  if (!deps.offerSecretsKey) throw new Error(`${KEY_NAME} is not set: webhook secrets are stored sealed under it`);
  const secret = newWebhookSecret();
  const box = seal(deps.offerSecretsKey, Buffer.from(secret, 'utf8'), sealContext(publisherId));
  const t = table(deps, CONFIG_TABLE);
  await ensureTable(t);
  const row: ConfigRow = { partitionKey: publisherId, rowKey: 'config', url, createdAt: new Date().toISOString(), secret: JSON.stringify(box) };
  await t.upsertEntity(row, 'Replace');
  return { url, secret };
}

export async function deleteWebhook(deps: WebhookStoreDeps, publisherId: string): Promise<boolean> {
  try {
    await table(deps, CONFIG_TABLE).deleteEntity(publisherId, 'config');
    return true;
  } catch (err) {
    if (statusOf(err) === 404) return false;
    throw err;
  }
}

async function readRow(deps: WebhookStoreDeps, publisherId: string): Promise<ConfigRow | undefined> {
  try {
    return await table(deps, CONFIG_TABLE).getEntity<ConfigRow>(publisherId, 'config');
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** The webhook without its secret, or undefined. */
export async function getWebhook(deps: WebhookStoreDeps, publisherId: string): Promise<WebhookConfig | undefined> {
  const row = await readRow(deps, publisherId);
  return row && { url: row.url, createdAt: row.createdAt };
}

/** The webhook with its secret, for signing (deliveries only). */
export async function getWebhookForSigning(deps: WebhookStoreDeps, publisherId: string): Promise<{ url: string; secret: string } | undefined> {
  const row = await readRow(deps, publisherId);
  if (!row) return undefined;
  const secret = open(deps.offerSecretsKey, JSON.parse(row.secret) as SealedBox, sealContext(publisherId), KEY_NAME).toString('utf8');
  return { url: row.url, secret };
}

const MAX_TIME = 9_999_999_999_999;

export async function logAttempt(deps: WebhookStoreDeps, publisherId: string, attempt: WebhookAttempt): Promise<void> {
  const t = table(deps, ATTEMPTS_TABLE);
  await ensureTable(t);
  const rowKey = `${String(MAX_TIME - Date.parse(attempt.at)).padStart(13, '0')}_${randomUUID().slice(0, 8)}`;
  await t.createEntity({ partitionKey: publisherId, rowKey, body: JSON.stringify(attempt) });
  // Now and then, drop what GET …/webhook no longer shows (rows are newest first).
  if (Math.random() < TRIM_CHANCE) await trimAttempts(t, publisherId).catch(() => undefined);
}

const TRIM_CHANCE = 1 / 20;

async function trimAttempts(t: TableClient, publisherId: string): Promise<void> {
  let n = 0;
  const rows = t.listEntities<object>({ queryOptions: { filter: `PartitionKey eq '${publisherId.replace(/'/g, "''")}'`, select: ['RowKey'] } });
  for await (const row of rows) if (++n > RECENT_ATTEMPTS) await t.deleteEntity(publisherId, row.rowKey!);
}

/** The latest attempts, newest first. */
export async function recentAttempts(deps: WebhookStoreDeps, publisherId: string, limit = RECENT_ATTEMPTS): Promise<WebhookAttempt[]> {
  const out: WebhookAttempt[] = [];
  try {
    const rows = table(deps, ATTEMPTS_TABLE).listEntities<{ body: string }>({ queryOptions: { filter: `PartitionKey eq '${publisherId.replace(/'/g, "''")}'` } });
    for await (const row of rows) {
      out.push(JSON.parse(row.body) as WebhookAttempt);
      if (out.length >= limit) break;
    }
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  return out;
}
