/**
 * Linux OS-level certification checks (docs/certification.md), read through the root filesystem of the OS
 * disk. One check per rule; test ids carry the self-test tool's number where it has one
 * (`LNX-039` …), and `LNX-1xx` otherwise:
 *
 *   LNX-039 Azure Linux Agent ≥ 2.2.41        LNX-048 Bash history ≤ 1024 bytes
 *   LNX-051 Agent auto-update enabled          LNX-049 Architecture x86_64
 *   LNX-040 Serial console on the kernel line  LNX-100 No usable password hashes
 *   LNX-103 rootdelay=300 (Warning only)       LNX-101 Root account locked
 *   LNX-041 No swap in /etc/fstab              LNX-102 Distribution named in os-release
 *   LNX-044 OpenSSL ≥ 1.0 (0.9.8 a Warning)    LNX-045 Python ≥ 2.6
 *   LNX-046 sshd ClientAliveInterval 30–235
 *
 * Not here: swap/root/LVM partitions (partition layer, test 42) and kernel CVE levels.
 *
 * One module per concern: fs-reader.ts (capped, shared reads), text-formats.ts (pure parsers),
 * agent.ts, boot.ts, fstab.ts, sshd.ts, history.ts, accounts.ts, packages.ts, platform.ts (the
 * checks), rules.ts (which checks each rule decides, in report order); this file runs the rules.
 *
 * Decisions: an agent whose version cannot be found is a Warning (it is installed); a missing
 * `AutoUpdate.Enabled` passes (the agent's default is y) but a missing /etc/waagent.conf fails; the
 * kernel command line must be right both in the entry that boots (grub.cfg / BLS entry) and in
 * /etc/default/grub(.d), which the next kernel update regenerates it from; OpenSSL and Python come
 * from dpkg's status, else from library/binary file names (rpm's database is not read).
 *
 * The image is hostile: every file read is capped, every directory listing and glob bounded, and a
 * file the reader cannot make sense of (`ImageFormatError`) or that is past a limit (too many
 * entries, a symlink loop: `ImageLimitError`) fails only the check that needed it, saying which.
 * Other errors (the block device's budgets and deadline, network) propagate: the caller reports
 * the image unreadable or too slow.
 * Checks run one after another, so the reader never sees concurrent requests.
 */
import type { CertificationCheck } from '../../../domain/certification';
import { ImageLimitError, type FileSystemReader } from '../image-types';
import { MAX_SYMLINK_HOPS } from '../ext4/path';
import { Files, MAX_DIR_ENTRIES, MAX_GLOB_MATCHES, Unreadable } from './fs-reader';
import type { Add } from './outcome';
import { RULES } from './rules';

/** The Linux OS-level checks of the OS disk's root filesystem, labelled with `disk`. */
export async function linuxChecks(fs: FileSystemReader, disk: string): Promise<CertificationCheck[]> {
  const files = new Files(fs);
  const out: CertificationCheck[] = [];
  for (const rule of RULES) {
    const produced: CertificationCheck[] = [];
    const adds = rule.ids.map(
      ([testId, name, requiredValue]): Add =>
        (result, actualValue, remediation = '') =>
          void produced.push({ testId, name, result, actualValue, requiredValue, remediation: result === 'Passed' ? '' : remediation, disk }),
    );
    try {
      await rule.run(files, ...adds);
    } catch (e) {
      if (!(e instanceof Unreadable)) throw e;
      // The rule's checks that were not yet decided fail, naming the file and the cause.
      const limit = e.cause instanceof ImageLimitError;
      for (const [testId, name, requiredValue] of rule.ids) {
        if (produced.some((c) => c.testId === testId)) continue;
        produced.push({
          testId,
          name,
          result: 'Failed',
          actualValue: limit ? `${e.path}: ${e.cause.message}` : `${e.path} could not be read: ${e.cause.message}`,
          requiredValue,
          remediation: limit
            ? `Certification reads ${e.path} within fixed limits, and the image goes past one there (${e.cause.message}). ` +
              `Remove the extra entries or links: a directory the checks list holds at most ${MAX_DIR_ENTRIES} entries, a pattern such as /etc/default/grub.d/*.cfg matches at most ${MAX_GLOB_MATCHES}, ` +
              `and symbolic links must not loop or chain more than ${MAX_SYMLINK_HOPS} deep. Then shut down and capture the image again.`
            : `The filesystem is damaged at ${e.path}. Check and repair it before converting the image (\`sudo fsck -f <partition>\` on the unmounted root partition, ` +
              'e.g. after `sudo losetup -fP --show disk.raw`), make sure the file is intact, then create the VHD and upload it again.',
          disk,
        });
      }
    }
    out.push(...produced);
  }
  return out;
}
