/** LNX-049 / LNX-102: what the image is: its architecture (ELF header of the shell) and distribution (os-release). */
import { KiB } from '../../../domain/units';
import type { Files } from './fs-reader';
import type { Add } from './outcome';
import { EM_X86_64, parseElfHeader, shellAssignments } from './text-formats';

export async function architecture(files: Files, add: Add): Promise<void> {
  const fix = 'Azure Marketplace Linux VM images must be built for x86_64 (amd64): install the x86_64 edition of the distribution and capture it again.';
  for (const path of ['/bin/sh', '/usr/bin/bash', '/bin/bash']) {
    const head = await files.read(path, 64);
    if (head === undefined) continue;
    const elf = parseElfHeader(head);
    if (!elf) return add('Failed', `${path} is not an ELF executable`, fix);
    const actual = `${elf.machineName}, ${elf.bits ?? 'unknown'}-bit (ELF header of ${path})`;
    return add(elf.bits === 64 && elf.machine === EM_X86_64 ? 'Passed' : 'Failed', actual, fix);
  }
  add('Failed', 'no /bin/sh or /usr/bin/bash to read the architecture from', `Install a shell at /bin/sh. ${fix}`);
}

export async function distribution(files: Files, add: Add): Promise<void> {
  const fix = "Install the distribution's os-release file (`base-files` on Debian/Ubuntu, `*-release` packages on RHEL/SUSE), then shut down and capture the image again.";
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = await files.text(path, 64 * KiB);
    if (text === undefined) continue;
    const vars = shellAssignments(text);
    const name = vars.get('NAME')?.trim();
    const version = vars.get('VERSION_ID')?.trim();
    const pretty = vars.get('PRETTY_NAME')?.trim();
    const actual = name && version ? `${name} ${version}` : pretty || undefined;
    if (actual) return add('Passed', actual);
    return add('Failed', `${path} names no distribution (no NAME and VERSION_ID, no PRETTY_NAME)`, fix);
  }
  add('Failed', 'no /etc/os-release or /usr/lib/os-release', fix);
}
