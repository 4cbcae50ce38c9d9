/**
 * The `validate` step, also the API's dry run: content rules, then reachability of the images
 * and logos whose URLs passed the rules (and are not in a list past its limit). The plan comes only
 * with an offer free of Errors; the findings are capped (cap-findings.ts).
 */
import type { OfferDraft } from '../../domain/offer';
import type { ValidateResult } from '../../domain/pipeline';
import type { Finding } from '../../domain/status';
import { assertUrlAllowed, UrlPolicyError, type UrlPolicy } from '../../lib/net/url-policy';
import type { ActivityDeps } from '../deps';
import { checkReachability } from './reachability';
import { capFindings } from './cap-findings';
import { buildPlan, checkOfferContent } from './rules';

export { buildPlan, checkOfferContent } from './rules';
export { checkReachability } from './reachability';

/** The endpoint the test lead will be sent to must pass the lead URL policy (https, allowed host). */
function leadEndpointFindings(offer: OfferDraft, policy: UrlPolicy, skip: Set<string>): Finding[] {
  const lead = offer.leadDestination;
  const [field, value] =
    lead?.type === 'Https' ? ['leadDestination.url', lead.url] : lead?.type === 'Dynamics365' ? ['leadDestination.instanceUrl', lead.instanceUrl] : [];
  if (!field || typeof value !== 'string' || skip.has(field)) return [];
  try {
    assertUrlAllowed(value.trim(), policy);
    return [];
  } catch (err) {
    if (!(err instanceof UrlPolicyError)) throw err;
    return [{ level: 'Error', field, text: `The lead endpoint is not allowed: ${err.message}` }];
  }
}

export async function validateOffer(
  deps: Pick<ActivityDeps, 'config'>,
  offer: OfferDraft,
  opts: { signal?: AbortSignal } = {},
): Promise<ValidateResult> {
  const content = checkOfferContent(offer);
  const failed = new Set(content.filter((f) => f.level === 'Error' && f.field).map((f) => f.field!));
  const reach = await checkReachability(offer, deps.config.urlPolicy, { skipFields: failed, signal: opts.signal });
  const findings = capFindings([...content, ...reach, ...leadEndpointFindings(offer, deps.config.leadUrlPolicy, failed)]);
  return findings.some((f) => f.level === 'Error') ? { findings } : { findings, plan: buildPlan(offer) };
}
