/**
 * Image self-tests (POST …/image-tests): one certification of one image, no offer needed, as a
 * durable run of its own. The image URL (it carries a SAS) is stored sealed like an offer draft;
 * the workflow carries only its reference.
 */
import type { CertificationCheck } from './certification';

export const IMAGE_TEST_WORKFLOW_TYPE = 'imageSelfTest';

export function imageTestWorkflowId(publisherId: string, testId: string): string {
  return `image-test/${publisherId}/${testId}`;
}

/** Where a self-test's stored request and report live: a pseudo offer id no offer id can take (ids start with a letter or digit). */
export const IMAGE_TEST_OFFER_ID = '_image-tests';
/** The one plan (SKU) of a self-test's stored request. */
export const IMAGE_TEST_SKU = 'self-test';

export interface ImageTestInput {
  publisherId: string;
  testId: string;
  /** The stored request (offer-snapshots container), with the image URL sealed. */
  offerRef: string;
  osFamily: string;
  ioTaskQueue: string;
}

export interface ImageTestResult {
  passed: boolean;
  bytesRead: number;
  reportRef: string;
}

export interface ImageTestBody {
  testId: string;
  status: 'Running' | 'Passed' | 'Failed';
  bytesRead: number;
  checks: Array<Pick<CertificationCheck, 'testId' | 'name' | 'result' | 'actualValue' | 'requiredValue' | 'remediation'>>;
}
