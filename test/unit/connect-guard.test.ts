/**
 * The address check at connect time, against DNS rebinding: a resolver stub plays the publisher's
 * DNS, and a real local server stands for the internal service it points at; it counts every TCP
 * connection, so "refused" means nothing reached it.
 */
import { request as httpRequest, createServer, type Agent as HttpAgent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors';
import { guardedDispatcher, guardedNodeAgent, type ConnectGuard } from '../../lib/net/guarded-connect';
import {
  BlockedByPolicyError,
  guardedFetch,
  policedFetch,
  resolveAndCheck,
  UrlPolicyError,
  type Resolver,
  type UrlPolicy,
} from '../../lib/net/url-policy';
import { fetch as undiciFetch } from 'undici';
import { sendAzureTableTestLead } from '../../activities/package/leads/azure-table';
import { sendDynamics365TestLead } from '../../activities/package/leads/dynamics365';
import { sendHttpsTestLead } from '../../activities/package/leads/https';
import { sendMarketoTestLead } from '../../activities/package/leads/marketo';
import { sendSalesforceTestLead } from '../../activities/package/leads/salesforce';
import { buildTestLead } from '../../activities/package/leads/test-lead';
import { failure } from '../helpers/failure';

interface Internal {
  port: number;
  /** TCP connections accepted. */
  connections: number;
  /** HTTP requests answered. */
  requests: number;
  close(): Promise<void>;
}

/** An "internal service" on 127.0.0.1 that answers every request with 200 "internal". */
async function internalService(port = 0): Promise<Internal> {
  const s: Internal = { port: 0, connections: 0, requests: 0, close: async () => undefined };
  const server = createServer((_req, res) => {
    s.requests++;
    res.end('internal');
  });
  server.on('connection', () => s.connections++);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  s.port = (server.address() as AddressInfo).port;
  s.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return s;
}

/** DNS that answers each query with the next answer, repeating the last. */
function rebinding(...answers: string[][]): Resolver & { queries: number } {
  const resolver = Object.assign(
    async () => {
      const answer = answers[Math.min(resolver.queries, answers.length - 1)];
      resolver.queries++;
      return answer;
    },
    { queries: 0 },
  );
  return resolver;
}

const leads = (resolver: Resolver, allowLoopback = false): UrlPolicy => ({ allowedHosts: ['*'], allowLoopback, timeoutMs: 3000, resolver });

describe('DNS rebinding', () => {
  let internal: Internal;
  beforeEach(async () => {
    internal = await internalService();
  });
  afterEach(() => internal.close());

  it('the connection itself is checked: an answer that turns to loopback after a check saw a public one is refused', async () => {
    const dns = rebinding(['20.60.1.2'], ['127.0.0.1']);
    const policy = leads(dns);
    const url = `https://rebind.example:${internal.port}/admin?sig=SECRET`;
    // An earlier check (the one policedFetch used to make before fetch resolved again) sees a public address …
    await expect(resolveAndCheck(url, policy)).resolves.toEqual(['20.60.1.2']);
    // … the connection gets loopback, and is refused before it is made.
    const err = await failure(policedFetch(url, {}, policy, { maxBytes: 100 }));
    expect(err).toBeInstanceOf(BlockedByPolicyError);
    expect(err.message).toBe(`https://rebind.example:${internal.port}/admin: the host rebind.example cannot be reached: only names whose addresses are all public internet addresses can (check the name).`);
    expect(dns.queries).toBe(2);
    expect(internal.connections).toBe(0);
  });

  it('the server would otherwise answer: the same stub with loopback allowed (development) reaches it', async () => {
    const url = `http://rebind.example:${internal.port}/admin`;
    const res = await guardedFetch(url, {}, leads(rebinding(['127.0.0.1']), true));
    expect([res.status, await res.text()]).toEqual([200, 'internal']);
    expect(internal.requests).toBe(1);

    const before = internal.connections;
    const err = await failure(guardedFetch(url, {}, leads(rebinding(['127.0.0.1']))));
    expect(isBlocked(err)).toBe(true);
    expect(internal.connections).toBe(before);
  });

  it('every address of an answer is checked, not only the first', async () => {
    for (const answer of [
      ['20.60.1.2', '127.0.0.1'],
      ['2603:1030::1', '::ffff:127.0.0.1'],
      ['20.60.1.2', '169.254.169.254'],
    ]) {
      const err = await failure(policedFetch(`https://mixed.example:${internal.port}/`, {}, leads(rebinding(answer)), { maxBytes: 10 }));
      expect(err).toBeInstanceOf(BlockedByPolicyError);
    }
    expect(internal.connections).toBe(0);
  });

  it('IP literals in any notation are checked before connecting', async () => {
    const never = rebinding([]); // literals are not resolved
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '0177.0.0.1', '[::1]', '[0:0:0:0:0:0:0:1]', '[::ffff:7f00:1]', '[::ffff:0:127.0.0.1]', '[::127.0.0.1]']) {
      const url = `https://${host}:${internal.port}/x`;
      const err = await failure(policedFetch(url, {}, leads(never), { maxBytes: 10 }));
      expect([host, err.message]).toEqual([host, expect.stringMatching(/ cannot be reached: only names whose addresses are all public internet addresses can \(check the name\)\.$/)]);
    }
    // Forms that reach an IPv4 address through a relay or translator: refused before any packet leaves.
    for (const host of ['[2002:7f00:1::]', '[64:ff9b::127.0.0.1]', '[64:ff9b:1::a00:1]', '[2001:0:4136:e378:8000:63bf:80ff:fffe]', '[2001:db8::1]', '[fe80::1]']) {
      const err = await failure(policedFetch(`https://${host}:${internal.port}/x`, {}, leads(never), { maxBytes: 10 }));
      expect([host, err]).toEqual([host, expect.any(BlockedByPolicyError)]);
    }
    // Loopback allowed (development) opens this machine's loopback only, not 127.x behind a relay.
    for (const host of ['[2002:7f00:1::]', '[64:ff9b::7f00:1]', '[::7f00:1]']) {
      const err = await failure(policedFetch(`https://${host}:${internal.port}/x`, {}, leads(never, true), { maxBytes: 10 }));
      expect([host, err]).toEqual([host, expect.any(BlockedByPolicyError)]);
    }
    expect(never.queries).toBe(0);
    expect(internal.connections).toBe(0);
  });

  it('a name that does not exist or has no addresses is refused exactly like an internal one (no oracle of internal names)', async () => {
    const answers: Record<string, Resolver> = {
      nxdomain: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
      nodata: async () => [],
      internal: async () => ['10.1.2.3'],
    };
    const refusals = await Promise.all(
      Object.values(answers).map(async (resolver) => {
        const fetched = await failure(policedFetch('https://db.corp.example/x?sig=SECRET', {}, leads(resolver), { maxBytes: 10 }));
        const checked = await failure(resolveAndCheck('https://db.corp.example/x?sig=SECRET', leads(resolver)));
        return [fetched.constructor, fetched.message, checked.constructor, checked.message];
      }),
    );
    const message = 'https://db.corp.example/x: the host db.corp.example cannot be reached: only names whose addresses are all public internet addresses can (check the name).';
    for (const r of refusals) expect(r).toEqual([BlockedByPolicyError, message, BlockedByPolicyError, message]);
  });

  it('a resolver failing for a while is reported as such, retryable, not as a refusal', async () => {
    const servfail: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
    };
    const err = await failure(policedFetch('https://nowhere.example/x?sig=SECRET', {}, leads(servfail), { maxBytes: 10 }));
    expect(err).not.toBeInstanceOf(UrlPolicyError);
    expect(err.message).toBe('https://nowhere.example/x: the host name nowhere.example could not be resolved right now; try again.');
  });

  it('the Node agent (Azure SDK transport) checks names and literals when connecting', async () => {
    const get = (agent: HttpAgent, host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host, port: internal.port, path: '/', agent }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    const guard = (allowLoopback: boolean): ConnectGuard => ({
      resolve: async () => ['127.0.0.1'],
      check: (address, host) => {
        if (!(allowLoopback && address === '127.0.0.1')) throw new BlockedByPolicyError(host);
      },
    });
    const open = guardedNodeAgent(guard(true), false);
    expect(await get(open, 'rebind.example')).toBe(200);
    open.destroy();
    const strict = guardedNodeAgent(guard(false), false);
    for (const host of ['rebind.example', '127.0.0.1', '::1']) {
      const before = internal.connections;
      await expect(get(strict, host)).rejects.toThrow(/cannot be reached: only names/);
      expect(internal.connections).toBe(before);
    }
    strict.destroy();
  });

  it('the connected peer is checked again: a peer the guard refuses gets no request', async () => {
    // A guard that lets the lookup through and refuses the address once connected.
    let checks = 0;
    const guard: ConnectGuard = {
      resolve: async () => ['127.0.0.1'],
      check: (_address, host) => {
        if (checks++ > 0) throw new BlockedByPolicyError(host);
      },
    };
    const dispatcher = guardedDispatcher(guard);
    const err = await failure(undiciFetch(`http://peer.example:${internal.port}/`, { dispatcher }));
    expect(isBlocked(err)).toBe(true);
    await dispatcher.close();

    checks = 0;
    const agent = guardedNodeAgent(guard, false);
    await expect(
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: 'peer.example', port: internal.port, path: '/', method: 'POST', agent }, resolve);
        req.on('error', reject);
        req.end('payload');
      }),
    ).rejects.toThrow(/cannot be reached: only names/);
    agent.destroy();
    expect(internal.connections).toBeGreaterThan(0);
    expect(internal.requests).toBe(0);
  });
});

const isBlocked = (err: Error) => (err.cause ?? err) instanceof UrlPolicyError;

describe('lead delivery to a blocked address', () => {
  const lead = buildTestLead({ publisherId: 'contoso', offerId: 'web-appliance', runId: 'run-1' }, 'Contoso Web Appliance');
  const secret = 'Xy8Q~SUPER-secret-value.123';

  /** The failure with an internal service listening on the port, and again once it is closed. */
  async function openThenClosed(send: (base: string, policy: UrlPolicy) => Promise<unknown>): Promise<[Error, Error]> {
    const internal = await internalService();
    const policy = leads(rebinding(['127.0.0.1']));
    const base = `https://crm.rebind.example:${internal.port}`;
    const open = await failure(send(base, policy));
    await internal.close();
    const closed = await failure(send(base, policy));
    expect(internal.connections).toBe(0);
    return [open, closed];
  }

  const publisherHosts: Array<[string, string, (base: string, policy: UrlPolicy) => Promise<unknown>]> = [
    ['Https', 'leadDestination.url', (base, policy) => sendHttpsTestLead({ url: `${base}/leads?code=KEY123` }, lead, policy)],
    [
      'AzureTable',
      'leadDestination.connectionString',
      (base, policy) =>
        sendAzureTableTestLead(
          { connectionString: `DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=${Buffer.from(secret).toString('base64')};TableEndpoint=${base}/` },
          lead,
          { partitionKey: 'contoso.web-appliance', rowKey: 'test-run-1' },
          policy,
        ),
    ],
  ];

  it.each(publisherHosts)('%s: an open and a closed port give the same "blocked by policy", for good', async (_type, field, send) => {
    const [open, closed] = await openThenClosed(send);
    expect(open.message).toBe(closed.message);
    expect(open).toMatchObject({ type: ErrorType.LeadDestinationNotAllowed, nonRetryable: true });
    expect(open.message).toContain(field);
    expect(open.message).toMatch(/the host crm\.rebind\.example cannot be reached: only names whose addresses are all public internet addresses can \(check the name\)\./);
    expect(open.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|KEY123|HTTP \d/);
  });

  it('a Marketo custom domain (port 443 only) on a blocked address is refused for good', async () => {
    const err = await failure(sendMarketoTestLead({ serverId: 'forms.rebind.example', munchkinId: '123-ABC-456', formId: '1001' }, lead, leads(rebinding(['127.0.0.1']))));
    expect(err).toMatchObject({ type: ErrorType.LeadDestinationNotAllowed, nonRetryable: true });
    expect(err.message).toBe(
      'leadDestination.serverId is not allowed: https://forms.rebind.example/index.php/leadCapture/save2: the host forms.rebind.example cannot be reached: only names whose addresses are all public internet addresses can (check the name).',
    );
  });

  it('fixed services (Salesforce, the Microsoft identity platform) on a blocked address: the same text open or closed, retried', async () => {
    const salesforce = await openThenClosed((base, policy) => sendSalesforceTestLead({ orgId: '00D5g000004ABCDEAA' }, lead, policy, new Date(), `${base}/servlet/servlet.WebToLead`));
    const dynamics = await openThenClosed((base, policy) =>
      sendDynamics365TestLead(
        { instanceUrl: 'https://contoso.crm.dynamics.com', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '11111111-2222-3333-4444-555555555555', clientSecret: secret },
        lead,
        policy,
        new Date(),
        base,
      ),
    );
    for (const [open, closed] of [salesforce, dynamics]) {
      expect(open.message).toBe(closed.message);
      expect(open).not.toBeInstanceOf(ApplicationFailure);
      expect(open.message).toMatch(/will retry: the host crm\.rebind\.example cannot be reached: only names/);
      expect(open.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      expect(open.message).not.toContain(secret);
    }
  });
});
