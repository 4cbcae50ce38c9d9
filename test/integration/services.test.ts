/** Smoke test: each service the global setup started answers (Temporal, Azurite, MailDev). */
import { randomUUID } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { BlobServiceClient } from '@azure/storage-blob';
import { TableClient } from '@azure/data-tables';
import nodemailer from 'nodemailer';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/messages';
import { testServices } from '../helpers/services';
import { waitForMail } from '../helpers/mail';

describe('test services', () => {
  const s = testServices();

  it('Temporal answers and has the custom search attributes', async () => {
    const conn = await Connection.connect({ address: s.temporalAddress });
    try {
      const res = await conn.operatorService.listSearchAttributes({ namespace: s.namespace });
      expect(Object.keys(res.customAttributes ?? {})).toEqual(expect.arrayContaining([...CUSTOM_SEARCH_ATTRIBUTES]));
    } finally {
      await conn.close();
    }
  });

  it('Azurite stores and returns a blob', async () => {
    const container = BlobServiceClient.fromConnectionString(s.storageConnectionString).getContainerClient(`smoke-${Date.now()}`);
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient('hello.txt');
    await blob.upload('hello', 5);
    expect((await blob.downloadToBuffer()).toString()).toBe('hello');
  });

  it('Azurite stores and returns a table entity', async () => {
    const table = TableClient.fromConnectionString(s.storageConnectionString, `smoke${Date.now()}`, { allowInsecureConnection: true });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
    expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(42);
  });

  it('MailDev catches a mail sent over SMTP', async () => {
    const to = `smoke-${randomUUID()}@example.test`;
    const transport = nodemailer.createTransport(s.smtpUrl);
    const sent = await transport.sendMail({ from: 'tests@example.test', to, subject: 'smoke', text: 'hi there', html: '<p>hi there</p>' });
    const mail = await waitForMail((m) => m.to.includes(to));
    expect(mail).toMatchObject({ subject: 'smoke', to: [to], messageId: sent.messageId });
    expect(mail.text.trim()).toBe('hi there');
    expect(mail.html).toContain('hi there');
  });
});
