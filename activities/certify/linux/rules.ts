/**
 * The Linux rules: each runs one check function and names the checks it decides (test id, name,
 * required value), in report order.
 */
import { credentials } from './accounts';
import { agentAutoUpdate, agentVersion, MIN_AGENT } from './agent';
import { kernelCmdline } from './boot';
import { noSwapInFstab } from './fstab';
import type { Files } from './fs-reader';
import { bashHistory, MAX_HISTORY_BYTES } from './history';
import type { Add } from './outcome';
import { openssl, python } from './packages';
import { architecture, distribution } from './platform';
import { clientAliveInterval } from './sshd';
import { versionText } from './text-formats';

export interface Rule {
  ids: Array<[testId: string, name: string, requiredValue: string]>;
  run: (files: Files, ...adds: Add[]) => Promise<void>;
}

export const RULES: Rule[] = [
  { ids: [['LNX-039', 'Azure Linux Agent version', `waagent installed, version ≥ ${versionText(MIN_AGENT)}`]], run: agentVersion },
  { ids: [['LNX-051', 'Azure Linux Agent auto-update', 'AutoUpdate.Enabled=y in /etc/waagent.conf']], run: agentAutoUpdate },
  {
    ids: [
      ['LNX-040', 'Serial console on the kernel command line', 'console=ttyS0 and earlyprintk=ttyS0 on the kernel command line'],
      ['LNX-103', 'rootdelay on the kernel command line', 'rootdelay=300 on the kernel command line'],
    ],
    run: kernelCmdline,
  },
  { ids: [['LNX-041', 'No swap in /etc/fstab', 'no swap entry in /etc/fstab (swap goes on the resource disk, made by the agent)']], run: noSwapInFstab },
  { ids: [['LNX-044', 'OpenSSL version', 'OpenSSL ≥ 1.0 (≥ 0.9.8 accepted)']], run: openssl },
  { ids: [['LNX-045', 'Python version', 'Python ≥ 2.6']], run: python },
  { ids: [['LNX-046', 'sshd ClientAliveInterval', 'ClientAliveInterval 30–235 seconds in /etc/ssh/sshd_config (180 recommended)']], run: clientAliveInterval },
  { ids: [['LNX-048', 'Bash history cleared', `root's and every user's .bash_history at most ${MAX_HISTORY_BYTES} bytes`]], run: bashHistory },
  { ids: [['LNX-049', 'Architecture x86_64', 'x86_64 (ELF64, machine 0x3e)']], run: architecture },
  {
    ids: [
      ['LNX-100', 'No default credentials', 'no account other than root with a usable password in /etc/shadow (each password field "!", "*" or starting with "!")'],
      ['LNX-101', 'Root account locked', 'root locked in /etc/shadow (password field "!", "*" or starting with "!")'],
    ],
    run: credentials,
  },
  { ids: [['LNX-102', 'Distribution identified', 'NAME and VERSION_ID (or PRETTY_NAME) in /etc/os-release']], run: distribution },
];
