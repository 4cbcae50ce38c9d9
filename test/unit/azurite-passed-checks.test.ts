/** The embedded Azurite's memory of passed copy source checks (dev-stack/azurite-copy-source-check.ts). */
import { PASSED_CHECK_MS, PassedChecks } from '../../dev-stack/azurite-copy-source-check';

const at = (iso: string) => Date.parse(iso);
const source = (se?: string) => `http://127.0.0.1:10000/devstoreaccount1/images/os.vhd?sv=2025-01-05&sr=b&sp=r${se ? `&se=${encodeURIComponent(se)}` : ''}&sig=abc&comp=metadata`;

describe('PassedChecks', () => {
  it(`remembers a passed check for ${PASSED_CHECK_MS} ms, for that URL and SAS only`, () => {
    let now = at('2026-12-01T10:00:00Z');
    const checks = new PassedChecks(() => now);
    checks.add(source('2026-12-01T14:00:00Z'));
    expect(checks.has(source('2026-12-01T14:00:00Z'))).toBe(true);
    expect(checks.has(source('2026-12-01T15:00:00Z'))).toBe(false);
    now += PASSED_CHECK_MS - 1;
    expect(checks.has(source('2026-12-01T14:00:00Z'))).toBe(true);
    now += 1;
    expect(checks.has(source('2026-12-01T14:00:00Z'))).toBe(false);
  });

  it('never past the SAS expiry', () => {
    let now = at('2026-12-01T10:00:00Z');
    const checks = new PassedChecks(() => now);
    checks.add(source('2026-12-01T10:00:02Z'));
    expect(checks.has(source('2026-12-01T10:00:02Z'))).toBe(true);
    now = at('2026-12-01T10:00:02Z');
    expect(checks.has(source('2026-12-01T10:00:02Z'))).toBe(false);
    checks.add(source('2026-12-01T09:00:00Z')); // already expired: not remembered
    expect(checks.has(source('2026-12-01T09:00:00Z'))).toBe(false);
  });
});
