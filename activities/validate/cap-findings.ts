/**
 * What a validation reports goes into the API's answer, the run's status (workflow history) and an
 * e-mail: at most MAX_REPORTED_FINDINGS messages, Errors first, and one more counting the rest.
 */
import { MAX_REPORTED_FINDINGS } from '../../domain/offer';
import type { Finding, MessageLevel } from '../../domain/status';

const LEVELS: Array<[MessageLevel, string]> = [
  ['Error', 'error'],
  ['Warning', 'warning'],
  ['Info', 'note'],
];
const rank = (f: Finding) => LEVELS.findIndex(([level]) => level === f.level);

export function capFindings(findings: Finding[], max = MAX_REPORTED_FINDINGS): Finding[] {
  if (findings.length <= max) return findings;
  const ranked = [...findings].sort((a, b) => rank(a) - rank(b)); // stable: rule order within a level
  const rest = ranked.slice(max);
  const counts = LEVELS.map(([level, word]) => [rest.filter((f) => f.level === level).length, word] as const)
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}${n === 1 ? '' : 's'}`);
  return [
    ...ranked.slice(0, max),
    { level: rest[0].level, text: `…and ${rest.length} more messages (${counts.join(', ')}) not listed: fix the ones above and validate again.` },
  ];
}
