/**
 * The `validate` step, also the API's dry run: content rules, then reachability of the images
 * and logos whose URLs passed the rules. The plan comes only with an offer free of Errors.
 */
import type { OfferDraft } from '../../domain/offer';
import type { ValidateResult } from '../../domain/pipeline';
import type { ActivityDeps } from '../deps';
import { checkReachability } from './reachability';
import { buildPlan, checkOfferContent } from './rules';

export { buildPlan, checkOfferContent } from './rules';
export { checkReachability } from './reachability';

export async function validateOffer(
  deps: Pick<ActivityDeps, 'config'>,
  offer: OfferDraft,
  opts: { signal?: AbortSignal } = {},
): Promise<ValidateResult> {
  const content = checkOfferContent(offer);
  const failed = new Set(content.filter((f) => f.level === 'Error' && f.field).map((f) => f.field!));
  const reach = await checkReachability(offer, deps.config.urlPolicy, { skipFields: failed, signal: opts.signal });
  const findings = [...content, ...reach];
  return findings.some((f) => f.level === 'Error') ? { findings } : { findings, plan: buildPlan(offer) };
}
