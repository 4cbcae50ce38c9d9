/**
 * The test lead (docs/process.md, Leads): every customer field is a recognisable marker, so publishers can
 * tell it from real leads. Derived from the run id, so a retried send writes the same lead.
 */
import { createHash } from 'node:crypto';
import type { RunRef } from '../../../domain/pipeline';

export interface TestLead {
  actionCode: string;
  leadSource: string;
  offerTitle: string;
  description: string;
  customer: { FirstName: string; LastName: string; Email: string; Phone: string; Country: string; Company: string; Title: string };
}

export function buildTestLead(ref: Pick<RunRef, 'publisherId' | 'offerId' | 'runId'>, offerTitle: string): TestLead {
  const digits = (BigInt(`0x${createHash('sha256').update(ref.runId).digest('hex').slice(0, 15)}`) % 10n ** 10n).toString().padStart(10, '0');
  const marker = `MSFT_TEST_${digits}`;
  return {
    actionCode: 'INS',
    leadSource: `AzureMarketplace-INS|${ref.publisherId}.${ref.offerId}`,
    offerTitle,
    description: `Test lead sent while publishing ${ref.publisherId}.${ref.offerId} (run ${ref.runId}) to prove lead delivery works. It is not a customer.`,
    customer: {
      FirstName: marker,
      LastName: marker,
      Email: `${marker}@test.com`,
      Phone: '1234567890',
      Country: 'US',
      Company: marker,
      Title: marker,
    },
  };
}
