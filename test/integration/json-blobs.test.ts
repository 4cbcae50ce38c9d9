/** JSON blobs on the run's Azurite: a reader racing a writer gets one version whole; containers created once. */
import { randomUUID } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { container as ensuredContainer, readJson, writeJson } from '../../lib/storage/json-blobs';
import { testServices } from '../helpers/services';

describe('readJson', () => {
  it('returns one version whole while the blob is replaced by longer and shorter ones', async () => {
    const blobs = BlobServiceClient.fromConnectionString(testServices().storageConnectionString);
    const container = `json-${randomUUID().slice(0, 8)}`;
    const versions = [{ v: 'short' }, { v: 'long', pad: 'x'.repeat(300) }];
    await writeJson(blobs, container, 'pointer.json', versions[0]);
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 60; i++) await writeJson(blobs, container, 'pointer.json', versions[i % 2]);
      writing = false;
    })();
    const seen = new Set<string>();
    while (writing) {
      const got = await readJson<{ v: string }>(blobs, container, 'pointer.json');
      expect(versions).toContainEqual(got);
      seen.add(got!.v);
    }
    await writer;
    expect(seen.size).toBe(2);
    await blobs.getContainerClient(container).delete();
  });
});

describe('container', () => {
  it('is created once however many callers start with it at the same time, and tried again after a failure', async () => {
    const blobs = BlobServiceClient.fromConnectionString(testServices().storageConnectionString);
    const name = `ensure-${randomUUID().slice(0, 8)}`;
    const creations = jest.spyOn(blobs, 'getContainerClient');
    // The first creation fails (as when the storage refuses for a moment): nothing is kept of it.
    creations.mockImplementationOnce(() => ({ createIfNotExists: () => Promise.reject(new Error('storage busy')) }) as never);
    await expect(ensuredContainer(blobs, name)).rejects.toThrow('storage busy');
    const clients = await Promise.all(Array.from({ length: 20 }, () => ensuredContainer(blobs, name)));
    expect(creations).toHaveBeenCalledTimes(2);
    expect(new Set(clients).size).toBe(1);
    expect(await clients[0].exists()).toBe(true);
    await clients[0].delete();
  });
});
