/** What the Status tab shows, and what the workflow accepts now, from its status. */
import type { PublishStatusBody } from '../../domain/status';
import type { CertificationReport } from '../../domain/certification';
import type { StepDurations } from '../../domain/step-durations';
import type { ChangesBody, HistoryPage } from '../../domain/history';

export interface StatusView {
  publisherId: string;
  offerId: string;
  title: string;
  status: PublishStatusBody;
  durations?: StepDurations;
  /** The certification report, when the certify step failed (its failed checks are shown as a table). */
  report?: CertificationReport;
  /** The offer's latest runs and events (docs/history-and-webhooks.md). */
  history?: HistoryPage;
  /** At sign-off: what Go live will change on the live page. */
  changes?: ChangesBody;
  /** The e-mail prompt as submitted, after the API refused it. */
  emails?: { value: string; errors: string[] };
}

export const ENDED = new Set(['Succeeded', 'Failed', 'Canceled']);

/** What the workflow accepts now, from the status it reports (its update validators have the last word). */
export function availableActions(s: PublishStatusBody) {
  const ended = ENDED.has(s.status);
  return {
    goLive: s.status === 'WaitingForPublisherReview' && s.currentStep === 'signoff',
    goLiveAccepted: !ended && s.currentStep === 'live',
    cancel: s.cancellable,
    publishAgain: ended,
    giveEmails: s.status === 'WaitingForPublisherInput' && s.currentStep === 'validate',
    ended,
  };
}
