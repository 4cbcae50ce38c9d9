/**
 * Text a check copies from the image (file contents, kernel command lines, names, paths, error
 * details) is clipped here, once for every check the step makes, so a check stays small — and the
 * workflow history that holds the notable ones with it — whatever the image holds.
 */
import type { CertificationCheck } from '../../domain/certification';

/** Characters of an actual value kept: enough for a kernel command line or a list of names. */
export const MAX_ACTUAL_VALUE = 300;
/** Our remediations are a few hundred characters; some name a path from the image. */
export const MAX_REMEDIATION = 2000;

export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export function clippedCheck(check: CertificationCheck): CertificationCheck {
  return { ...check, actualValue: clipText(check.actualValue, MAX_ACTUAL_VALUE), remediation: clipText(check.remediation, MAX_REMEDIATION) };
}
