import { isNtfsBootSector, windowsChecks } from '../../activities/certify/windows';

const DISK = 'standard 1.0.0 OS disk';

function ntfsBootSector(): Buffer {
  const b = Buffer.alloc(512);
  b.set([0xeb, 0x52, 0x90], 0);
  b.write('NTFS    ', 3, 'latin1');
  b.writeUInt16LE(512, 11); // bytes per sector
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

describe('isNtfsBootSector', () => {
  it('recognises an NTFS boot sector', () => {
    expect(isNtfsBootSector(ntfsBootSector())).toBe(true);
    expect(isNtfsBootSector(Buffer.concat([ntfsBootSector(), Buffer.alloc(3584)]))).toBe(true);
  });

  it('refuses other sectors', () => {
    const fat = ntfsBootSector();
    fat.write('MSDOS5.0', 3, 'latin1');
    expect(isNtfsBootSector(fat)).toBe(false);
    const noSignature = ntfsBootSector();
    noSignature[511] = 0;
    expect(isNtfsBootSector(noSignature)).toBe(false);
    expect(isNtfsBootSector(ntfsBootSector().subarray(0, 511))).toBe(false);
    expect(isNtfsBootSector(Buffer.alloc(0))).toBe(false);
  });
});

describe('windowsChecks', () => {
  it('passes WIN-001 when NTFS is recognised and reports the OS-level checks as not inspected', () => {
    const checks = windowsChecks(DISK, true);
    expect(checks.map((c) => c.testId)).toEqual(['WIN-001', 'WIN-002', 'WIN-003', 'WIN-004', 'WIN-005', 'WIN-006']);
    expect(checks[0]).toMatchObject({ testId: 'WIN-001', result: 'Passed', remediation: '', disk: DISK });
    for (const c of checks.slice(1)) {
      expect(c).toMatchObject({ result: 'NotApplicable', actualValue: 'not inspected', disk: DISK });
      expect(c.remediation).toMatch(/^Windows OS-level checks are not run by this version/);
      expect(c.requiredValue).not.toMatch(/\.$/);
    }
    expect(checks.find((c) => c.testId === 'WIN-003')!.requiredValue).toMatch(/BitLocker/);
    expect(checks.find((c) => c.testId === 'WIN-005')!.requiredValue).toMatch(/MS17-010/);
  });

  it('fails WIN-001 when no NTFS volume was found', () => {
    const [ntfs, ...rest] = windowsChecks(DISK, false);
    expect(ntfs).toMatchObject({ testId: 'WIN-001', result: 'Failed', actualValue: 'no NTFS volume found on the OS disk' });
    expect(ntfs.remediation).toContain('sysprep');
    expect(rest.every((c) => c.result === 'NotApplicable')).toBe(true);
  });
});
