/**
 * Test lead into Dynamics 365 (Dataverse): an app-only token from the Microsoft identity platform
 * (client credentials), then a lead created through the Web API. The instance URL is
 * publisher-given and goes through the URL policy. The client secret and the token never appear
 * in a message, the outcome or the log.
 */
import type { LeadDeliveryOutcome } from '../../../domain/status';
import { assertUrlAllowed, UrlPolicyError, type UrlPolicy } from '../../../lib/net/url-policy';
import { FORM_HEADERS, formBody, invalidDestination, postLead, redactSecrets, rejection } from './http-post';
import { ErrorType, publisherFailure } from '../../../domain/errors';
import { ENTRA_TENANT, ENTRA_TENANT_ADVICE } from '../../../lib/offer/lead-formats';
import type { TestLead } from './test-lead';

export const MICROSOFT_LOGIN_ENDPOINT = 'https://login.microsoftonline.com';
/** Lead source option "Web" in the standard lead entity. */
const LEAD_SOURCE_WEB = 8;

export interface Dynamics365Destination {
  instanceUrl?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
}

function instanceOrigin(instanceUrl: string | undefined): URL | undefined {
  try {
    const u = new URL(instanceUrl?.trim() ?? '');
    return u.protocol === 'https:' || u.protocol === 'http:' ? new URL(u.origin) : undefined;
  } catch {
    return undefined;
  }
}

export function describeDynamics365Destination(dest: Dynamics365Destination): string {
  return `Dynamics365 ${instanceOrigin(dest.instanceUrl)?.host ?? '(invalid instance URL)'}`;
}

/** The Dataverse lead record for a lead. */
export function dynamicsLeadRecord(lead: TestLead): Record<string, unknown> {
  const c = lead.customer;
  return {
    subject: `${lead.offerTitle} (${lead.leadSource})`,
    firstname: c.FirstName,
    lastname: c.LastName,
    emailaddress1: c.Email,
    companyname: c.Company,
    telephone1: c.Phone,
    address1_country: c.Country,
    jobtitle: c.Title,
    description: `${lead.actionCode} ${lead.leadSource}: ${lead.description}`,
    leadsourcecode: LEAD_SOURCE_WEB,
  };
}

/** The AADSTS code of an identity-platform error answer, if any (its description is not shown). */
function aadCode(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    const code = /AADSTS\d+/.exec(String(body.error_description ?? ''))?.[0];
    return [typeof body.error === 'string' ? body.error : undefined, code].filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** The Dataverse error message of an answer, if any. */
function dataverseMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof m === 'string' ? m.split('\n')[0].slice(0, 200) : '';
  } catch {
    return '';
  }
}

/** `loginBase`: replaces https://login.microsoftonline.com (tests pass a local token endpoint). */
export async function sendDynamics365TestLead(
  dest: Dynamics365Destination,
  lead: TestLead,
  urlPolicy: UrlPolicy,
  now = new Date(),
  loginBase = MICROSOFT_LOGIN_ENDPOINT,
): Promise<LeadDeliveryOutcome> {
  const secret = dest.clientSecret;
  const secrets = [secret];
  const origin = instanceOrigin(dest.instanceUrl);
  if (!origin) throw invalidDestination('leadDestination.instanceUrl must be the https URL of the Dynamics 365 environment, e.g. https://contoso.crm.dynamics.com.');
  const tenantId = dest.tenantId?.trim() ?? '';
  const clientId = dest.clientId?.trim() ?? '';
  if (!ENTRA_TENANT.test(tenantId)) throw invalidDestination(`leadDestination.tenantId is not a Microsoft Entra tenant: ${ENTRA_TENANT_ADVICE}.`);
  if (!clientId) throw invalidDestination('leadDestination.clientId is empty: enter the application (client) id of the app registration.');
  if (!secret) throw invalidDestination('leadDestination.clientSecret is empty: enter a client secret of the app registration.');
  try {
    assertUrlAllowed(origin.href, urlPolicy);
  } catch (err) {
    if (!(err instanceof UrlPolicyError)) throw err;
    throw publisherFailure(ErrorType.LeadDestinationNotAllowed, `leadDestination.instanceUrl is not allowed: ${redactSecrets(err.message, secrets)}`);
  }
  const host = origin.host;
  const instance = origin.href.replace(/\/$/, '');

  // 1. App-only token for the environment.
  const tokenWhere = `The Microsoft identity platform (tenant ${tenantId})`;
  const tokenAnswer = await postLead(
    `${loginBase.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
    {
      headers: { ...FORM_HEADERS, accept: 'application/json' },
      body: formBody({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `${instance}/.default` }),
    },
    { policy: urlPolicy, fixedService: true, where: tokenWhere.replace(/^The/, 'the'), field: 'leadDestination.tenantId', secrets },
  );
  if (tokenAnswer.status !== 200) {
    const code = aadCode(tokenAnswer.text);
    throw rejection(
      tokenAnswer.status,
      `${tokenWhere}${code ? ` [${code}]` : ''}`,
      'no token was issued; check leadDestination.tenantId, clientId and clientSecret (a secret expires: create a new one in the app registration if needed).',
      secrets,
    );
  }
  let token: string;
  try {
    token = String((JSON.parse(tokenAnswer.text) as { access_token?: unknown }).access_token ?? '');
  } catch {
    token = '';
  }
  if (!token) throw new Error(`${tokenWhere} answered without an access token; will retry`);
  secrets.push(token);

  // 2. The lead record.
  const where = `Dynamics 365 at ${host}`;
  const answer = await postLead(
    `${instance}/api/data/v9.2/leads`,
    {
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json; charset=utf-8',
        accept: 'application/json',
        'odata-version': '4.0',
        'odata-maxversion': '4.0',
      },
      body: JSON.stringify(dynamicsLeadRecord(lead)),
    },
    { policy: urlPolicy, where, field: 'leadDestination.instanceUrl', secrets },
  );
  if (answer.status !== 201 && answer.status !== 204) {
    if (answer.status >= 200 && answer.status <= 299) throw rejection(400, where, `it answered HTTP ${answer.status} instead of creating the lead; check leadDestination.instanceUrl.`, secrets);
    const message = dataverseMessage(answer.text);
    const advice =
      answer.status === 401 || answer.status === 403
        ? 'the app registration has no access: add it as an application user of the environment with a security role that can create leads, and check leadDestination.instanceUrl.'
        : answer.status === 404
          ? 'check that leadDestination.instanceUrl is the environment URL (https://<org>.crm.dynamics.com).'
          : 'check the lead entity in the environment (required fields, plug-ins).';
    throw rejection(answer.status, where, `${advice}${message ? ` Dynamics 365 says: ${message}` : ''}`, secrets);
  }
  const id = /\(([0-9a-f-]{36})\)/i.exec(answer.headers.get('odata-entityid') ?? '')?.[1];
  return {
    destination: `Dynamics365 ${host}`,
    at: now.toISOString(),
    delivered: true,
    detail: `test lead ${lead.customer.Email} created in Dynamics 365 at ${host}${id ? ` (lead ${id})` : ''} (HTTP ${answer.status})`,
  };
}
