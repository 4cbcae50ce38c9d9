/**
 * What an operator sees of a publish in Temporal's own tools: `temporal workflow describe` shows
 * the static summary (offer and publisher) and details, `temporal workflow metadata` the current
 * details (step and status), and the history's certification and region-copy activities carry a
 * summary naming the region and the disks. Read with the real CLI against the dev server.
 */
import { publishWorkflowId } from '../../domain/messages';
import type { PublishStatusBody } from '../../domain/status';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { call, offerPath, waitForStatus } from '../helpers/http';
import { startStack, type Stack } from '../helpers/stack';
import { recordHistory } from '../helpers/histories';
import { temporalCli as temporal } from '../helpers/temporal-cli';

type Metadata = string | { data: string };
interface Described {
  executionConfig: { userMetadata?: { summary?: Metadata; details?: Metadata } };
}
interface HistoryEvent {
  userMetadata?: { summary?: Metadata };
  activityTaskScheduledEventAttributes?: { activityType: { name: string } };
}

/** User metadata is a payload: `describe` prints it decoded, `show` as base64 JSON. */
function text(payload: Metadata | undefined): string | undefined {
  return typeof payload === 'object' ? JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) : payload;
}

describe('Temporal UI metadata of a publish', () => {
  let stack: Stack;
  beforeAll(async () => {
    // One lane: both regions are copied by one activity, whose summary names them both.
    stack = await startStack({ REGIONS: 'eastus,westeurope', PROVISION_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('names the offer and publisher, shows the step and status, and summarises certification and region copies', async () => {
    const offerId = uniqueOfferId('ui-meta');
    const offer = await hostedOffer(stack.blobs);
    await call(stack, 'POST', `${offerPath(offerId)}/publish`, { body: { offer, notificationEmails: [`${offerId}@contoso.example`] } });
    const waiting = await waitForStatus(stack, offerId, (s: PublishStatusBody) => s.status === 'WaitingForPublisherReview' || s.status === 'Failed');
    expect(waiting.status).toBe('WaitingForPublisherReview');
    const workflowId = publishWorkflowId('contoso', offerId);

    const described = await temporal<Described>('workflow', 'describe', '--workflow-id', workflowId);
    const config = described.executionConfig;
    const summary = text(config.userMetadata?.summary);
    expect(summary).toContain(offerId);
    expect(summary).toContain(offer.title);
    expect(summary).toContain('contoso');
    expect(text(config.userMetadata?.details)).toContain('**Regions** 2 (eastus, westeurope)');

    const metadata = await temporal<{ queryResult: { currentDetails: string }[] }>('workflow', 'metadata', '--workflow-id', workflowId);
    expect(metadata.queryResult[0].currentDetails).toBe('Step: signoff (Publisher sign-off) · Status: WaitingForPublisherReview');

    const history = await temporal<{ events: HistoryEvent[] }>('workflow', 'show', '--workflow-id', workflowId);
    const scheduled = history.events.filter((e) => e.activityTaskScheduledEventAttributes);
    const summaryOf = (type: string) =>
      scheduled.filter((e) => e.activityTaskScheduledEventAttributes!.activityType.name === type).map((e) => text(e.userMetadata?.summary));
    // The sample offer has one SKU with one OS disk: its replica name is `<sku>/<version>/os.vhd`.
    const sku = offer.skus![0];
    const disk = `${sku.skuId}/${sku.diskVersions![0].version}/os.vhd`;
    expect(summaryOf('certifyImages')).toEqual([`Certify 1 disk(s): ${disk}`]);
    expect(summaryOf('replicateRegions')).toEqual([`Replicate to eastus, westeurope: ${disk}`]);
    await recordHistory(workflowId, waiting.runId, 'batched-copies-to-signoff');
  });
});
