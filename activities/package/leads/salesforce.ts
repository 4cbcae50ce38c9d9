/**
 * Test lead through Salesforce Web-to-Lead: a form POST with the organization id (`oid`).
 * Web-to-Lead answers 200 even when it drops a lead (wrong oid, Web-to-Lead disabled), so the
 * outcome says the lead was accepted and where the publisher can confirm it arrived.
 */
import type { LeadDeliveryOutcome } from '../../../domain/status';
import type { UrlPolicy } from '../../../lib/net/url-policy';
import { SALESFORCE_ORG_ID, SALESFORCE_ORG_ID_ADVICE } from '../../../lib/offer/lead-formats';
import { FORM_HEADERS, formBody, invalidDestination, postLead, rejection } from './http-post';
import type { TestLead } from './test-lead';

export const SALESFORCE_WEB_TO_LEAD_ENDPOINT = 'https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8';
const FIELD = 'leadDestination.orgId';

export interface SalesforceDestination {
  orgId?: string;
}

export function describeSalesforceDestination(dest: SalesforceDestination): string {
  const id = dest.orgId?.trim() ?? '';
  return SALESFORCE_ORG_ID.test(id) ? `Salesforce org ${id}` : 'Salesforce org (invalid id)';
}

/** The Web-to-Lead form fields for a lead. */
export function salesforceLeadFields(orgId: string, lead: TestLead): Record<string, string> {
  const c = lead.customer;
  return {
    oid: orgId,
    first_name: c.FirstName,
    last_name: c.LastName,
    email: c.Email,
    company: c.Company,
    phone: c.Phone,
    country: c.Country,
    title: c.Title,
    lead_source: lead.leadSource,
    description: `${lead.offerTitle} (${lead.actionCode}): ${lead.description}`,
  };
}

/** `endpoint`: the Web-to-Lead servlet; tests pass a local receiver. `urlPolicy`: its address rule and timeout apply. */
export async function sendSalesforceTestLead(
  dest: SalesforceDestination,
  lead: TestLead,
  urlPolicy: UrlPolicy,
  now = new Date(),
  endpoint = SALESFORCE_WEB_TO_LEAD_ENDPOINT,
): Promise<LeadDeliveryOutcome> {
  const orgId = dest.orgId?.trim() ?? '';
  if (!SALESFORCE_ORG_ID.test(orgId)) {
    throw invalidDestination(`${FIELD} is not a Salesforce organization id: ${SALESFORCE_ORG_ID_ADVICE}.`);
  }
  const destination = describeSalesforceDestination(dest);
  const where = `Salesforce Web-to-Lead for organization ${orgId}`;
  const answer = await postLead(endpoint, { headers: FORM_HEADERS, body: formBody(salesforceLeadFields(orgId, lead)) }, { policy: urlPolicy, fixedService: true, where, field: FIELD });
  if (answer.status < 200 || answer.status > 299) {
    throw rejection(answer.status, where, `check ${FIELD} and that Web-to-Lead is enabled in Setup › Web-to-Lead.`);
  }
  return {
    destination,
    at: now.toISOString(),
    delivered: true,
    detail:
      `test lead ${lead.customer.Email} accepted by Salesforce Web-to-Lead (HTTP ${answer.status}); ` +
      'Salesforce does not confirm delivery: if it is not among the Leads, check the organization id and that Web-to-Lead is enabled',
  };
}
