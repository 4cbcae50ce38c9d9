import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  assertUrlAllowed,
  classifyAddress,
  hostAllowed,
  policedFetch,
  redactUrl,
  resolveAndCheck,
  UrlFetchError,
  UrlPolicyError,
  type UrlPolicy,
} from '../../lib/net/url-policy';
import { startRangeServer, type RangeServer } from '../../samples/range-server';

const strict: UrlPolicy = { allowedHosts: ['.blob.core.windows.net', 'images.contoso.example'], allowLoopback: false, timeoutMs: 2000 };
const dev: UrlPolicy = { ...strict, allowLoopback: true };

function refusal(fn: () => unknown): UrlPolicyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UrlPolicyError);
    return err as UrlPolicyError;
  }
  throw new Error('expected a UrlPolicyError');
}

describe('redactUrl', () => {
  it('drops query, fragment and credentials', () => {
    expect(redactUrl('https://u:p@acct.blob.core.windows.net/c/disk.vhd?sv=1&sig=SECRET#frag')).toBe('https://acct.blob.core.windows.net/c/disk.vhd');
    expect(redactUrl('not a url?sig=SECRET')).toBe('not a url');
    expect(redactUrl('file:///tmp/x.vhd?sig=SECRET')).toBe('file:///tmp/x.vhd');
  });
});

describe('assertUrlAllowed', () => {
  it('allows https to an allowed host, exact or on a dot boundary', () => {
    expect(assertUrlAllowed('https://acct.blob.core.windows.net/c/d.vhd?sig=x', strict).hostname).toBe('acct.blob.core.windows.net');
    expect(assertUrlAllowed('https://IMAGES.contoso.example/a.png', strict).hostname).toBe('images.contoso.example');
    expect(hostAllowed('acct.blob.core.windows.net.', strict.allowedHosts)).toBe(true);
  });

  it('refuses look-alike hosts', () => {
    for (const url of [
      'https://evilblob.core.windows.net/x',
      'https://blob.core.windows.net.evil.example/x',
      'https://blob.core.windows.net/x',
      'https://sub.images.contoso.example/x',
    ]) {
      expect(refusal(() => assertUrlAllowed(url, strict)).message).toMatch(/not an allowed host/);
    }
  });

  it('refuses http, other schemes, credentials and garbage', () => {
    expect(refusal(() => assertUrlAllowed('http://acct.blob.core.windows.net/x', strict)).message).toMatch(/only https/);
    expect(refusal(() => assertUrlAllowed('ftp://acct.blob.core.windows.net/x', strict)).message).toMatch(/ftp: scheme/);
    expect(refusal(() => assertUrlAllowed('https://me:pw@acct.blob.core.windows.net/x', strict)).message).toMatch(/user name or password/);
    expect(refusal(() => assertUrlAllowed('disk.vhd?sig=SECRET', strict)).message).toMatch(/not a valid absolute URL/);
  });

  it('allows loopback and file: only when the policy says so', () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://127.8.9.10/x', 'https://localhost/x', 'http://[::1]:9/x', 'file:///tmp/disk.vhd']) {
      expect(() => assertUrlAllowed(url, dev)).not.toThrow();
      refusal(() => assertUrlAllowed(url, strict));
    }
    refusal(() => assertUrlAllowed('http://10.0.0.1/x', dev));
    refusal(() => assertUrlAllowed('http://169.254.169.254/latest/meta-data', dev));
    refusal(() => assertUrlAllowed('file://fileserver/share/disk.vhd', dev));
  });

  it('never puts the query string in a message', () => {
    const err = refusal(() => assertUrlAllowed('http://evil.example/disk.vhd?sv=1&sig=SECRET', strict));
    expect(err.message).toContain('http://evil.example/disk.vhd');
    expect(err.message).not.toContain('SECRET');
  });
});

describe('classifyAddress and resolveAndCheck', () => {
  it('classifies addresses', () => {
    expect(classifyAddress('20.60.1.2')).toBe('public');
    expect(classifyAddress('10.1.2.3')).toBe('private');
    expect(classifyAddress('172.20.0.1')).toBe('private');
    expect(classifyAddress('192.168.1.1')).toBe('private');
    expect(classifyAddress('100.64.0.1')).toBe('private');
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('169.254.169.254')).toBe('link-local');
    expect(classifyAddress('0.0.0.0')).toBe('unspecified');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('::')).toBe('unspecified');
    expect(classifyAddress('fe80::1')).toBe('link-local');
    expect(classifyAddress('fd00::1')).toBe('private');
    expect(classifyAddress('::ffff:10.0.0.1')).toBe('private');
    expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
    expect(classifyAddress('2603:1030::1')).toBe('public');
  });

  const url = new URL('https://acct.blob.core.windows.net/c/d.vhd?sig=SECRET');
  const dns = (...addrs: string[]) => async () => addrs;

  it('accepts a host resolving to public addresses only', async () => {
    await expect(resolveAndCheck(url, strict, dns('20.60.1.2', '2603:1030::1'))).resolves.toEqual(['20.60.1.2', '2603:1030::1']);
  });

  it('refuses a host that resolves to an internal address', async () => {
    for (const addr of ['10.0.0.5', '169.254.169.254', '127.0.0.1', 'fd12::1']) {
      const p = resolveAndCheck(url, strict, dns('20.60.1.2', addr));
      await expect(p).rejects.toBeInstanceOf(UrlPolicyError);
      // The host as given, never the address it resolved to.
      await expect(p).rejects.toThrow('https://acct.blob.core.windows.net/c/d.vhd: the host acct.blob.core.windows.net cannot be reached: only names whose addresses are all public internet addresses can (check the name).');
    }
    await expect(resolveAndCheck(url, dev, dns('127.0.0.1'))).resolves.toEqual(['127.0.0.1']);
    await expect(resolveAndCheck(url, dev, dns('10.0.0.5'))).rejects.toBeInstanceOf(UrlPolicyError);
  });

  it('reports an unresolvable host without the query string', async () => {
    const p = resolveAndCheck(url, strict, async () => {
      throw new Error('ENOTFOUND');
    });
    await expect(p).rejects.toBeInstanceOf(UrlFetchError);
    await expect(p).rejects.not.toThrow(/SECRET/);
  });
});

describe('policedFetch', () => {
  let server: RangeServer;
  beforeAll(async () => {
    server = await startRangeServer();
    server.routes.set('/data', { body: Buffer.from('0123456789') });
    server.routes.set('/same-host', { redirect: '/data' });
    server.routes.set('/other-host', { redirect: `${server.origin.replace('127.0.0.1', 'localhost')}/data` });
    server.routes.set('/loop', { redirect: '/loop' });
    server.routes.set('/r1', { redirect: '/r2' });
    server.routes.set('/r2', { redirect: '/r3' });
    server.routes.set('/r3', { redirect: '/data' });
  });
  afterAll(() => server.close());

  it('follows up to 3 redirects within the same host', async () => {
    const res = await policedFetch(server.url('/same-host?sig=x'), {}, dev, { maxBytes: 100 });
    expect(res.status).toBe(200);
    expect(res.url.pathname).toBe('/data');
    expect((await res.bytes()).toString()).toBe('0123456789');
    const three = await policedFetch(server.url('/r1'), {}, dev, { maxBytes: 100 });
    expect((await three.bytes()).toString()).toBe('0123456789');
  });

  it('refuses a redirect to another host, and redirect loops', async () => {
    const cross = policedFetch(server.url('/other-host?sig=SECRET'), {}, dev, { maxBytes: 100 });
    await expect(cross).rejects.toBeInstanceOf(UrlPolicyError);
    await expect(cross).rejects.toThrow(/redirects to another host \(localhost:\d+\)/);
    await expect(cross).rejects.not.toThrow(/SECRET/);
    await expect(policedFetch(server.url('/loop'), {}, dev, { maxBytes: 100 })).rejects.toThrow(/more than 3 redirects/);
  });

  it('refuses loopback before sending anything when the policy does not allow it', async () => {
    const before = server.requests.length;
    await expect(policedFetch(server.url('/data'), {}, strict, { maxBytes: 100 })).rejects.toBeInstanceOf(UrlPolicyError);
    expect(server.requests.length).toBe(before);
  });

  it('enforces the byte budget', async () => {
    const res = await policedFetch(server.url('/data'), {}, dev, { maxBytes: 4 });
    await expect(res.bytes()).rejects.toThrow(/larger than 4 bytes/);
    const head = await policedFetch(server.url('/data'), {}, dev, { maxBytes: 100 });
    expect((await head.head(3)).toString()).toBe('012');
  });

  it('times out with a clear message', async () => {
    const hang: Server = createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const port = (hang.address() as AddressInfo).port;
    try {
      const p = policedFetch(`http://127.0.0.1:${port}/slow?sig=SECRET`, {}, { ...dev, timeoutMs: 200 }, { maxBytes: 10 });
      await expect(p).rejects.toBeInstanceOf(UrlFetchError);
      await expect(p).rejects.toThrow(/within 200 ms/);
      await expect(p).rejects.not.toThrow(/SECRET/);
    } finally {
      hang.closeAllConnections();
      await new Promise((r) => hang.close(r));
    }
  });

  it('reports a refused connection', async () => {
    const closed: Server = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const p = policedFetch(`http://127.0.0.1:${port}/x`, {}, dev, { maxBytes: 10 });
    await expect(p).rejects.toBeInstanceOf(UrlFetchError);
    await expect(p).rejects.toThrow(/request failed \(ECONNREFUSED\)/);
  });
});

describe('the lead endpoint policy (`*`)', () => {
  const leads = { allowedHosts: ['*'], allowLoopback: false, timeoutMs: 1000 };
  it('allows any https host by name, but still refuses private addresses behind it', async () => {
    const { assertUrlAllowed, resolveAndCheck } = await import('../../lib/net/url-policy');
    expect(assertUrlAllowed('https://crm.contoso.example/leads', leads).hostname).toBe('crm.contoso.example');
    expect(() => assertUrlAllowed('http://crm.contoso.example/leads', leads)).toThrow(/only https/);
    await expect(resolveAndCheck(new URL('https://crm.contoso.example/'), leads, async () => ['10.0.0.5'])).rejects.toThrow();
    await expect(resolveAndCheck(new URL('https://crm.contoso.example/'), leads, async () => ['20.50.2.1'])).resolves.toBeDefined();
  });
});
