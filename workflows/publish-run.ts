/**
 * The state of one publish run and every transition it can make. The `status` query returns
 * `snapshot()`; the orchestration in publish-offer.ts only calls these methods, so the status
 * body can never disagree with what the workflow is doing.
 */
import type { Finding, LeadDeliveryOutcome, PublishStatusBody, RegionState, RunStatus, StepState, StepStatus } from '../domain/status';
import { STEPS, type StepId } from '../domain/steps';
import { stepMessage } from '../domain/step-messages';
import type { HistoryEventType } from '../domain/history';

export class PublishRun {
  private readonly body: PublishStatusBody;
  /** Called when the step or run status changes, to keep search attributes and memo current. */
  onVisibleChange: (body: PublishStatusBody) => void = () => undefined;
  /** Called on every change of the body, to publish it (publish-offer/status-publication.ts). */
  onChange: () => void = () => undefined;
  /** Called on each transition the offer's history records (publish-offer/history-recorder.ts). */
  onEvent: (type: HistoryEventType, step: StepId, reason?: string) => void = () => undefined;

  constructor(init: { publisherId: string; offerId: string; runId: string; notificationEmails: string[]; supportUrl: string }) {
    const now = new Date().toISOString();
    this.body = {
      publisherId: init.publisherId,
      offerId: init.offerId,
      runId: init.runId,
      status: 'Running',
      currentStep: 'validate',
      cancellable: true,
      notificationEmails: [...init.notificationEmails],
      startedAt: now,
      updatedAt: now,
      steps: STEPS.map(
        (s): StepState => ({
          id: s.id,
          stepName: s.stepName,
          description: s.description,
          estimatedTimeFrame: s.estimatedTimeFrame,
          status: 'NotStarted',
          startedAt: null,
          completedAt: null,
          overdue: false,
          progressPercentage: 0,
          messages: [],
        }),
      ),
      previewLinks: [],
      liveLinks: [],
      reports: {},
      supportUrl: init.supportUrl,
    };
  }

  snapshot(): PublishStatusBody {
    // JSON copy: structuredClone is not available in the workflow sandbox.
    return JSON.parse(JSON.stringify(this.body)) as PublishStatusBody;
  }

  get status(): RunStatus {
    return this.body.status;
  }
  get currentStep(): StepId {
    return this.body.currentStep;
  }
  get cancellable(): boolean {
    return this.body.cancellable;
  }
  get notificationEmails(): string[] {
    return this.body.notificationEmails;
  }
  get ended(): boolean {
    return this.body.status === 'Succeeded' || this.body.status === 'Failed' || this.body.status === 'Canceled';
  }

  step(id: StepId): StepState {
    return this.body.steps.find((s) => s.id === id)!;
  }

  isWaitingAt(id: StepId, status: StepStatus): boolean {
    return !this.ended && this.body.currentStep === id && this.step(id).status === status;
  }

  startStep(id: StepId): void {
    const s = this.step(id);
    s.status = 'InProgress';
    s.startedAt = new Date().toISOString();
    this.body.currentStep = id;
    this.setRunStatus('Running');
  }

  /** The step waits for the publisher (e-mails after validate, Go live at signoff). */
  waitForPublisher(id: StepId, status: 'WaitingForPublisherInput' | 'WaitingForPublisherReview'): void {
    this.step(id).status = status;
    this.setRunStatus(status);
    this.onEvent(status === 'WaitingForPublisherInput' ? 'publish.waiting_for_input' : 'publish.waiting_for_review', id);
  }

  resumeStep(id: StepId): void {
    this.step(id).status = 'InProgress';
    this.setRunStatus('Running');
  }

  completeStep(id: StepId): void {
    const s = this.step(id);
    s.status = 'Complete';
    s.progressPercentage = 100;
    s.completedAt = new Date().toISOString();
    this.touch();
    this.onEvent('publish.step.completed', id);
  }

  addFindings(id: StepId, findings: Finding[]): void {
    const timestamp = new Date().toISOString();
    this.step(id).messages.push(...findings.map((f) => ({ ...f, timestamp })));
    this.touch();
  }

  setProgress(id: StepId, percentage: number): void {
    this.step(id).progressPercentage = Math.max(0, Math.min(100, Math.round(percentage)));
    this.touch();
  }

  markOverdue(id: StepId): boolean {
    const s = this.step(id);
    if (s.overdue || s.status === 'Complete' || this.ended) return false;
    s.overdue = true;
    this.addFindings(id, [{ level: 'Warning', text: stepMessage('overdue', { timeFrame: s.estimatedTimeFrame }) }]);
    this.onEvent('publish.overdue', id);
    return true;
  }

  setRegions(regions: string[]): void {
    this.body.provisioning = {
      regionsDone: 0,
      regionsTotal: regions.length,
      regions: Object.fromEntries(regions.map((r): [string, RegionState] => [r, 'Pending'])),
    };
    this.touch();
  }

  setRegionState(region: string, state: RegionState): void {
    const p = this.body.provisioning;
    if (!p) return;
    p.regions[region] = state;
    p.regionsDone = Object.values(p.regions).filter((r) => r === 'Complete').length;
    this.setProgress('provision', (p.regionsDone / Math.max(1, p.regionsTotal)) * 100);
  }

  /** After a cancel or failure cleanup, replicas no longer exist. */
  markRegionsRemoved(): void {
    const p = this.body.provisioning;
    if (!p) return;
    for (const r of Object.keys(p.regions)) if (p.regions[r] !== 'Pending') p.regions[r] = 'Removed';
    p.regionsDone = 0;
    this.touch();
  }

  setLeadDelivery(outcome: LeadDeliveryOutcome): void {
    this.body.leadDelivery = outcome;
    this.touch();
  }

  setReport(name: string, ref: string): void {
    this.body.reports[name] = ref;
    this.touch();
  }

  setNotificationEmails(emails: string[]): void {
    this.body.notificationEmails = [...emails];
    this.touch();
  }

  setPreviewLinks(links: string[]): void {
    this.body.previewLinks = links;
    this.touch();
  }

  setLiveLinks(links: string[]): void {
    this.body.liveLinks = links;
    this.touch();
  }

  /** Go live accepted: from here on the run cannot be canceled. */
  closeCancellation(): void {
    this.body.cancellable = false;
    this.touch();
  }

  failStep(id: StepId, findings: Finding[]): void {
    const s = this.step(id);
    s.status = 'Failed';
    s.completedAt = new Date().toISOString();
    this.body.currentStep = id;
    this.addFindings(id, findings);
    this.end('Failed');
    this.onEvent('publish.failed', id);
  }

  cancel(reason: string): void {
    const s = this.step(this.body.currentStep);
    if (s.status !== 'Complete') {
      s.status = 'Canceled';
      s.completedAt = new Date().toISOString();
    }
    this.addFindings(this.body.currentStep, [{ level: 'Info', text: reason }]);
    this.end('Canceled');
    this.onEvent('publish.canceled', this.body.currentStep, reason);
  }

  succeed(): void {
    this.end('Succeeded');
    this.onEvent('publish.live', 'live');
  }

  private end(status: RunStatus): void {
    this.body.cancellable = false;
    this.setRunStatus(status);
  }

  private setRunStatus(status: RunStatus): void {
    this.body.status = status;
    this.touch();
    this.onVisibleChange(this.body);
  }

  private touch(): void {
    this.body.updatedAt = new Date().toISOString();
    this.onChange();
  }
}
