/** What activities need from the outside world; built once per worker (workers/main.ts). */
import { BlobServiceClient } from '@azure/storage-blob';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/env';

export interface ActivityDeps {
  config: AppConfig;
  /** The control storage account (reports, catalogs, replicas, offer snapshots). */
  blobs: BlobServiceClient;
  mailer: Transporter;
}

export function createActivityDeps(config: AppConfig): ActivityDeps {
  return {
    config,
    blobs: BlobServiceClient.fromConnectionString(config.storageConnectionString),
    mailer: nodemailer.createTransport(config.smtpUrl),
  };
}
