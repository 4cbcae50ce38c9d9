/**
 * The texts Temporal shows next to a publish run's history, in the Web UI and in
 * `temporal workflow describe` / `temporal workflow metadata` (docs/operations.md, "UI metadata"):
 * the run's static summary and details (set once by the API at start), its current details (step
 * and status, kept by the workflow) and the summaries of the activities worth telling apart (one
 * certification, one copy per region). Only names already in history: no URL, SAS or e-mail.
 */
import type { DiskRef, PublishPlan } from './pipeline';
import type { PublishStatusBody } from './status';
import { stepDefinition } from './steps';

/** Temporal shows summaries on one line; a long publisher title is cut rather than wrapping the UI. */
const SUMMARY_MAX = 200;

function oneLine(text: string, max = SUMMARY_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The run's static summary: which offer, whose. */
export function publishSummary(publisherId: string, offerId: string, title: string): string {
  return oneLine(`Publish offer ${offerId} "${oneLine(title, 80)}" of publisher ${publisherId}`);
}

/** The run's static details (Markdown): what an operator needs to find the offer elsewhere. */
export function publishDetails(i: { publisherId: string; offerId: string; title: string; regions: string[] }): string {
  return [
    `**Offer** \`${i.offerId}\`: ${oneLine(i.title, 120)}`,
    `**Publisher** \`${i.publisherId}\``,
    `**Regions** ${i.regions.length} (${oneLine(i.regions.join(', '), 120)})`,
  ].join('\n\n');
}

/** The run's current details: the step it is at and the run's status. */
export function currentDetails(body: Pick<PublishStatusBody, 'currentStep' | 'status'>): string {
  return `Step: ${body.currentStep} (${stepDefinition(body.currentStep).stepName}) · Status: ${body.status}`;
}

function diskNames(disks: DiskRef[]): string {
  return disks.map((d) => d.blobName).join(', ');
}

/** The certification activity's summary: the disks it reads. */
export function certificationSummary(plan: Pick<PublishPlan, 'disks'>): string {
  return oneLine(`Certify ${plan.disks.length} disk(s): ${diskNames(plan.disks)}`);
}

/** A region copy's summary: the region (or regions, copied in turn) and the disks copied into each. */
export function replicationSummary(regions: string | string[], disks: DiskRef[]): string {
  return oneLine(`Replicate to ${[regions].flat().join(', ')}: ${diskNames(disks)}`);
}
