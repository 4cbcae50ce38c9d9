/**
 * Test lead to the publisher's HTTPS endpoint: a JSON POST (docs/process.md, Leads) under the URL policy.
 * The URL may carry a key in its query (e.g. a function key) or its path (a webhook token):
 * messages and the outcome show it redacted (lib/net/endpoint-redaction.ts).
 */
import type { LeadDeliveryOutcome } from '../../../domain/status';
import { endpointSecrets, redactedEndpoint } from '../../../lib/net/endpoint-redaction';
import type { UrlPolicy } from '../../../lib/net/url-policy';
import { invalidDestination, postLead, rejection } from './http-post';
import type { TestLead } from './test-lead';

const FIELD = 'leadDestination.url';

export interface HttpsDestination {
  url?: string;
}

/** The JSON body the HTTPS destination receives. */
export function httpsLeadPayload(lead: TestLead): Record<string, unknown> {
  const c = lead.customer;
  return {
    ActionCode: lead.actionCode,
    OfferTitle: lead.offerTitle,
    LeadSource: lead.leadSource,
    Description: lead.description,
    UserDetails: { Company: c.Company, Country: c.Country, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Phone: c.Phone, Title: c.Title },
  };
}

/** `Https <host><path>`: no scheme, credentials or query, path segments that may be keys as `…`. */
export function describeHttpsDestination(dest: HttpsDestination): string {
  return `Https ${redactedEndpoint(dest.url ?? '') ?? '(invalid URL)'}`;
}

export async function sendHttpsTestLead(dest: HttpsDestination, lead: TestLead, urlPolicy: UrlPolicy, now = new Date()): Promise<LeadDeliveryOutcome> {
  if (!dest.url?.trim()) throw invalidDestination(`${FIELD} is empty: enter the https URL that accepts lead POSTs.`);
  const destination = describeHttpsDestination(dest);
  const where = `The lead endpoint ${destination.slice('Https '.length)}`;
  // Errors of the HTTP stack quote the URL as given: every part that may be a key is cut from them.
  const secrets = endpointSecrets(dest.url.trim());
  const answer = await postLead(
    dest.url.trim(),
    { headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json, */*' }, body: JSON.stringify(httpsLeadPayload(lead)) },
    { policy: urlPolicy, where: where.replace(/^The/, 'the'), field: FIELD, secrets },
  );
  if (answer.status < 200 || answer.status > 299) {
    const advice =
      answer.status === 401 || answer.status === 403
        ? `access was denied; check that ${FIELD} includes any key the endpoint needs and that the endpoint accepts anonymous POSTs from the marketplace.`
        : answer.status === 404 || answer.status === 405
          ? `check that ${FIELD} is the endpoint's address and that it accepts POST.`
          : answer.status >= 300 && answer.status < 400
            ? `the endpoint redirects; enter the final URL in ${FIELD}.`
            : `check that the endpoint accepts a JSON POST with ActionCode, OfferTitle, LeadSource, Description and UserDetails.`;
    throw rejection(answer.status, where, advice, secrets);
  }
  return {
    destination,
    at: now.toISOString(),
    delivered: true,
    detail: `test lead ${lead.customer.Email} accepted by ${destination.slice('Https '.length)} (HTTP ${answer.status})`,
  };
}
