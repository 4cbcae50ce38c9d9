/**
 * Windows certification checks (docs/certification.md). This version reads no NTFS: it only says whether the
 * OS disk holds an NTFS volume (from a partition's boot sector, see `isNtfsBootSector`), and reports
 * the OS-level requirements as NotApplicable ("not inspected") so the publisher still sees them.
 */
import type { CertificationCheck } from '../../../domain/certification';

const NTFS_OEM_ID = 'NTFS    ';

/** Whether a 512-byte (or longer) boot sector is an NTFS volume's: OEM id "NTFS    " at 3, 0x55AA at 510. */
export function isNtfsBootSector(sector: Buffer): boolean {
  return sector.length >= 512 && sector.toString('latin1', 3, 11) === NTFS_OEM_ID && sector[510] === 0x55 && sector[511] === 0xaa;
}

const NOT_RUN = 'Windows OS-level checks are not run by this version of certification, so it cannot confirm this';

const OS_LEVEL: Array<{ testId: string; name: string; requiredValue: string; remediation: string }> = [
  {
    testId: 'WIN-002',
    name: '64-bit Windows',
    requiredValue: 'a 64-bit edition of Windows Server',
    remediation: `${NOT_RUN}: make sure the image is a 64-bit (x64) Windows Server edition (\`[Environment]::Is64BitOperatingSystem\` is True).`,
  },
  {
    testId: 'WIN-003',
    name: 'No BitLocker on the OS disk',
    requiredValue: 'BitLocker off on the OS volume',
    remediation: `${NOT_RUN}: turn BitLocker off on the OS volume before capturing (\`manage-bde -status C:\`, then \`Disable-BitLocker -MountPoint C:\` and wait for decryption to finish).`,
  },
  {
    testId: 'WIN-004',
    name: 'Remote Desktop enabled',
    requiredValue: 'RDP enabled (fDenyTSConnections = 0) and allowed through the firewall',
    remediation:
      `${NOT_RUN}: enable Remote Desktop before capturing (\`Set-ItemProperty 'HKLM:\\System\\CurrentControlSet\\Control\\Terminal Server' -Name fDenyTSConnections -Value 0\`, ` +
      "`Enable-NetFirewallRule -DisplayGroup 'Remote Desktop'`).",
  },
  {
    testId: 'WIN-005',
    name: 'srv.sys patched (MS17-010)',
    requiredValue: 'the MS17-010 (WannaCry) security update installed, so srv.sys is patched',
    remediation: `${NOT_RUN}: install all current Windows updates before capturing (at least MS17-010); \`Get-HotFix\` lists installed updates.`,
  },
  {
    testId: 'WIN-006',
    name: 'No dependence on unsupported server roles',
    requiredValue: 'the image does not depend on server roles Azure does not support (e.g. Failover Clustering, DHCP Server, Hyper-V)',
    remediation: `${NOT_RUN}: remove server roles and features that Azure does not support (\`Get-WindowsFeature | Where-Object Installed\`).`,
  },
];

/** The Windows checks of one OS disk; `ntfsRecognised` says whether an NTFS volume was found on it. */
export function windowsChecks(disk: string, ntfsRecognised: boolean): CertificationCheck[] {
  const ntfs: CertificationCheck = {
    testId: 'WIN-001',
    name: 'NTFS file system on the OS disk',
    result: ntfsRecognised ? 'Passed' : 'Failed',
    actualValue: ntfsRecognised ? 'NTFS volume found' : 'no NTFS volume found on the OS disk',
    requiredValue: 'an NTFS volume (boot sector OEM id "NTFS    ") on the OS disk',
    remediation: ntfsRecognised
      ? ''
      : 'The OS disk does not hold a Windows installation that can be recognised: make sure the uploaded VHD is the generalized Windows OS disk ' +
        '(run `sysprep /generalize /oobe /shutdown`, then upload that disk\'s VHD), not a data disk or a disk of another format, and that it is not encrypted.',
    disk,
  };
  return [ntfs, ...OS_LEVEL.map((c): CertificationCheck => ({ ...c, result: 'NotApplicable', actualValue: 'not inspected', disk }))];
}
