/** How a Linux check records its outcome, and how it lists what it found. */
import type { CheckResult } from '../../../domain/certification';

/** Records the outcome of one check; its name and required value come from RULES. */
export type Add = (result: CheckResult, actualValue: string, remediation?: string) => void;

/** At most `max` items, then how many more: actual values stay readable on a full install. */
export const list = (items: string[], max = 10) => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));
