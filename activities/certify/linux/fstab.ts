/** LNX-041: no swap in /etc/fstab (the agent puts swap on the resource disk). */
import type { Files } from './fs-reader';
import { list, type Add } from './outcome';
import { lines } from './text-formats';

export async function noSwapInFstab(files: Files, add: Add): Promise<void> {
  const text = await files.text('/etc/fstab');
  if (text === undefined) return add('Passed', 'no /etc/fstab');
  const swaps = lines(text)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .filter((l) => {
      const f = l.split(/\s+/);
      return f[1] === 'swap' || f[2] === 'swap';
    });
  if (!swaps.length) return add('Passed', 'no swap entry in /etc/fstab');
  add(
    'Failed',
    `swap in /etc/fstab: ${list(swaps.map((l) => `"${l}"`), 5)}`,
    "Remove the swap entries: `sudo swapoff -a && sudo sed -i '/\\sswap\\s/s/^/#/' /etc/fstab`, delete any swap partition or swap file, " +
      'and let the agent create swap on the resource disk instead (`ResourceDisk.Format=y`, `ResourceDisk.EnableSwap=y`, `ResourceDisk.SwapSizeMB=<MB>` in /etc/waagent.conf, ' +
      'or the equivalent cloud-init settings); then shut down and capture the image again.',
  );
}
