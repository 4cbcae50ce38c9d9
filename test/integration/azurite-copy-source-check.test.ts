/**
 * The embedded Azurite's copy source check (dev-stack/azurite-copy-source-check.ts), through the
 * run's Azurite: a cross-account copy of a 1 GiB page blob, authorized by the source's SAS like
 * between two Azure regions, and refused with Azure's messages when the source may not be read.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlobSASPermissions, BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { loadConfig } from '../../config/env';
import { RegionAccounts } from '../../lib/storage/region-accounts';
import { freePorts, startAzurite } from '../../dev-stack/services';
import { testServices } from '../helpers/services';
import { GiB } from '../../domain/units';


describe('Azurite copy source check', () => {
  const s = testServices();
  const control = BlobServiceClient.fromConnectionString(s.storageConnectionString);
  const regions = new RegionAccounts(loadConfig({ AZURE_STORAGE_CONNECTION_STRING: s.storageConnectionString }).regionStorage);
  const mark = randomBytes(4096);
  let source: ContainerClient;
  let sasUrl: string;

  beforeAll(async () => {
    source = control.getContainerClient(`copy-check-${randomUUID().slice(0, 8)}`);
    await source.create();
    const blob = source.getPageBlobClient('big.vhd');
    await blob.create(GiB, { metadata: { purpose: 'copy-check-test' } });
    await blob.uploadPages(mark, GiB - mark.length, mark.length);
    sasUrl = await blob.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 600_000) });
  });
  afterAll(() => source.deleteIfExists());

  it('lets another account copy a 1 GiB page blob with the source’s SAS, and only with it', async () => {
    const target = await regions.ensureReplicas('westus2');
    const replica = target.getPageBlobClient(`copy-check-test/${randomUUID()}.vhd`);
    const done = await (await replica.beginCopyFromURL(sasUrl)).pollUntilDone();
    expect(done.copyStatus).toBe('success');
    expect((await replica.getProperties()).contentLength).toBe(GiB);
    expect(await replica.downloadToBuffer(GiB - mark.length, mark.length)).toEqual(mark);
    await replica.delete();

    // Without a SAS the other account may not read the source, as on Azure.
    const plain = target.getPageBlobClient(`copy-check-test/${randomUUID()}.vhd`);
    await expect(plain.beginCopyFromURL(source.getBlobClient('big.vhd').url)).rejects.toMatchObject({ statusCode: 403, code: 'CannotVerifyCopySource' });
  }, 60_000);

  it('refuses a copy whose SAS has a bad signature, with Azure’s message', async () => {
    const target = await regions.ensureReplicas('westus2');
    const url = new URL(sasUrl);
    url.searchParams.set('sig', 'bm90LXRoZS1zaWduYXR1cmU=');
    await expect(target.getPageBlobClient(`copy-check-test/${randomUUID()}.vhd`).beginCopyFromURL(url.href)).rejects.toMatchObject({
      statusCode: 403,
      code: 'CannotVerifyCopySource',
      message: expect.stringMatching(/^This request is not authorized to perform this operation\./),
    });
  });

  it('refuses a copy of a source that does not exist', async () => {
    const target = await regions.ensureReplicas('westus2');
    const missing = await source.getBlobClient('missing.vhd').generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 600_000) });
    await expect(target.getPageBlobClient(`copy-check-test/${randomUUID()}.vhd`).beginCopyFromURL(missing)).rejects.toMatchObject({
      statusCode: 404,
      code: 'CannotVerifyCopySource',
    });
  });

  it('remembers a passed check for a moment, yet a source deleted since cannot be copied', async () => {
    const target = await regions.ensureReplicas('westus2');
    const gone = source.getPageBlobClient(`gone-${randomUUID().slice(0, 8)}.vhd`);
    await gone.create(4096);
    const url = await gone.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 600_000) });
    const first = target.getPageBlobClient(`copy-check-test/${randomUUID()}.vhd`);
    expect((await (await first.beginCopyFromURL(url)).pollUntilDone()).copyStatus).toBe('success');
    await gone.delete();
    // Within the moment the check is remembered: the copy still reads the source's record, which is gone.
    await expect(target.getPageBlobClient(`copy-check-test/${randomUUID()}.vhd`).beginCopyFromURL(url)).rejects.toMatchObject({ statusCode: 404 });
    await first.delete();
  });

  it('ends by itself on SIGTERM and keeps its data for the next start (as under npm start)', async () => {
    const location = fs.mkdtempSync(path.join(os.tmpdir(), 'azurite-persist-'));
    const ports = async () => {
      const [blobPort, queuePort, tablePort] = await freePorts(3);
      return { blobPort, queuePort, tablePort, location, logDir: location };
    };
    const first = await startAzurite(await ports());
    const name = `kept-${randomUUID().slice(0, 8)}`;
    const replicas = new RegionAccounts(loadConfig({ AZURE_STORAGE_CONNECTION_STRING: first.connectionString }).regionStorage);
    await (await replicas.ensureReplicas('eastus')).getBlockBlobClient(name).upload('kept', 4);
    await first.stop();
    expect(await first.exited).toBe(0); // a clean exit, not the SIGKILL that follows a grace period

    const second = await startAzurite(await ports());
    try {
      const again = new RegionAccounts(loadConfig({ AZURE_STORAGE_CONNECTION_STRING: second.connectionString }).regionStorage);
      expect((await again.replicas('eastus').getBlobClient(name).downloadToBuffer()).toString()).toBe('kept');
    } finally {
      await second.stop();
      fs.rmSync(location, { recursive: true, force: true });
    }
  }, 90_000);
});
