/** The seven publishing steps (docs/process.md), in order, with what the publisher sees of each. */

export const STEP_IDS = ['validate', 'certify', 'provision', 'package', 'preview', 'signoff', 'live'] as const;
export type StepId = (typeof STEP_IDS)[number];

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export interface StepDefinition {
  id: StepId;
  stepName: string;
  description: string;
  /** Human-readable expected time frame, shown in the status. */
  estimatedTimeFrame: string;
  /** Time frame as a duration; past it the step is marked overdue. Absent: no timer. */
  timeFrameMs?: number;
}

export const STEPS: readonly StepDefinition[] = [
  {
    id: 'validate',
    stepName: 'Validate prerequisites',
    description: 'Checks that every required field of the offer is filled in and well formed, that images are reachable and logos have the right sizes.',
    estimatedTimeFrame: 'Less than 1 day',
    timeFrameMs: DAY,
  },
  {
    id: 'certify',
    stepName: 'Certification',
    description: 'Runs the certification tests on every VM image.',
    estimatedTimeFrame: 'Less than 5 days',
    timeFrameMs: 5 * DAY,
  },
  {
    id: 'provision',
    stepName: 'Provisioning',
    description: 'Replicates every image to every target region.',
    estimatedTimeFrame: 'Less than 1 day',
    timeFrameMs: DAY,
  },
  {
    id: 'package',
    stepName: 'Packaging and lead generation registration',
    description: 'Builds the product page from the marketing and technical content and, when lead management is configured, sends a test lead.',
    estimatedTimeFrame: 'Less than 1 hour',
    timeFrameMs: HOUR,
  },
  {
    id: 'preview',
    stepName: 'Offer available for preview',
    description: 'The offer can be previewed by the allow-listed subscriptions.',
    estimatedTimeFrame: 'Minutes',
  },
  {
    id: 'signoff',
    stepName: 'Publisher sign-off',
    description: 'Waits for the publisher to press Go live.',
    estimatedTimeFrame: 'Waits for the publisher',
  },
  {
    id: 'live',
    stepName: 'Live',
    description: 'The offer is promoted to the live marketplace catalog.',
    estimatedTimeFrame: 'A few hours',
  },
];

export function stepDefinition(id: StepId): StepDefinition {
  const def = STEPS.find((s) => s.id === id);
  if (!def) throw new Error(`unknown step ${id}`);
  return def;
}
