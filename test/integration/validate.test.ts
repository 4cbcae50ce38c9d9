/** The validate step against Azurite: images as a publisher stores them, judged as provision will. */
import { loadConfig } from '../../config/env';
import { createActivityDeps } from '../../activities/deps';
import { validateOffer } from '../../activities/validate';
import { uploadBlockBlob } from '../../samples/azure-upload';
import { vhdFooterBytes } from '../../samples/vhd-writer';
import { MiB } from '../../domain/units';
import { hostedOffer, uniqueOfferId } from '../helpers/assets';
import { testServices } from '../helpers/services';

describe('validateOffer with images in Azurite', () => {
  const s = testServices();
  const deps = createActivityDeps(loadConfig({ AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString, SMTP_URL: s.smtpUrl, URL_ALLOW_LOOPBACK: 'true' }));
  const OS_FIELD = 'skus[0].diskVersions[0].osVhdUrl';

  it('an image stored as a block blob is a validate error on its field, not a provision failure later', async () => {
    // A page blob passes: the offer is otherwise valid.
    const offer = await hostedOffer(deps.blobs, { virtualSize: 20 * MiB });
    const ok = await validateOffer(deps, offer);
    expect(ok.findings).toEqual([]);
    expect(ok.plan).toBeDefined();

    // The same image as a block blob reads just as well (certify could inspect it), but
    // provision's server-side copy only makes disks of page blobs.
    const footer = vhdFooterBytes({ virtualSize: 20 * MiB });
    const blockUrl = await uploadBlockBlob(deps.blobs, 'publisher-uploads', `images/${uniqueOfferId('block')}.vhd`, Buffer.concat([Buffer.alloc(20 * MiB), footer]), 'application/octet-stream');
    offer.skus![0].diskVersions![0].osVhdUrl = blockUrl;
    const refused = await validateOffer(deps, offer);
    expect(refused.plan).toBeUndefined();
    expect(refused.findings).toEqual([{ level: 'Error', field: OS_FIELD, text: expect.stringMatching(/^The image is a BlockBlob; VM images must be stored as page blobs/) }]);
    expect(JSON.stringify(refused.findings)).not.toContain('sig=');
  });
});
