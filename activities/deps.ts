/** What activities need from the outside world; built once per worker (workers/main.ts). */
import { BlobServiceClient } from '@azure/storage-blob';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/env';
import { RegionAccounts } from '../lib/storage/region-accounts';

export interface ActivityDeps {
  config: AppConfig;
  /** The control storage account (offer snapshots, reports, catalogs). */
  blobs: BlobServiceClient;
  /** Each region's account, where its replicas go. */
  regionAccounts: RegionAccounts;
  mailer: Transporter;
}

export function createActivityDeps(config: AppConfig): ActivityDeps {
  return {
    config,
    blobs: BlobServiceClient.fromConnectionString(config.storageConnectionString),
    regionAccounts: new RegionAccounts(config.regionStorage),
    mailer: nodemailer.createTransport(config.smtpUrl),
  };
}
