/**
 * Hostile drafts against the real API (issue 9 §4): a 1 MB draft of thousands of plans and disk
 * versions repeating a few URLs is refused at once, naming the limits, with nothing fetched, stored
 * or started; a draft within the limits but full of mistakes and repeated URLs is validated with one
 * read per URL, and its answer and its run's status stay small.
 */
import { countImages, MAX_REPORTED_FINDINGS, OFFER_LIMITS, REQUEST_BODY_LIMIT_BYTES, type OfferDraft } from '../../domain/offer';
import { pngBuffer } from '../../samples/png-writer';
import { startRangeServer, type RangeServer } from '../../samples/range-server';
import { validOffer } from '../../samples/offer';
import { call, offerPath, stepOf, waitForStatus } from '../helpers/http';
import { startStack, type Stack } from '../helpers/stack';
import { uniqueOfferId } from '../helpers/assets';

/** The answers here are a few KB; the 1 MB draft's used to be 5.8 MB. */
const MAX_ANSWER_BYTES = 64 * 1024;

describe('bounded drafts', () => {
  let stack: Stack;
  let receiver: RangeServer;
  beforeAll(async () => {
    [stack, receiver] = await Promise.all([startStack(), startRangeServer()]);
    // Answers as an Azure page blob and a 48×48 PNG would: what the probes read is counted below.
    receiver.routes.set('/image.vhd', { body: Buffer.alloc(4096), blobType: 'PageBlob' });
    receiver.routes.set('/logo.png', { body: pngBuffer(48, 48) });
  });
  afterAll(async () => {
    await Promise.all([stack?.stop(), receiver?.close()]);
  });

  const logos = () => ({ small: receiver.url('/logo.png'), medium: receiver.url('/logo.png'), large: receiver.url('/logo.png'), wide: receiver.url('/logo.png') });

  /** Thousands of plans of many disk versions, every disk on the same two URLs, just under the body limit. */
  function hostileDraft(): OfferDraft {
    const image = receiver.url('/image.vhd?sv=2024&sig=SECRET');
    const sku = (i: number) => ({
      skuId: `plan-${i}`,
      diskVersions: Array.from({ length: 3 }, (_, j) => ({ version: `1.0.${j}`, osVhdUrl: image, dataDisks: [{ lun: 0, vhdUrl: image }] })),
    });
    const offer: OfferDraft = { ...validOffer({ logos: logos() }), skus: [] };
    let size = JSON.stringify({ offer }).length;
    for (let i = 0; size < REQUEST_BODY_LIMIT_BYTES - 2_000; i++) {
      offer.skus!.push(sku(i));
      size += JSON.stringify(sku(i)).length + 1;
    }
    return offer;
  }

  it.each(['validate', 'publish'])('a 1 MB draft past its limits: POST …/%s answers 400 at once, naming them, without fetching, storing or starting anything', async (action) => {
    const offerId = uniqueOfferId(`hostile-${action}`);
    const offer = hostileDraft();
    const body = JSON.stringify({ offer, notificationEmails: ['a@contoso.example'] });
    expect(body.length).toBeGreaterThan(0.99 * REQUEST_BODY_LIMIT_BYTES);
    expect(offer.skus!.length).toBeGreaterThan(1_500);
    expect(countImages(offer)).toBeGreaterThan(10_000);
    receiver.reset();

    const started = Date.now();
    const r = await call(stack, 'POST', `${offerPath(offerId)}/${action}`, { rawBody: body });
    const elapsed = Date.now() - started;

    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('InvalidRequest');
    expect(r.body.error.details).toEqual([{ path: 'offer.skus', message: `${offer.skus!.length} given: at most ${OFFER_LIMITS.skus} plans (SKUs) per offer` }]);
    expect(r.text.length).toBeLessThan(MAX_ANSWER_BYTES);
    expect(r.text).not.toContain('SECRET');
    expect(elapsed).toBeLessThan(5_000);
    expect(receiver.requests).toEqual([]);

    const snapshots: string[] = [];
    const container = stack.blobs.getContainerClient('offer-snapshots');
    if (await container.exists()) for await (const b of container.listBlobsFlat({ prefix: `contoso/${offerId}/` })) snapshots.push(b.name);
    expect(snapshots).toEqual([]);
    expect((await call(stack, 'GET', `${offerPath(offerId)}/status`)).status).toBe(404);
  });

  /** At every count limit, every disk on one URL, every plan with mistakes: far more than 200 messages. */
  function faultyDraftWithinLimits(): OfferDraft {
    const image = receiver.url('/image.vhd?sv=2024&sig=SECRET');
    const base = validOffer({ logos: logos() });
    const plans = OFFER_LIMITS.imagesPerOffer / 2;
    return {
      ...base,
      leadDestination: null,
      skus: Array.from({ length: plans }, (_, i) => ({
        ...base.skus![0],
        skuId: `plan-${i}`,
        title: '',
        summary: '',
        os: { family: 'BeOS' },
        diskVersions: [
          { version: '1.0.0', osVhdUrl: image },
          { version: '1.0.1', osVhdUrl: image },
        ],
      })),
    };
  }

  it('a draft within its limits but full of mistakes: one read per URL, 200 messages and a count of the rest, in the dry run and in the run', async () => {
    const offerId = uniqueOfferId('faulty');
    const offer = faultyDraftWithinLimits();
    const expectedErrors = (offer.skus!.length * 5) + 3; // per plan: title, summary, OS family, type, friendly name; 3 logos of the wrong size
    receiver.reset();

    const dry = await call(stack, 'POST', `${offerPath(offerId)}/validate`, { body: { offer } });
    expect(dry.status).toBe(200);
    expect(dry.body.valid).toBe(false);
    expect(dry.body.messages).toHaveLength(MAX_REPORTED_FINDINGS + 1);
    expect(dry.body.messages[MAX_REPORTED_FINDINGS].text).toMatch(new RegExp(`^…and ${expectedErrors - MAX_REPORTED_FINDINGS} more messages`));
    expect(dry.text.length).toBeLessThan(MAX_ANSWER_BYTES);
    // 200 disks and 4 logos on two URLs: two reads.
    expect(receiver.requests.map((q) => `${q.path} ${q.range}`).sort()).toEqual(['/image.vhd bytes=0-511', '/logo.png bytes=0-32']);

    receiver.reset();
    const published = await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: ['a@contoso.example'] } });
    expect(published.status).toBe(202);
    const failed = await waitForStatus(stack, offerId, (s) => s.status === 'Failed');
    const messages = stepOf(failed, 'validate').messages;
    expect(messages).toHaveLength(MAX_REPORTED_FINDINGS + 1);
    expect(messages[MAX_REPORTED_FINDINGS].text).toMatch(/more messages/);
    expect(JSON.stringify(failed).length).toBeLessThan(MAX_ANSWER_BYTES);
    expect(receiver.requests).toHaveLength(2);
  });
});
