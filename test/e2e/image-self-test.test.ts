/**
 * Image self-test, end to end: the certify step's engine on one image as a durable run of its
 * own, no offer needed; rate-limited per publisher.
 */
import { uploadLinuxImage, uploadVhd } from '../helpers/assets';
import { call } from '../helpers/http';
import { randomUUID } from 'node:crypto';
import { OTHER_PUBLISHER_KEY, PUBLISHER_KEY, startStack, type Stack } from '../helpers/stack';
import { GiB } from '../../domain/units';

// A publisher of this test's own: the hourly quota is counted per publisher in the storage account
// every test of the run shares (the API fuzzer also starts image tests for contoso).
const PUBLISHER = `selftest${randomUUID().slice(0, 8)}`;
const TESTS = `/api/publishers/${PUBLISHER}/image-tests`;

async function finished(stack: Stack, location: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await call(stack, 'GET', location);
    expect(r.status).toBe(200);
    if (r.body.status !== 'Running') return r.body;
    if (Date.now() > deadline) throw new Error('image test still running');
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('image self-test', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ IMAGE_TESTS_PER_HOUR: '3', PUBLISHER_API_KEYS: `${PUBLISHER}:${PUBLISHER_KEY},fabrikam:${OTHER_PUBLISHER_KEY}` });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('passes a compliant image, fails a non-compliant one with the failing check ids, and limits tests per publisher', async () => {
    const good = await call(stack, 'POST', TESTS, { body: { vhdUrl: await uploadLinuxImage(stack.blobs), os: { family: 'Linux', type: 'Ubuntu' } } });
    expect(good.status).toBe(202);
    const location = good.headers.get('location')!;
    expect(location).toBe(`${TESTS}/${good.body.testId}`);
    const passed = await finished(stack, location);
    expect(passed.status).toBe('Passed');
    expect(passed.bytesRead).toBeGreaterThan(0);
    expect(passed.checks.length).toBeGreaterThan(10);
    expect(passed.checks.filter((c: { result: string }) => c.result === 'Failed')).toEqual([]);
    // Another publisher cannot read it.
    expect((await call(stack, 'GET', location.replace(PUBLISHER, 'fabrikam'), { key: OTHER_PUBLISHER_KEY })).status).toBe(404);

    // A dynamic VHD of an odd size: the VHD checks say what is wrong.
    const bad = await call(stack, 'POST', TESTS, { body: { vhdUrl: await uploadVhd(stack.blobs, { diskType: 3, virtualSize: GiB + 512 }), os: { family: 'Linux', type: 'Ubuntu' } } });
    expect(bad.status).toBe(202);
    const failed = await finished(stack, bad.headers.get('location')!);
    expect(failed.status).toBe('Failed');
    expect(failed.checks.filter((c: { result: string }) => c.result === 'Failed').map((c: { testId: string }) => c.testId).sort()).toEqual(FAILED_IDS);

    // Refused URLs never start a test; the third test of the hour is the last.
    expect((await call(stack, 'POST', TESTS, { body: { vhdUrl: 'http://169.254.169.254/x.vhd', os: { family: 'Linux', type: 'Ubuntu' } } })).status).toBe(400);
    const third = await call(stack, 'POST', TESTS, { body: { vhdUrl: await uploadLinuxImage(stack.blobs), os: { family: 'Linux', type: 'Ubuntu' } } });
    expect(third.status).toBe(202);
    const fourth = await call(stack, 'POST', TESTS, { body: { vhdUrl: await uploadLinuxImage(stack.blobs), os: { family: 'Linux', type: 'Ubuntu' } } });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('TooManyImageTests');
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 300_000);
});

// VHD-003: not a fixed VHD; VHD-005: the virtual size is not a whole number of MiB.
const FAILED_IDS = ['VHD-003', 'VHD-005'];
