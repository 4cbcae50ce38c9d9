import type { CertificationCheck } from '../../domain/certification';
import { linuxChecks } from '../../activities/certify/linux';
import { compareVersions, globMatcher, MAX_WORD, parseVersion, shellAssignments, sshdSeconds } from '../../activities/certify/linux/text-formats';
import { memoryFs, type MemoryTree } from '../fixtures/memory-fs';
import { elfHeader } from '../../samples/disk-image';
import { MiB } from '../../domain/units';

const DISK = 'standard 1.0.0 OS disk';

const elf = (machine: number, elfClass: 1 | 2 = 2) => elfHeader(machine, '', elfClass);

const DPKG_STATUS = `Package: base-files
Status: install ok installed
Version: 12ubuntu4.6

Package: libssl3
Status: install ok installed
Architecture: amd64
Version: 3.0.2-0ubuntu1.15

Package: openssl
Status: install ok installed
Version: 3.0.2-0ubuntu1.15

Package: python3
Status: install ok installed
Version: 3.10.6-1~22.04

Package: python2.7
Status: deinstall ok config-files
Version: 2.7.18-13ubuntu1
`;

/** An Ubuntu 22.04-like image that meets every rule. */
function compliant(): MemoryTree {
  return {
    '/usr/bin/dash': elf(0x3e),
    '/bin': { symlink: 'usr/bin' },
    '/usr/bin/sh': { symlink: 'dash' },
    '/usr/bin/bash': elf(0x3e),
    '/usr/bin/python3.10': elf(0x3e),
    '/usr/sbin/waagent': '#!/usr/bin/python3\n',
    '/usr/sbin/sshd': elf(0x3e),
    '/usr/lib/python3/dist-packages/azurelinuxagent/common/version.py': "import os\n\nAGENT_NAME = 'WALinuxAgent'\nAGENT_VERSION = '2.2.45'\n",
    '/var/lib/waagent/WALinuxAgent-2.9.1.1': { dir: true },
    '/etc/waagent.conf': '# Enable or disable goal state processing auto-update, default is enabled\nAutoUpdate.Enabled=n\nAutoUpdate.Enabled=y # later wins\n',
    '/boot/grub/grub.cfg':
      'set default="0"\nmenuentry \'Ubuntu\' {\n\tlinux\t/boot/vmlinuz-5.15.0-1050-azure root=PARTUUID=abc ro console=tty1 console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300 $vt_handoff\n' +
      "\tinitrd\t/boot/initrd.img\n}\nmenuentry 'Ubuntu (recovery mode)' {\n\tlinux\t/boot/vmlinuz-5.15.0-1050-azure root=PARTUUID=abc ro recovery nomodeset\n}\n",
    '/etc/default/grub': 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet splash"\nGRUB_CMDLINE_LINUX=""\n',
    '/etc/default/grub.d/50-cloudimg-settings.cfg':
      '# Cloud Image specific Grub settings\nGRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT console=tty1 console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300"\n',
    '/etc/fstab': '# /etc/fstab\nLABEL=cloudimg-rootfs\t/\text4\tdefaults,discard\t0 1\nLABEL=UEFI\t/boot/efi\tvfat\tumask=0077\t0 1\n# /swapfile none swap sw 0 0\n',
    '/etc/ssh/sshd_config': 'Include /etc/ssh/sshd_config.d/*.conf\n\n#ClientAliveInterval 0\nClientAliveInterval 120\nMatch User anoncvs\n\tClientAliveInterval 999\n',
    '/etc/ssh/sshd_config.d/50-cloudimg.conf': 'PasswordAuthentication no\nClientAliveInterval=180\n',
    '/root/.bash_history': 'ls\n',
    '/home/azureuser/.bash_history': 'x'.repeat(1024),
    '/home/carol/.profile': '',
    '/etc/shadow':
      'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nsshd:!:19000::::::\nsvc:!!:19000::::::\nold:!$6$salt$abcdefghijklmnop:19000::::::\n+::::::::\n',
    '/var/lib/dpkg/status': DPKG_STATUS,
    '/usr/lib/x86_64-linux-gnu/libssl.so.3': elf(0x3e),
    '/etc/os-release': { symlink: '../usr/lib/os-release' },
    '/usr/lib/os-release': 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\n',
  };
}

async function run(tree: MemoryTree): Promise<CertificationCheck[]> {
  return linuxChecks(memoryFs(tree), DISK);
}

function check(checks: CertificationCheck[], testId: string): CertificationCheck {
  const found = checks.filter((c) => c.testId === testId);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The compliant tree with some paths replaced (undefined removes a path). */
function variant(changes: Record<string, MemoryTree[string] | undefined>): MemoryTree {
  const tree = compliant();
  for (const [path, value] of Object.entries(changes)) {
    if (value === undefined) delete tree[path];
    else tree[path] = value;
  }
  return tree;
}

const ALL_IDS = ['LNX-039', 'LNX-051', 'LNX-040', 'LNX-103', 'LNX-041', 'LNX-044', 'LNX-045', 'LNX-046', 'LNX-048', 'LNX-049', 'LNX-100', 'LNX-101', 'LNX-102'];

describe('linuxChecks on a compliant image', () => {
  it('passes every check, once each, with the disk label and no remediation', async () => {
    const checks = await run(compliant());
    expect(checks.map((c) => c.testId)).toEqual(ALL_IDS);
    for (const c of checks) {
      expect({ id: c.testId, result: c.result, actual: c.actualValue }).toEqual({ id: c.testId, result: 'Passed', actual: expect.any(String) });
      expect(c).toMatchObject({ disk: DISK, remediation: '' });
      expect(c.requiredValue).not.toMatch(/\.$/);
      expect(c.actualValue).not.toMatch(/\.$/);
    }
    expect(check(checks, 'LNX-039').actualValue).toBe('2.9.1.1 (from /var/lib/waagent/WALinuxAgent-2.9.1.1)');
    expect(check(checks, 'LNX-051').actualValue).toBe('AutoUpdate.Enabled=y');
    expect(check(checks, 'LNX-040').actualValue).toContain('/boot/grub/grub.cfg (first boot entry)');
    expect(check(checks, 'LNX-040').actualValue).toContain('/etc/default/grub + /etc/default/grub.d/50-cloudimg-settings.cfg');
    expect(check(checks, 'LNX-044').actualValue).toBe('3.0.2 (dpkg package libssl3 3.0.2-0ubuntu1.15)');
    expect(check(checks, 'LNX-045').actualValue).toBe('3.10.6 (dpkg package python3 3.10.6-1~22.04)');
    // The drop-in included at the top comes first, as sshd reads it.
    expect(check(checks, 'LNX-046').actualValue).toBe('ClientAliveInterval 180 (in /etc/ssh/sshd_config.d/50-cloudimg.conf)');
    expect(check(checks, 'LNX-049').actualValue).toBe('x86_64, 64-bit (ELF header of /bin/sh)');
    expect(check(checks, 'LNX-102').actualValue).toBe('Ubuntu 22.04');
  });

  it('reads only capped amounts: 64 bytes of ELF headers, stat for histories', async () => {
    const fs = memoryFs(compliant());
    const reads: Array<[string, number]> = [];
    const readFile = fs.readFile.bind(fs);
    fs.readFile = async (path, max) => {
      reads.push([path, max]);
      return readFile(path, max);
    };
    await linuxChecks(fs, DISK);
    expect(reads).toContainEqual(['/bin/sh', 64]);
    expect(reads.every(([, max]) => max <= 8 * MiB)).toBe(true);
    expect(reads.filter(([p]) => p.endsWith('.bash_history'))).toEqual([]);
  });

  it('works on a RHEL-like image: BLS entries, rpm (no dpkg), libssl.so.10, platform-python, missing key defaults', async () => {
    const checks = await run({
      '/usr/bin/bash': elf(0x3e),
      '/bin': { symlink: 'usr/bin' },
      '/usr/bin/sh': { symlink: 'bash' },
      '/usr/sbin/waagent': '',
      '/usr/lib/python3.6/site-packages/azurelinuxagent/common/version.py': 'AGENT_VERSION = "2.2.41"\n',
      '/etc/waagent.conf': 'Provisioning.Agent=auto\n',
      '/boot/grub2/grub.cfg': 'insmod blscfg\nblscfg\n',
      '/boot/grub2/grubenv': '# GRUB Environment Block\nkernelopts=root=/dev/sda2 ro console=tty1 console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300\n',
      '/boot/loader/entries/abc-4.18.0-80.el8.x86_64.conf': 'title Old\noptions $kernelopts\n',
      '/boot/loader/entries/abc-4.18.0-513.el8.x86_64.conf': 'title New\nlinux /vmlinuz\noptions $kernelopts\n',
      '/etc/default/grub': 'GRUB_CMDLINE_LINUX="console=tty1 console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300"\n',
      '/usr/lib64/libssl.so.10': '',
      '/usr/libexec/platform-python3.6': '',
      '/etc/shadow': 'root:!!:18000:0:99999:7:::\n',
      '/etc/os-release': 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="8.9"\n',
    });
    expect(checks.filter((c) => c.result !== 'Passed').map((c) => c.testId)).toEqual(['LNX-046']);
    expect(check(checks, 'LNX-046').result).toBe('NotApplicable');
    expect(check(checks, 'LNX-051').actualValue).toBe('not set (the agent defaults to y)');
    expect(check(checks, 'LNX-040').actualValue).toContain('abc-4.18.0-513.el8.x86_64.conf (newest boot entry)');
    expect(check(checks, 'LNX-044').actualValue).toBe('1.0 (/usr/lib64/libssl.so.10)');
    expect(check(checks, 'LNX-045').actualValue).toBe('3.6 (/usr/libexec/platform-python3.6)');
    expect(check(checks, 'LNX-102').actualValue).toBe('Red Hat Enterprise Linux 8.9');
  });
});

describe('linuxChecks failing one rule at a time', () => {
  const cases: Array<[string, Record<string, MemoryTree[string] | undefined>, string, string, RegExp?]> = [
    ['agent missing', { '/usr/sbin/waagent': undefined }, 'LNX-039', 'Failed', /no \/usr\/sbin\/waagent/],
    [
      'agent too old (2.2.40)',
      { '/usr/lib/python3/dist-packages/azurelinuxagent/common/version.py': "AGENT_VERSION = '2.2.40'\n", '/var/lib/waagent/WALinuxAgent-2.9.1.1': undefined },
      'LNX-039',
      'Failed',
      /^2\.2\.40 /,
    ],
    [
      'agent version unknown',
      { '/usr/lib/python3/dist-packages/azurelinuxagent/common/version.py': undefined, '/var/lib/waagent/WALinuxAgent-2.9.1.1': undefined },
      'LNX-039',
      'Warning',
    ],
    ['AutoUpdate n', { '/etc/waagent.conf': 'AutoUpdate.Enabled=y\nAutoUpdate.Enabled=n\n' }, 'LNX-051', 'Failed', /AutoUpdate\.Enabled=n/],
    ['no waagent.conf', { '/etc/waagent.conf': undefined }, 'LNX-051', 'Failed'],
    [
      'console=ttyS0 missing from grub.cfg',
      { '/boot/grub/grub.cfg': 'menuentry x {\n linux /vmlinuz root=/dev/sda1 earlyprintk=ttyS0 rootdelay=300\n}\n' },
      'LNX-040',
      'Failed',
      /\/boot\/grub\/grub\.cfg \(first boot entry\) lacks console=ttyS0/,
    ],
    [
      'console=ttyS0 missing from /etc/default/grub (the next update-grub would drop it)',
      { '/etc/default/grub.d/50-cloudimg-settings.cfg': undefined, '/etc/default/grub': 'GRUB_CMDLINE_LINUX_DEFAULT="quiet rootdelay=300"\n' },
      'LNX-040',
      'Failed',
      /\/etc\/default\/grub \(GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT\) lacks console=ttyS0 and earlyprintk=ttyS0/,
    ],
    ['swap partition in fstab', { '/etc/fstab': 'UUID=1 / ext4 defaults 0 1\nUUID=2 none swap sw 0 0\n' }, 'LNX-041', 'Failed', /UUID=2 none swap/],
    ['swap file in fstab', { '/etc/fstab': '/swapfile swap swap defaults 0 0\n' }, 'LNX-041', 'Failed'],
    ['ClientAliveInterval 300', { '/etc/ssh/sshd_config.d/50-cloudimg.conf': 'ClientAliveInterval 300\n' }, 'LNX-046', 'Failed', /300/],
    ['ClientAliveInterval 10', { '/etc/ssh/sshd_config.d/50-cloudimg.conf': 'clientaliveinterval 10\n' }, 'LNX-046', 'Failed', /10/],
    ['ClientAliveInterval unset', { '/etc/ssh/sshd_config.d/50-cloudimg.conf': undefined, '/etc/ssh/sshd_config': 'Port 22\n' }, 'LNX-046', 'Failed', /not set/],
    ['sshd absent', { '/usr/sbin/sshd': undefined }, 'LNX-046', 'NotApplicable'],
    ['2000-byte /home/bob/.bash_history', { '/home/bob/.bash_history': 'y'.repeat(2000) }, 'LNX-048', 'Failed', /^\/home\/bob\/\.bash_history \(2000 bytes\)$/],
    ['large root history', { '/root/.bash_history': 'y'.repeat(1025) }, 'LNX-048', 'Failed', /\/root\/\.bash_history/],
    ['aarch64 /bin/sh', { '/usr/bin/dash': elf(0xb7) }, 'LNX-049', 'Failed', /^aarch64, 64-bit/],
    ['32-bit x86', { '/usr/bin/dash': elf(0x03, 1) }, 'LNX-049', 'Failed', /^i386, 32-bit/],
    ['no shell', { '/usr/bin/dash': undefined, '/usr/bin/bash': undefined }, 'LNX-049', 'Failed'],
    ['usable hash for admin', { '/etc/shadow': 'root:*:1::::::\nadmin:$6$abc$SECRETHASH:19000:0:99999:7:::\n' }, 'LNX-100', 'Failed', /^accounts with a usable password: admin$/],
    ['empty password', { '/etc/shadow': 'root:*:1::::::\nguest::19000::::::\n' }, 'LNX-100', 'Failed', /guest \(empty password\)/],
    ['root not locked', { '/etc/shadow': 'root:$6$abc$SECRETHASH:19000:0:99999:7:::\n' }, 'LNX-101', 'Failed', /usable password hash/],
    ['root empty password', { '/etc/shadow': 'root::19000:0:99999:7:::\n' }, 'LNX-101', 'Failed', /empty password/],
    [
      'no openssl',
      { '/var/lib/dpkg/status': DPKG_STATUS.replace(/Package: libssl3[^]*?\n\n/, '').replace(/Package: openssl[^]*?\n\n/, ''), '/usr/lib/x86_64-linux-gnu/libssl.so.3': undefined },
      'LNX-044',
      'Failed',
      /not found/,
    ],
    [
      'openssl 0.9.8',
      { '/var/lib/dpkg/status': undefined, '/usr/lib/x86_64-linux-gnu/libssl.so.3': undefined, '/usr/lib/x86_64-linux-gnu/libssl.so.0.9.8': '' },
      'LNX-044',
      'Warning',
      /^0\.9\.8 /,
    ],
    [
      'openssl binary, version unknown',
      { '/var/lib/dpkg/status': undefined, '/usr/lib/x86_64-linux-gnu/libssl.so.3': undefined, '/usr/bin/openssl': elf(0x3e) },
      'LNX-044',
      'Warning',
    ],
    [
      'old python 2.5',
      { '/var/lib/dpkg/status': 'Package: python2.5\nStatus: install ok installed\nVersion: 2.5.2-15\n', '/usr/bin/python3.10': undefined },
      'LNX-045',
      'Failed',
      /^2\.5\.2 /,
    ],
    ['python 2.5 by file name', { '/var/lib/dpkg/status': undefined, '/usr/bin/python3.10': undefined, '/usr/bin/python2.5': '' }, 'LNX-045', 'Failed', /^2\.5 /],
    ['no python', { '/var/lib/dpkg/status': DPKG_STATUS.replace('Package: python3\n', 'Package: ruby\n'), '/usr/bin/python3.10': undefined }, 'LNX-045', 'Failed', /not found/],
    ['missing os-release', { '/etc/os-release': undefined, '/usr/lib/os-release': undefined }, 'LNX-102', 'Failed', /no \/etc\/os-release/],
    ['os-release without names', { '/usr/lib/os-release': 'ID=custom\n' }, 'LNX-102', 'Failed'],
  ];

  // Every row has the same length: jest passes a `done` callback to a test with more parameters than its row.
  const rows = cases.map(([name, changes, testId, result, actual]) => [`${name} → ${testId} ${result}`, changes, testId, result, actual ?? null] as const);
  it.each(rows)('%s', async (_name, changes, testId, result, actual) => {
    const checks = await run(variant(changes));
    const c = check(checks, testId);
    expect(c.result).toBe(result);
    if (actual) expect(c.actualValue).toMatch(actual);
    if (result === 'NotApplicable') expect(c.remediation).toBe('');
    else expect(c.remediation.length).toBeGreaterThan(20);
    // Only this rule is affected.
    const others = checks.filter((x) => x.testId !== testId && x.result !== 'Passed');
    expect(others).toEqual([]);
    expect(checks.map((x) => x.testId)).toEqual(ALL_IDS);
  });

  it('rootdelay missing is a Warning only (LNX-103), with the serial console still Passed', async () => {
    const checks = await run(
      variant({
        '/boot/grub/grub.cfg': 'menuentry x {\n linux /vmlinuz root=/dev/sda1 console=ttyS0 earlyprintk=ttyS0\n}\n',
        '/etc/default/grub.d/50-cloudimg-settings.cfg': 'GRUB_CMDLINE_LINUX="console=ttyS0,115200n8 earlyprintk=ttyS0"\n',
      }),
    );
    expect(check(checks, 'LNX-040').result).toBe('Passed');
    expect(check(checks, 'LNX-103')).toMatchObject({ result: 'Warning', remediation: expect.stringContaining('update-grub') });
    expect(checks.filter((c) => c.result !== 'Passed').map((c) => c.testId)).toEqual(['LNX-103']);
  });

  it('no boot loader configuration → LNX-040 Failed, LNX-103 NotApplicable', async () => {
    const checks = await run(variant({ '/boot/grub/grub.cfg': undefined, '/etc/default/grub': undefined, '/etc/default/grub.d/50-cloudimg-settings.cfg': undefined }));
    expect(check(checks, 'LNX-040')).toMatchObject({ result: 'Failed', actualValue: expect.stringMatching(/^no boot loader configuration found/) });
    expect(check(checks, 'LNX-103').result).toBe('NotApplicable');
    expect(checks.filter((c) => c.result !== 'Passed').map((c) => c.testId)).toEqual(['LNX-040', 'LNX-103']);
  });

  it('never prints a password hash', async () => {
    const checks = await run(variant({ '/etc/shadow': 'root:$6$abc$SECRETHASH:1::::::\nadmin:$6$abc$SECRETHASH:19000:0:99999:7:::\n' }));
    expect(JSON.stringify(checks)).not.toContain('SECRETHASH');
    expect(check(checks, 'LNX-100').result).toBe('Failed');
    expect(check(checks, 'LNX-101').result).toBe('Failed');
  });

  it('fails as too many entries past the homes it examines, rather than passing on a sample', async () => {
    const tree = compliant();
    for (let i = 0; i < 1100; i++) tree[`/home/u${i}/.profile`] = '';
    tree['/home/u1099/.bash_history'] = 'z'.repeat(5000);
    const c = check(await run(tree), 'LNX-048');
    expect(c).toMatchObject({ result: 'Failed', actualValue: '/home: more than 1000 entries (too many entries)' });
    expect(c.remediation).toMatch(/Remove the extra entries/);
  });
});

describe('linuxChecks on crafted trees: bounded work, and the cause named', () => {
  const tooMany = (c: CertificationCheck) => {
    expect(c.result).toBe('Failed');
    expect(c.actualValue).toMatch(/\(too many entries\)$/);
    expect(c.remediation).toMatch(/Remove the extra entries or links/);
    return c.actualValue;
  };

  it('a glob matching more than 100 paths fails its checks instead of reading each', async () => {
    const tree = compliant();
    for (let i = 0; i < 101; i++) tree[`/etc/default/grub.d/${i}.cfg`] = 'GRUB_CMDLINE_LINUX="console=ttyS0 earlyprintk=ttyS0 rootdelay=300"\n';
    const fs = memoryFs(tree);
    const checks = await linuxChecks(fs, DISK);
    expect(tooMany(check(checks, 'LNX-040'))).toBe('/etc/default/grub.d/*.cfg: more than 100 paths match (too many entries)');
    expect(tooMany(check(checks, 'LNX-103'))).toBe('/etc/default/grub.d/*.cfg: more than 100 paths match (too many entries)');
    expect(fs.accessed.filter((p) => p.startsWith('/etc/default/grub.d/'))).toEqual([]);
  });

  it('a directory listing past 20000 entries fails as too many entries', async () => {
    const tree = compliant();
    for (let i = 0; i < 20001; i++) tree[`/usr/lib/python3.${i}`] = { dir: true };
    expect(tooMany(check(await run(tree), 'LNX-039'))).toBe('/usr/lib: more than 20000 entries (too many entries)');
  });

  it('sshd Include lines past 64 files and patterns fail as too many entries', async () => {
    const sshd = Array.from({ length: 70 }, (_, i) => `Include /etc/ssh/none-${i}.conf\n`).join('') + 'ClientAliveInterval 180\n';
    expect(tooMany(check(await run(variant({ '/etc/ssh/sshd_config': sshd })), 'LNX-046'))).toMatch(/more than 64 files and Include patterns/);
  });

  it('judges crafted values in linear time: no regular-expression blow-up, no runaway shell expansion', async () => {
    const line = 'GRUB_CMDLINE_LINUX="console=ttyS0 earlyprintk=ttyS0 rootdelay=300"\n';
    const doubling = 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX"\n'.repeat(40); // 2^40 × 50 characters unbounded
    const started = performance.now();
    const checks = await run(
      variant({
        // `(\d+[smhdw]?)+$` backtracked 2^32 ways on this; a regular expression from `*a*a*…b` 10^10.
        '/etc/ssh/sshd_config': `Include /etc/ssh/x/${'*a'.repeat(10)}b\nClientAliveInterval ${'1'.repeat(32)}x\n`,
        [`/etc/ssh/x/${'a'.repeat(40)}`]: '',
        '/etc/default/grub': line + doubling,
      }),
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(check(checks, 'LNX-046').actualValue).toMatch(/not a valid time$/);
    const cmdline = check(checks, 'LNX-040');
    expect(cmdline.result).toBe('Passed');
    expect(cmdline.actualValue.length).toBeLessThan(2 * MAX_WORD);
  });
});

describe('linuxChecks on corrupt files', () => {
  const corrupt = { corrupt: 'inode 1234: extent tree loops' };
  it.each([
    ['/etc/shadow', ['LNX-100', 'LNX-101']],
    ['/etc/waagent.conf', ['LNX-051']],
    ['/etc/fstab', ['LNX-041']],
    ['/var/lib/dpkg/status', ['LNX-044', 'LNX-045']],
    ['/etc/ssh/sshd_config.d/50-cloudimg.conf', ['LNX-046']],
    ['/home/azureuser/.bash_history', ['LNX-048']],
    ['/usr/bin/dash', ['LNX-049']],
    ['/usr/lib/os-release', ['LNX-102']],
    ['/boot/grub/grub.cfg', ['LNX-040', 'LNX-103']],
  ])('a corrupt %s fails only its own checks', async (path, ids) => {
    const checks = await run(variant({ [path]: corrupt }));
    expect(checks.map((x) => x.testId)).toEqual(ALL_IDS);
    expect(checks.filter((c) => c.result !== 'Passed').map((c) => c.testId)).toEqual(ids);
    for (const id of ids) {
      const c = check(checks, id);
      expect(c.result).toBe('Failed');
      expect(c.actualValue).toContain('could not be read: inode 1234: extent tree loops');
      expect(c.remediation).toContain('fsck');
    }
  });

  it('lets errors other than ImageFormatError propagate (e.g. the transfer budget)', async () => {
    const fs = memoryFs(compliant());
    fs.readdir = async () => {
      throw new Error('budget exceeded');
    };
    await expect(linuxChecks(fs, DISK)).rejects.toThrow('budget exceeded');
  });
});

describe('linux parsers', () => {
  it('compares versions numerically part by part', () => {
    expect(compareVersions(parseVersion('2.2.41')!, parseVersion('2.2.5')!)).toBe(1);
    expect(compareVersions(parseVersion('2.10')!, parseVersion('2.9.9')!)).toBe(1);
    expect(compareVersions(parseVersion('1.0')!, parseVersion('1.0.0')!)).toBe(0);
    expect(parseVersion('1:1.1.1f-1ubuntu2')).toEqual([1, 1, 1]);
    expect(parseVersion('abc')).toBeUndefined();
  });

  it('reads shell assignments with quotes and expansion', () => {
    const vars = shellAssignments(`A="x y"\nB='$A z'\nexport C="$A \${B} w" # comment\nD=plain rest\nE=\n`);
    expect(Object.fromEntries(vars)).toEqual({ A: 'x y', B: '$A z', C: 'x y $A z w', D: 'plain', E: '' });
  });

  it('reads sshd time values', () => {
    expect(sshdSeconds('180')).toBe(180);
    expect(sshdSeconds('3m')).toBe(180);
    expect(sshdSeconds('1m30s')).toBe(90);
    expect(sshdSeconds('1h1m1')).toBe(3661);
    expect(sshdSeconds('3 minutes')).toBeUndefined();
    expect(sshdSeconds('1m30')).toBe(90);
    expect(sshdSeconds('m30')).toBeUndefined();
  });

  it('matches globs of one path component as the shell does', () => {
    const m = (glob: string, name: string) => globMatcher(glob)(name);
    expect(m('*.cfg', '50-cloudimg-settings.cfg')).toBe(true);
    expect(m('*.cfg', 'x.cfg.bak')).toBe(false);
    expect(m('python3.*', 'python3.10')).toBe(true);
    expect(m('python3.*', 'python3')).toBe(false);
    expect(m('a*b*c', 'axxbyyc')).toBe(true);
    expect(m('a*b*c', 'axxbyy')).toBe(false);
    expect(m('**', '')).toBe(true);
    expect(m('?', '')).toBe(false);
    expect(m('lib[0-9]?', 'lib64')).toBe(true);
    expect(m('lib[!0-9]', 'lib6')).toBe(false);
    expect(m('lib[!0-9]', 'libx')).toBe(true);
    expect(m('[abc]', 'b')).toBe(true);
    expect(m('x[', 'x[')).toBe(true); // an unclosed bracket is literal
    expect(m('a.b', 'axb')).toBe(false); // no regular-expression meaning
  });
});
