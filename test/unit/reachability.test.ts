import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppConfig } from '../../config/env';
import type { OfferDraft } from '../../domain/offer';
import type { Finding } from '../../domain/status';
import type { UrlPolicy } from '../../lib/net/url-policy';
import { checkReachability } from '../../activities/validate/reachability';
import { validateOffer } from '../../activities/validate';
import { parsePngHeader } from '../../activities/validate/png';
import { pngBuffer } from '../../samples/png-writer';
import { startRangeServer, type RangeServer } from '../../samples/range-server';
import { writeSparseVhd } from '../../samples/vhd-writer';
import { GiB, MiB } from '../../domain/units';
import { validOffer } from '../../samples/offer';

const dev: UrlPolicy = { allowedHosts: ['.blob.core.windows.net'], allowLoopback: true, timeoutMs: 5000 };
const strict: UrlPolicy = { ...dev, allowLoopback: false };

let dir: string;
let server: RangeServer;
let vhd: string;
let bigVhd: string;

function served(overrides: Partial<Parameters<typeof validOffer>[0]> = {}): OfferDraft {
  return validOffer({
    osVhdUrl: server.url('/os.vhd?sv=1&sig=SECRET'),
    dataDiskUrls: [server.url('/data0.vhd?sig=SECRET')],
    logos: { small: server.url('/48.png'), medium: server.url('/90.png'), large: server.url('/216.png'), wide: server.url('/wide.png') },
    ...overrides,
  });
}

const on = (findings: Finding[], field: string) => findings.filter((f) => f.field === field);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reach-'));
  vhd = join(dir, 'os.vhd');
  bigVhd = join(dir, 'big.vhd');
  await writeSparseVhd(vhd, { virtualSize: 64 * MiB });
  await writeSparseVhd(bigVhd, { virtualSize: 4 * GiB });
  server = await startRangeServer();
  // Images answer as Azure page blobs do; provision copies nothing else.
  server.routes.set('/os.vhd', { file: vhd, blobType: 'PageBlob' });
  server.routes.set('/data0.vhd', { file: vhd, blobType: 'PageBlob' });
  server.routes.set('/block.vhd', { file: vhd, blobType: 'BlockBlob' });
  server.routes.set('/plain.vhd', { file: vhd });
  server.routes.set('/48.png', { body: pngBuffer(48, 48) });
  server.routes.set('/90.png', { body: pngBuffer(90, 90) });
  server.routes.set('/216.png', { body: pngBuffer(216, 216) });
  server.routes.set('/wide.png', { body: pngBuffer(255, 115) });
  server.routes.set('/64.png', { body: pngBuffer(64, 64) });
  server.routes.set('/whole.png', { body: pngBuffer(48, 48), ignoreRange: true });
  server.routes.set('/not-png', { body: Buffer.from('GIF89a this is not a png at all, not at all') });
  server.routes.set('/no-range.vhd', { file: bigVhd, ignoreRange: true, blobType: 'PageBlob' });
  server.routes.set('/denied.vhd', { status: 403 });
  server.routes.set('/elsewhere.vhd', { redirect: `${server.origin.replace('127.0.0.1', 'localhost')}/os.vhd?sig=SECRET` });
  server.routes.set('/slow.vhd', { file: vhd, delayMs: 100, blobType: 'PageBlob' });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await server?.close();
});

describe('png header parser', () => {
  it('reads the size from the first 33 bytes and rejects garbage', () => {
    expect(parsePngHeader(pngBuffer(255, 115).subarray(0, 33))).toMatchObject({ ok: true, header: { width: 255, height: 115 } });
    expect(parsePngHeader(Buffer.from('nope'))).toMatchObject({ ok: false });
    const corrupt = Buffer.from(pngBuffer(48, 48).subarray(0, 33));
    corrupt[17] ^= 1;
    expect(parsePngHeader(corrupt)).toEqual({ ok: false, problem: expect.stringMatching(/checksum/) });
  });
});

describe('checkReachability', () => {
  it('passes a served offer, with ranged reads of a few bytes only', async () => {
    server.reset();
    expect(await checkReachability(served(), dev)).toEqual([]);
    const ranges = server.requests.map((r) => `${r.path} ${r.range}`).sort();
    expect(ranges).toEqual(['/216.png bytes=0-32', '/48.png bytes=0-32', '/90.png bytes=0-32', '/data0.vhd bytes=0-511', '/os.vhd bytes=0-511', '/wide.png bytes=0-32']);
  });

  it('reports a logo of the wrong size, or not a PNG, on its field', async () => {
    const got = await checkReachability(served({ logos: { small: server.url('/64.png'), medium: server.url('/not-png'), large: server.url('/216.png'), wide: server.url('/wide.png') } }), dev);
    expect(got).toEqual([
      { level: 'Error', field: 'logos.small', text: 'The small logo is 64×64 pixels: it must be exactly 48×48 pixels.' },
      { level: 'Error', field: 'logos.medium', text: expect.stringMatching(/is not a PNG image .*upload a PNG of 90×90 pixels/) },
    ]);
  });

  it('accepts a logo served without range support, reading only its header', async () => {
    const offer = served();
    offer.logos!.small = server.url('/whole.png');
    expect(await checkReachability(offer, dev)).toEqual([]);
  });

  it('refuses an image served without range support, without downloading it', async () => {
    const offer = served();
    offer.skus![0].diskVersions![0].osVhdUrl = server.url('/no-range.vhd?sig=SECRET');
    const before = server.bytesSent();
    const got = await checkReachability(offer, dev);
    expect(got).toEqual([
      { level: 'Error', field: 'skus[0].diskVersions[0].osVhdUrl', text: expect.stringMatching(/without support for HTTP range requests/) },
    ]);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.bytesSent() - before).toBeLessThan(64 * MiB);
  });

  it('refuses an image that is not an Azure page blob, on its field: provision could not copy it', async () => {
    const offer = served({ osVhdUrl: server.url('/block.vhd?sig=SECRET'), dataDiskUrls: [server.url('/plain.vhd?sig=SECRET')] });
    const got = await checkReachability(offer, dev);
    expect(got).toEqual([
      { level: 'Error', field: 'skus[0].diskVersions[0].osVhdUrl', text: expect.stringMatching(/^The image is a BlockBlob; VM images must be stored as page blobs/) },
      { level: 'Error', field: 'skus[0].diskVersions[0].dataDisks[0].vhdUrl', text: expect.stringMatching(/^The image is not an Azure blob; VM images must be stored as page blobs/) },
    ]);
    expect(JSON.stringify(got)).not.toContain('SECRET');
  });

  it('reports HTTP errors with what to do', async () => {
    const offer = served();
    offer.skus![0].diskVersions![0].osVhdUrl = server.url('/denied.vhd?sig=SECRET');
    offer.skus![0].diskVersions![0].dataDisks![0].vhdUrl = server.url('/missing.vhd?sig=SECRET');
    const got = await checkReachability(offer, dev);
    expect(on(got, 'skus[0].diskVersions[0].osVhdUrl')[0].text).toMatch(/HTTP 403.*SAS token/);
    expect(on(got, 'skus[0].diskVersions[0].dataDisks[0].vhdUrl')[0].text).toMatch(/HTTP 404/);
    expect(JSON.stringify(got)).not.toContain('SECRET');
  });

  it('refuses loopback URLs when the policy does not allow them, without sending a request', async () => {
    server.reset();
    const got = await checkReachability(served(), strict);
    expect(got.map((f) => f.field).sort()).toEqual([
      'logos.large', 'logos.medium', 'logos.small', 'logos.wide',
      'skus[0].diskVersions[0].dataDisks[0].vhdUrl', 'skus[0].diskVersions[0].osVhdUrl',
    ]);
    expect(got.every((f) => f.level === 'Error' && /only https URLs are allowed/.test(f.text))).toBe(true);
    expect(server.requests).toEqual([]);
    expect(JSON.stringify(got)).not.toContain('SECRET');
  });

  it('refuses a redirect to another host', async () => {
    const offer = served();
    offer.skus![0].diskVersions![0].osVhdUrl = server.url('/elsewhere.vhd?sig=SECRET');
    const got = await checkReachability(offer, dev);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ level: 'Error', field: 'skus[0].diskVersions[0].osVhdUrl' });
    expect(got[0].text).toMatch(/redirects to another host \(localhost:\d+\)/);
    expect(got[0].text).not.toContain('SECRET');
  });

  it('reads file: URLs when loopback is allowed, and refuses them otherwise', async () => {
    const png = join(dir, 'small.png');
    await writeFile(png, pngBuffer(48, 48));
    const offer = served({ osVhdUrl: pathToFileURL(vhd).href, dataDiskUrls: [] });
    offer.logos!.small = pathToFileURL(png).href;
    // A file: image reads (certify could inspect it) but is no blob that provision could copy.
    expect(await checkReachability(offer, dev)).toEqual([{ level: 'Error', field: 'skus[0].diskVersions[0].osVhdUrl', text: expect.stringMatching(/is not an Azure blob/) }]);
    offer.skus![0].diskVersions![0].osVhdUrl = server.url('/os.vhd');
    expect(await checkReachability(offer, dev)).toEqual([]);
    offer.logos!.small = pathToFileURL(join(dir, 'absent.png')).href;
    expect(await checkReachability(offer, dev)).toEqual([{ level: 'Error', field: 'logos.small', text: expect.stringMatching(/no such file/) }]);
    offer.skus![0].diskVersions![0].osVhdUrl = pathToFileURL(vhd).href;
    const refused = await checkReachability(offer, strict);
    expect(on(refused, 'skus[0].diskVersions[0].osVhdUrl')[0].text).toMatch(/file: URLs are not allowed/);
  });

  it('skips the given fields and bounds concurrency', async () => {
    const urls = Array.from({ length: 8 }, (_, i) => server.url(`/slow.vhd?n=${i}`));
    const offer = served({ dataDiskUrls: urls });
    server.reset();
    const got = await checkReachability(offer, dev, { concurrency: 2, skipFields: new Set(['logos.small', 'logos.medium', 'logos.large', 'logos.wide']) });
    expect(got).toEqual([]);
    expect(server.requests.some((r) => r.path.endsWith('.png'))).toBe(false);
    expect(server.requests.filter((r) => r.path === '/slow.vhd')).toHaveLength(8);
    expect(server.maxConcurrent('/slow.vhd')).toBe(2);
  });
});

describe('checkReachability on repeated and skipped URLs', () => {
  it('reads a URL given in many fields once, and reports on each field', async () => {
    const offer = served({ dataDiskUrls: Array.from({ length: 16 }, () => server.url('/denied.vhd?sig=SECRET')) });
    offer.skus = Array.from({ length: 10 }, (_, i) => ({ ...offer.skus![0], skuId: `plan-${i}` }));
    const same = server.url('/48.png');
    offer.logos = { small: same, medium: same, large: same, wide: same };
    server.reset();
    const got = await checkReachability(offer, dev);
    const count = (path: string) => server.requests.filter((r) => r.path === path).length;
    expect([count('/denied.vhd'), count('/os.vhd'), count('/48.png')]).toEqual([1, 1, 1]);
    // One read, judged per field: each data disk is refused, the small logo fits and the others do not.
    expect(got.filter((f) => /dataDisks\[\d+\]\.vhdUrl$/.test(f.field!) && /HTTP 403/.test(f.text))).toHaveLength(160);
    expect(got.filter((f) => f.field!.startsWith('logos.')).map((f) => f.field)).toEqual(['logos.medium', 'logos.large', 'logos.wide']);
  });

  it('skips every field under a skipped one: a list past its limit is not probed at all', async () => {
    const offer = served();
    server.reset();
    expect(await checkReachability(offer, dev, { skipFields: new Set(['skus', 'logos.small']) })).toEqual([]);
    expect(server.requests.map((r) => r.path).sort()).toEqual(['/216.png', '/90.png', '/wide.png']);
    server.reset();
    await checkReachability(offer, dev, { skipFields: new Set(['skus[0].diskVersions[0].dataDisks', 'sku', 'logos']) });
    expect(server.requests.map((r) => r.path)).toEqual(['/os.vhd']);
  });
});

describe('validateOffer', () => {
  const deps = (urlPolicy: UrlPolicy) => ({ config: { urlPolicy, leadUrlPolicy: { ...urlPolicy, allowedHosts: ['*'] } } as AppConfig });

  it('returns the plan for a valid, reachable offer', async () => {
    const result = await validateOffer(deps(dev), served());
    expect(result.findings).toEqual([]);
    expect(result.plan?.disks.map((d) => d.blobName)).toEqual(['standard/1.0.0/os.vhd', 'standard/1.0.0/data-0.vhd']);
  });

  it('skips reachability for fields that failed the rules, and gives no plan on errors', async () => {
    const offer = served();
    offer.skus![0].diskVersions![0].osVhdUrl = 'ftp://x.example/os.vhd';
    offer.logos!.small = server.url('/64.png');
    const result = await validateOffer(deps(dev), offer);
    expect(result.plan).toBeUndefined();
    expect(result.findings.map((f) => `${f.level} ${f.field}`)).toEqual(['Error skus[0].diskVersions[0].osVhdUrl', 'Error logos.small']);
  });

  it('gives the plan when there are only warnings', async () => {
    const offer = served();
    offer.privacyPolicyUrl = 'http://contoso.example/privacy';
    const result = await validateOffer(deps(dev), offer);
    expect(result.findings).toEqual([expect.objectContaining({ level: 'Warning', field: 'privacyPolicyUrl' })]);
    expect(result.plan).toBeDefined();
  });

  it('probes no image of a draft past its limits, and reports at most 200 messages and a count of the rest', async () => {
    const offer = served({ dataDiskUrls: Array.from({ length: 16 }, (_, lun) => server.url(`/data0.vhd?lun=${lun}`)) });
    // 13 plans of 16 disk versions of 17 disks: within every per-list limit, 3,536 images in all.
    offer.skus = Array.from({ length: 13 }, (_, i) => ({
      ...offer.skus![0],
      skuId: `plan-${i}`,
      title: '',
      diskVersions: Array.from({ length: 16 }, (_, j) => ({ ...offer.skus![0].diskVersions![0], version: `1.${j}` })),
    }));
    server.reset();
    const result = await validateOffer(deps(dev), offer);
    expect(server.requests.filter((r) => r.path.endsWith('.vhd'))).toEqual([]);
    expect(result.findings).toHaveLength(201);
    expect(result.findings.find((f) => f.field === 'skus')?.text).toMatch(/lists 3536 disk images .*at most 200 per offer/);
    // The image count, 13 empty titles and 208 bad versions: 222 errors, of which the 22 not listed are counted.
    expect(result.findings[200]).toEqual({ level: 'Error', text: expect.stringMatching(/^…and 22 more messages \(22 errors\) not listed/) });
    expect(result.plan).toBeUndefined();
  });

  it('holds the lead endpoint to the lead URL policy: https, unless loopback is allowed for development', async () => {
    const offer = served();
    offer.leadDestination = { type: 'Https', url: 'http://crm.contoso.example/leads?code=KEY' };
    const strict = await validateOffer(deps({ ...dev, allowLoopback: false }), offer);
    expect(strict.findings).toContainEqual(expect.objectContaining({ field: 'leadDestination.url', level: 'Error', text: expect.stringMatching(/only https/) }));
    expect(JSON.stringify(strict.findings)).not.toContain('KEY');
    offer.leadDestination = { type: 'Https', url: 'http://127.0.0.1:9/leads' };
    expect((await validateOffer(deps(dev), offer)).findings.filter((f) => f.field === 'leadDestination.url')).toEqual([]);
  });
});
