/** Rules of the logs and metrics (lib/observability, api/metrics.ts): ids on every line of a run, no secret in any line, route templates without ids, who reads /metrics. */
import { Writable } from 'node:stream';
import { createApiMetrics, routeTemplate } from '../../api/metrics';
import { createLogger, offerFieldsOf, scrubSecrets } from '../../lib/observability/logger';
import { PinoTemporalLogger } from '../../lib/observability/temporal-logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, log: createLogger({ service: 'test', level: 'debug', destination }) };
}

describe('log lines', () => {
  it('scrub SAS tokens, account keys and bearer tokens from any text', () => {
    const sas = 'https://acct.blob.core.windows.net/c/disk.vhd?sv=2024-08-04&se=2030-01-01&sp=r&sig=AbC%2Bdef123%3D';
    expect(scrubSecrets(`copy from ${sas} failed`)).toBe('copy from https://acct.blob.core.windows.net/c/disk.vhd?<SAS redacted> failed');
    expect(scrubSecrets('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0a2V5PT0=;EndpointSuffix=x')).not.toContain('c2VjcmV0a2V5PT0=');
    expect(scrubSecrets('BlobEndpoint=http://x/a;SharedAccessSignature=sv=1&sig=zz')).not.toMatch(/sig=zz|sv=1&/);
    expect(scrubSecrets('authorization: Bearer pk_live_123.abc')).toBe('authorization: Bearer <redacted>');
  });

  it('redact secret fields and scrub messages before writing', () => {
    const { lines, log } = capture();
    log.info({ lead: { clientSecret: 's3cr3t', url: 'https://crm.example/leads' }, password: 'pw' }, 'sent to https://h/b?sig=abc');
    expect(JSON.stringify(lines)).not.toMatch(/s3cr3t|"pw"|sig=abc/);
    expect(lines[0]).toMatchObject({ service: 'test', level: 'info', lead: { clientSecret: '<redacted>', url: 'https://crm.example/leads' } });
  });

  it('carry publisher and offer ids from the workflow id, the run id as runId, and never the task token', () => {
    const { lines, log } = capture();
    new PinoTemporalLogger(log).debug('Activity completed', {
      workflowId: 'publish/contoso/my-offer',
      workflowRunId: 'run-1',
      activityType: 'certifyImages',
      taskToken: 'CiQwMWEy',
    });
    expect(lines[0]).toMatchObject({ msg: 'Activity completed', level: 'debug', workflowId: 'publish/contoso/my-offer', runId: 'run-1', publisherId: 'contoso', offerId: 'my-offer' });
    expect(lines[0]).not.toHaveProperty('taskToken');
    expect(offerFieldsOf('deprecate/fabrikam/x')).toEqual({ publisherId: 'fabrikam', offerId: 'x' });
    expect(offerFieldsOf('offer-snapshot-retention/q')).toEqual({});
  });
});

describe('route templates of metrics and request lines', () => {
  it('name the route, never the ids in the path', () => {
    expect(routeTemplate('GET', '/api/publishers/contoso/offers/my-offer/status')).toBe('/api/publishers/{publisherId}/offers/{offerId}/status');
    expect(routeTemplate('DELETE', '/api/publishers/contoso/offers/o/deprecation')).toBe('/api/publishers/{publisherId}/offers/{offerId}/deprecation');
    expect(routeTemplate('GET', '/portal/offers/my-offer')).toBe('/portal/*');
    expect(routeTemplate('GET', '/wp-admin/contoso-secret')).toBe('other');
  });
});

describe('who may read the API metrics', () => {
  const identify = (key: string) => (key === 'op' ? ({ kind: 'operator' } as const) : key === 'pub' ? ({ kind: 'publisher', publisherId: 'contoso' } as const) : undefined);
  const { serve } = createApiMetrics(identify);
  async function read(remoteAddress: string, key?: string) {
    const sent: { type?: string; body?: string } = {};
    const req = { socket: { remoteAddress }, get: (h: string) => (h === 'authorization' && key ? `Bearer ${key}` : undefined) };
    const res = { type: (t: string) => ((sent.type = t), res), send: (b: string) => ((sent.body = b), res) };
    await (serve as unknown as (q: typeof req, s: typeof res) => Promise<void>)(req, res);
    return sent;
  }

  it('a caller on loopback without a key, or an operator key from elsewhere; not a publisher key', async () => {
    expect((await read('127.0.0.1')).body).toContain('http_server_requests_in_flight');
    expect((await read('::ffff:127.0.0.1')).body).toContain('process_cpu_user_seconds_total');
    expect((await read('10.1.2.3', 'op')).body).toContain('http_server_requests_in_flight');
    await expect(read('10.1.2.3')).rejects.toMatchObject({ status: 401 });
    await expect(read('10.1.2.3', 'pub')).rejects.toMatchObject({ status: 403 });
  });
});
