/**
 * Fuzzing the HTTP API from its own OpenAPI document: requests to every operation with valid,
 * near-valid and hostile path ids, headers and bodies (fast-check arbitraries built from the
 * document's JSON Schemas), with and without keys and on other publishers' paths. No answer may be
 * a 5xx; every 4xx carries the contract's error body; a key never reaches what it may not; and the
 * stack is healthy afterwards. `FUZZ_SEED` repeats a run, `FUZZ_RUNS` changes its size.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { mapLimit } from '../../lib/map-limit';
import { ID_PATTERN } from '../../api/schemas';
import { MAX_REPORTED_FINDINGS } from '../../domain/offer';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath } from '../helpers/http';
import { hostileValue, NASTY_STRINGS, schemaArbitraries, toJsonText, type JsonSchema } from '../helpers/json-schema-arbitraries';
import { OPERATOR_KEY, OTHER_PUBLISHER_KEY, PUBLISHER_KEY, startStack, type Stack } from '../helpers/stack';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const CONCURRENCY = 6;

type Auth = 'own' | 'other' | 'operator' | 'none' | 'garbage';

interface FuzzRequest {
  operation: string;
  method: string;
  /** Sent as it is: already percent-encoded, or deliberately not. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  keyed: boolean;
  auth: Auth;
  /** The path's publisher id as the API will decode it, when it is a plain id. */
  publisherId?: string;
}

interface Operation {
  method: string;
  template: string;
  parameters?: Array<{ name: string; in: string; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
}

/** Path segments a proxy or a router might treat specially: traversal, encoded slashes, bad escapes, huge. */
const HOSTILE_SEGMENTS = [
  '..', '.', '%2e%2e', '%2E', '%2F', 'a%2Fb', '..%2F..%2Fopenapi.json', '%5C..%5C', '%', '%zz', '%00', '%C0%AE%C0%AE', '%E2%80%AE',
  '%F0%9F%99%82', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', '-x', '_x', 'x'.repeat(51), 'a.b', '%20', '~', "'", '"',
  'x'.repeat(9_000), 'x'.repeat(20_000),
];

// A publisher of the fuzzer's own (with contoso's key): its webhook PUT/DELETEs and image tests must not
// race other tests of the run, which share one Azurite and act as contoso.
const OWN = `fuzz${randomUUID().slice(0, 8)}`;

const KEYS: Record<Exclude<Auth, 'none' | 'garbage'>, string> = { own: PUBLISHER_KEY, other: OTHER_PUBLISHER_KEY, operator: OPERATOR_KEY };
const GARBAGE_AUTH = ['Bearer', 'Bearer ', 'Basic dGVzdDp0ZXN0', 'Bearer wrong', `Bearer ${PUBLISHER_KEY} extra`, `Bearer ${PUBLISHER_KEY}x`, `Token ${PUBLISHER_KEY}`, `Bearer ${'k'.repeat(20_000)}`, 'Bearer \u00ff\u00fe'];

/** Header values a client can put on the wire (HTTP forbids CR, LF, NUL and other controls). */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 60 });

const RAW_BODIES: Array<string | Buffer> = [
  '{', '{"offer":', 'null', '"offer"', '1', '[]', '[{"offer":{}}]', '', ' ', '\ufeff{"offer":{}}', '{"offer":{}} trailing', "{'offer':{}}",
  '{"offer":{"title":"a","title":"b"}}', '{"__proto__":{"polluted":true},"offer":{}}', '{"constructor":{"prototype":{"polluted":true}}}',
  Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), Buffer.from('{"offer":{"title":"\xc3\x28"}}', 'latin1'),
  `{"offer":{"title":"${'A'.repeat(1_100_000)}"}}`,
];

/** Percent-encoded, lone surrogates too (as the replacement character's bytes). */
const pathEncode = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    return Buffer.from(s, 'utf8').toString('hex').replace(/../g, '%$&');
  }
};

function requestArbitrary(doc: { paths: Record<string, Record<string, Omit<Operation, 'method' | 'template'>>>; components?: { schemas?: Record<string, JsonSchema> } }, pools: { publish: string[]; other: string[] }) {
  const schemas = schemaArbitraries(doc);
  const validId = fc.stringMatching(ID_PATTERN);
  const hostileSegment = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(pathEncode) },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS).filter((s) => s.length > 0).map(pathEncode) },
  );
  const segment = (name: string, op: Operation, schema: JsonSchema) => {
    if (name === 'publisherId') {
      return fc.oneof({ weight: 6, arbitrary: fc.constant(OWN) }, { weight: 1, arbitrary: fc.constant('fabrikam') }, { weight: 1, arbitrary: validId }, { weight: 2, arbitrary: hostileSegment });
    }
    if (name !== 'offerId') return fc.oneof({ weight: 3, arbitrary: schemas.valid(schema).map((v) => pathEncode(String(v))) }, { weight: 2, arbitrary: hostileSegment });
    // Valid publishes start real workflows: they go to a few offer ids only.
    const ids = op.template.endsWith('/publish') ? pools.publish : [...pools.other, ...pools.publish];
    return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ids) }, ...(op.template.endsWith('/publish') ? [] : [{ weight: 1, arbitrary: validId }]), { weight: 3, arbitrary: hostileSegment });
  };

  const operations: Operation[] = Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), template })),
  );

  const perOperation = operations.map((op) => {
    const params = (op.parameters ?? []).filter((p) => p.in === 'path');
    const names = params.map((p) => p.name);
    const bodySchema = op.requestBody?.content['application/json']?.schema;
    const pathArb = fc
      .tuple(
        fc.tuple(...params.map((p) => segment(p.name, op, p.schema))) as fc.Arbitrary<string[]>,
        fc.constantFrom('', '', '', '', '', '/', '/extra', '?__proto__[polluted]=1&a=%', '//', '#frag'),
      )
      .map(([values, suffix]) => ({
        path: names.reduce((p, n, i) => p.replace(`{${n}}`, values[i]), op.template) + suffix,
        publisherId: names.includes('publisherId') ? values[names.indexOf('publisherId')] : undefined,
      }));
    const body: fc.Arbitrary<string | Buffer | undefined> = bodySchema
      ? fc.oneof({ weight: 8, arbitrary: schemas.fuzzed(bodySchema).map(toJsonText) }, { weight: 2, arbitrary: fc.constantFrom(...RAW_BODIES) }, { weight: 1, arbitrary: fc.constant(undefined) })
      : fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostileValue().map(toJsonText) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) });
    const auth = fc.constantFrom<Auth>('own', 'own', 'own', 'operator', 'other', 'none', 'garbage');
    // The headers a client usually sends, and now and then one that servers handle apart.
    const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
    const headers = fc.record({
      'content-type': fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', 'application/json; charset=latin1'),
      accept: fc.constantFrom('*/*', 'application/json', 'text/html', 'application/xml', 'text/html;q=0.1, application/json', ''),
      'x-ms-subscription-id': fc.oneof(fc.uuid(), headerText, fc.constant('0b1f6a3c-2d4e-4f60-8a7b-9c0d1e2f3a4b')),
      'content-encoding': rarely(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-fuzz')),
      expect: rarely(rarely(fc.constantFrom('x-fuzz', '100-continue-ish'))),
      'x-forwarded-for': rarely(headerText),
    });
    const method = fc.oneof({ weight: 12, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') });
    return fc.record({ p: pathArb, body, auth, headers, method, garbage: fc.constantFrom(...GARBAGE_AUTH), wantsType: fc.boolean() }).map(({ p, body, auth, headers, method, garbage, wantsType }): FuzzRequest => {
      const h: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
      if (auth === 'garbage') h.authorization = garbage;
      else if (auth !== 'none') h.authorization = `Bearer ${KEYS[auth]}`;
      if (body !== undefined && !wantsType && h['content-type'] !== 'application/json') h['content-type'] = 'application/json';
      return { operation: `${op.method} ${op.template}`, method, path: p.path, headers: h, body, keyed: !!op.security?.length, auth, publisherId: p.publisherId };
    });
  });
  return fc.oneof(...perOperation);
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** One request on its own connection, so an answer never depends on what an earlier request left on a socket. */
function send(baseUrl: string, r: FuzzRequest): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // A body always goes with its length: Node sends a GET's body with no framing at all otherwise.
    const headers = r.body === undefined ? r.headers : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
    const req = http.request({ host: hostname, port, method: r.method, path: r.path, headers, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(r.body);
  });
}

/** What is wrong with an answer, by the contract (docs/http-api.md, "Errors" and "Authentication"). */
function contractProblems(r: FuzzRequest, a: Answer): string[] {
  const problems: string[] = [];
  if (a.status >= 500) problems.push(`answered ${a.status}`);
  const ok = a.status >= 200 && a.status < 300;
  if (r.keyed && ok && (r.auth === 'none' || (r.auth === 'garbage' && !/^bearer\s+test-contoso-key\s*$/i.test(r.headers.authorization ?? '')))) {
    problems.push(`answered ${a.status} without a valid key`);
  }
  if (r.keyed && ok && r.auth === 'other' && r.publisherId !== 'fabrikam') problems.push(`answered ${a.status} to another publisher's key`);
  if (r.keyed && ok && r.auth === 'own' && r.publisherId !== OWN) problems.push(`answered ${a.status} to the fuzzer's key on publisher ${r.publisherId}`);
  // A dry run's answer stays small whatever the draft (docs/http-api.md, "Limits").
  if (ok && r.operation.endsWith('/validate') && r.method === 'POST') {
    const messages = (JSON.parse(a.text) as { messages: unknown[] }).messages;
    if (messages.length > MAX_REPORTED_FINDINGS + 1) problems.push(`a validation answer with ${messages.length} messages`);
  }
  if (a.status >= 400 && a.status < 500 && r.method !== 'HEAD') {
    if (!a.contentType.startsWith('application/json')) problems.push(`a ${a.status} with content type "${a.contentType}"`);
    let body: unknown;
    try {
      body = JSON.parse(a.text);
    } catch {
      problems.push(`a ${a.status} whose body is not JSON`);
    }
    if (body !== undefined && !isErrorBody(body)) problems.push(`a ${a.status} whose body is not { error: { code, message, details? } }`);
  }
  return problems;
}

function isErrorBody(body: unknown): boolean {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObj(body) || Object.keys(body).join() !== 'error' || !isObj(body.error)) return false;
  const { code, message, details, ...rest } = body.error;
  if (Object.keys(rest).length > 0 || typeof code !== 'string' || !code || typeof message !== 'string' || !message) return false;
  return details === undefined || (Array.isArray(details) && details.every((d) => isObj(d) && typeof d.path === 'string' && typeof d.message === 'string' && Object.keys(d).length === 2));
}

const describeRequest = (r: FuzzRequest) => {
  const body = r.body === undefined ? '' : ` body(${r.body.length}): ${(Buffer.isBuffer(r.body) ? r.body.toString('latin1') : r.body).slice(0, 300)}`;
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.length > 120 ? `${v.slice(0, 120)}…(${v.length})` : v]));
  return `${r.method} ${r.path.length > 200 ? `${r.path.slice(0, 200)}…(${r.path.length})` : r.path} [${r.operation}, auth ${r.auth}] ${JSON.stringify(headers)}${body}`;
};

describe('API fuzzing from the OpenAPI document', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ PUBLISHER_API_KEYS: `${OWN}:${PUBLISHER_KEY},fabrikam:${OTHER_PUBLISHER_KEY}` });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`answers ${RUNS} generated requests without a 5xx, every 4xx in the error shape, and stays healthy`, async () => {
    const doc = (await call(stack, 'GET', '/openapi.json', { key: null })).body;
    const prefix = uniqueOfferId('fz');
    const pools = { publish: [0, 1, 2].map((i) => `${prefix}-p${i}`), other: [0, 1].map((i) => `${prefix}-o${i}`) };
    const requests = fc.sample(requestArbitrary(doc, pools), { seed: SEED, numRuns: RUNS });
    console.log(`api fuzz: ${requests.length} requests, seed ${SEED} (FUZZ_SEED=${SEED} repeats them)`);

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const started = Date.now();
    await mapLimit(requests, CONCURRENCY, async (r) => {
      try {
        const a = await send(stack.baseUrl, r);
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        const problems = contractProblems(r, a);
        if (problems.length) failures.push(`${problems.join('; ')}: ${describeRequest(r)} → ${a.text.slice(0, 300)}`);
      } catch (err) {
        failures.push(`no answer (${(err as Error).message}): ${describeRequest(r)}`);
      }
    });
    console.log(`api fuzz: done in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(failures).toEqual([]);
    // The API runs in this process: no body reached Object.prototype.
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();

    // Healthy afterwards: health, and a normal dry run of a hosted offer.
    expect((await call(stack, 'GET', '/healthz', { key: null })).status).toBe(200);
    const offer = await hostedOffer(stack.blobs, {});
    const normal = await call(stack, 'POST', `${offerPath(uniqueOfferId('after-fuzz'), OWN)}/validate`, { body: { offer } });
    expect([normal.status, normal.body.valid, normal.body.messages]).toEqual([200, true, []]);

    // Runs the fuzzer started end at validate by themselves; cancel any still open.
    for (const id of pools.publish) await call(stack, 'POST', `${offerPath(id, OWN)}/cancel`, { key: OPERATOR_KEY });
  }, 180_000);
});
