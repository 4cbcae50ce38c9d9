/**
 * Each region's storage account (REGION_STORAGE; by default its own Azurite account), holding that
 * region's replicas. Clients are built on first use, one per region.
 */
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { container } from './json-blobs';
import { replicaContainer } from './layout';

export class RegionAccounts {
  private readonly clients = new Map<string, BlobServiceClient>();

  constructor(private readonly connectionStrings: ReadonlyMap<string, string>) {}

  /** The account a region's replicas live in; a region without configured storage is an operator error. */
  account(region: string): BlobServiceClient {
    let client = this.clients.get(region);
    if (!client) {
      const cs = this.connectionStrings.get(region);
      if (!cs) throw new Error(`No storage account is configured for region ${region} (REGION_STORAGE); add it and restart the worker.`);
      client = BlobServiceClient.fromConnectionString(cs);
      this.clients.set(region, client);
    }
    return client;
  }

  /** The region's replica container (`replicas-<region>`: accounts may be shared between regions). */
  replicas(region: string): ContainerClient {
    return this.account(region).getContainerClient(replicaContainer(region));
  }

  /** The replica container, created on first use by this process. */
  async ensureReplicas(region: string): Promise<ContainerClient> {
    return container(this.account(region), replicaContainer(region));
  }
}
