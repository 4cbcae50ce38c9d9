/**
 * temporal-docker-compose.yml: structure checks (services, pinned images, ports, start order), and
 * the search-attribute registration script actually run with the temporal CLI against the test
 * dev server, on a fresh namespace (no Docker needed).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { Connection } from '@temporalio/client';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/messages';
import { testServices } from '../helpers/services';

const COMPOSE_FILE = path.resolve(__dirname, '..', '..', 'temporal-docker-compose.yml');

interface Service {
  image: string;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  command?: string[] | string;
  entrypoint?: string[];
}

const compose = parse(fs.readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const svc = compose.services;
const commandText = (s: Service) => [...(s.entrypoint ?? []), ...([] as string[]).concat(s.command ?? [])].join('\n');
const registration = Object.entries(svc).find(([, s]) => commandText(s).includes('search-attribute create'));

describe('temporal-docker-compose.yml', () => {
  it('has postgres, server, UI, admin tools and a search-attribute registration job', () => {
    expect(Object.keys(svc)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'temporal-admin-tools']));
    expect(svc.postgresql.image).toMatch(/^postgres:/);
    expect(svc.temporal.image).toMatch(/^temporalio\/(server|auto-setup):/);
    expect(svc['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(svc['temporal-admin-tools'].image).toMatch(/^temporalio\/admin-tools:/);
    expect(registration).toBeDefined();
    expect(registration![1].image).toMatch(/^temporalio\/admin-tools:/);
  });

  it('pins every image to an explicit version', () => {
    for (const [name, s] of Object.entries(svc)) {
      // A version tag (Prometheus's carry a leading `v`), never `latest` or a branch.
      expect([name, s.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:v?\d[\w.-]*$/)]);
    }
  });

  it('runs Temporal on postgres12 and publishes 7233 and the UI port', () => {
    expect(svc.temporal.environment?.DB).toBe('postgres12');
    expect(svc.temporal.ports).toEqual(expect.arrayContaining([expect.stringMatching(/(^|:)7233:7233$/)]));
    expect(svc['temporal-ui'].ports).toEqual(expect.arrayContaining([expect.stringMatching(/(^|:)(8080|8233):8080$/)]));
    expect(svc['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('orders start-up with health conditions', () => {
    expect(svc.postgresql.healthcheck).toBeDefined();
    expect(svc.temporal.healthcheck).toBeDefined();
    const dbUser = svc.temporal.depends_on?.postgresql ?? svc.temporal.depends_on?.['temporal-schema'];
    expect(dbUser?.condition).toMatch(/service_healthy|service_completed_successfully/);
    expect(svc['temporal-ui'].depends_on?.temporal.condition).toBe('service_healthy');
    expect(registration![1].depends_on?.temporal.condition).toBe('service_healthy');
  });

  it('registers every custom search attribute of domain/messages.ts as Keyword', () => {
    const text = commandText(registration![1]);
    for (const name of CUSTOM_SEARCH_ATTRIBUTES) expect(text).toContain(name);
    expect(text).toMatch(/--type "?Keyword"?/);
  });

  it('registration script works against a real server (fresh namespace)', async () => {
    const { temporalAddress, temporalCliPath } = testServices();
    const namespace = `compose-${Date.now()}`;
    // Compose escapes `$` as `$$`; undo that to get the script the container's shell runs.
    const script = ([] as string[]).concat(registration![1].command ?? []).join('\n').replace(/\$\$/g, '$');
    await promisify(execFile)('sh', ['-c', script], {
      env: {
        ...process.env,
        PATH: `${path.dirname(temporalCliPath)}:${process.env.PATH}`,
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_NAMESPACE: namespace,
      },
      timeout: 60_000,
    });
    const conn = await Connection.connect({ address: temporalAddress });
    try {
      const res = await conn.operatorService.listSearchAttributes({ namespace });
      expect(Object.keys(res.customAttributes ?? {}).sort()).toEqual([...CUSTOM_SEARCH_ATTRIBUTES].sort());
    } finally {
      await conn.close();
    }
  });
});
