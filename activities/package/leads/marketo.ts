/**
 * Test lead through a Marketo form: a form POST to `https://<serverId>/index.php/leadCapture/save2`
 * with the Munchkin id and form id. A server id under marketo.com is Marketo's own service; any
 * other host (a custom landing-page domain) is publisher-chosen and goes through the URL policy.
 */
import type { LeadDeliveryOutcome } from '../../../domain/status';
import type { UrlPolicy } from '../../../lib/net/url-policy';
import { HOST_NAME, MARKETO_FORM_ID, MARKETO_SERVER_ID_ADVICE, MUNCHKIN_ID, MUNCHKIN_ID_ADVICE } from '../../../lib/offer/lead-formats';
import { FORM_HEADERS, formBody, invalidDestination, postLead, rejection } from './http-post';
import type { TestLead } from './test-lead';

const FORM_PATH = '/index.php/leadCapture/save2';

export interface MarketoDestination {
  serverId?: string;
  munchkinId?: string;
  formId?: string;
}

export function describeMarketoDestination(dest: MarketoDestination): string {
  return `Marketo ${dest.munchkinId?.trim() || '(no Munchkin id)'} form ${dest.formId?.trim() || '(no form id)'}`;
}

/** The form fields Marketo's lead capture expects. */
export function marketoLeadFields(munchkinId: string, formId: string, lead: TestLead): Record<string, string> {
  const c = lead.customer;
  return {
    munchkinId,
    formid: formId,
    formVid: formId,
    Email: c.Email,
    FirstName: c.FirstName,
    LastName: c.LastName,
    Company: c.Company,
    Phone: c.Phone,
    Country: c.Country,
    Title: c.Title,
  };
}

/**
 * `endpointBase`: replaces `https://<serverId>` (tests pass a local receiver, which is then
 * treated as a fixed service).
 */
export async function sendMarketoTestLead(
  dest: MarketoDestination,
  lead: TestLead,
  urlPolicy: UrlPolicy,
  now = new Date(),
  endpointBase?: string,
): Promise<LeadDeliveryOutcome> {
  const serverId = dest.serverId?.trim().toLowerCase() ?? '';
  const munchkinId = dest.munchkinId?.trim() ?? '';
  const formId = dest.formId?.trim() ?? '';
  if (!HOST_NAME.test(serverId)) throw invalidDestination(`leadDestination.serverId is not a Marketo server id: ${MARKETO_SERVER_ID_ADVICE}.`);
  if (!MUNCHKIN_ID.test(munchkinId)) throw invalidDestination(`leadDestination.munchkinId is not a Munchkin id: ${MUNCHKIN_ID_ADVICE}.`);
  if (!MARKETO_FORM_ID.test(formId)) throw invalidDestination('leadDestination.formId must be the numeric id of the Marketo form.');

  const destination = describeMarketoDestination(dest);
  const where = `Marketo form ${formId} of ${munchkinId} on ${serverId}`;
  const ours = serverId === 'marketo.com' || serverId.endsWith('.marketo.com');
  const url = `${(endpointBase ?? `https://${serverId}`).replace(/\/+$/, '')}${FORM_PATH}`;
  const answer = await postLead(
    url,
    { headers: FORM_HEADERS, body: formBody(marketoLeadFields(munchkinId, formId, lead)) },
    { policy: urlPolicy, fixedService: !!endpointBase || ours, where, field: 'leadDestination.serverId' },
  );
  // Lead capture answers a browser with a redirect to the form's follow-up page: that is success.
  if (!(answer.status >= 200 && answer.status <= 299) && answer.status !== 302 && answer.status !== 303) {
    throw rejection(answer.status, where, 'check leadDestination.serverId, munchkinId and formId, and that the form is approved in Marketo.');
  }
  return {
    destination,
    at: now.toISOString(),
    delivered: true,
    detail: `test lead ${lead.customer.Email} accepted by ${where} (HTTP ${answer.status})`,
  };
}
