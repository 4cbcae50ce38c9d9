/** One certification check, in the self-test tool's shape (docs/certification.md). */
export type CheckResult = 'Passed' | 'Failed' | 'Warning' | 'NotApplicable';

export interface CertificationCheck {
  testId: string;
  name: string;
  result: CheckResult;
  actualValue: string;
  requiredValue: string;
  remediation: string;
  /** Which disk the check is about, e.g. `standard 1.0.0 OS disk` (no URL: URLs may carry SAS tokens). */
  disk?: string;
}

export interface CertificationReport {
  publisherId: string;
  offerId: string;
  runId: string;
  startedAt: string;
  completedAt: string;
  passed: boolean;
  bytesRead: number;
  checks: CertificationCheck[];
}
