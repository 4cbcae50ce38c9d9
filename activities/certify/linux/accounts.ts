/** LNX-100 / LNX-101: no usable passwords, root locked, read from /etc/shadow; hashes are never reported. */
import type { Files } from './fs-reader';
import { list, type Add } from './outcome';
import { lines } from './text-formats';

const locked = (hash: string) => hash.startsWith('!') || hash.startsWith('*');

export async function credentials(files: Files, noHashesAdd: Add, rootAdd: Add): Promise<void> {
  const text = await files.text('/etc/shadow');
  if (text === undefined) {
    const fix = 'Create /etc/shadow from /etc/passwd with `sudo pwconv`, lock every password (`sudo passwd -l <user>`), then shut down and capture the image again.';
    noHashesAdd('Failed', 'no /etc/shadow', fix);
    rootAdd('Failed', 'no /etc/shadow', fix);
    return;
  }
  const usable: string[] = [];
  let root: string | undefined;
  for (const line of lines(text)) {
    // NIS compat lines (`+`, `-`) carry no local password.
    if (!line.trim() || /^[#+-]/.test(line)) continue;
    const [user, hash = ''] = line.split(':');
    if (user === 'root') {
      root ??= hash;
      continue;
    }
    if (!locked(hash)) usable.push(hash === '' ? `${user} (empty password)` : user);
  }
  // Never report a hash itself: only account names.
  noHashesAdd(
    usable.length ? 'Failed' : 'Passed',
    usable.length ? `accounts with a usable password: ${list(usable)}` : 'no account other than root has a usable password',
    `Lock or remove these accounts' passwords (\`sudo passwd -l <user>\` for each, or \`sudo userdel -r <user>\` for accounts made while building the image; ` +
      '`sudo waagent -deprovision+user` removes the last provisioned user); customers set their own credentials at deployment. Then shut down and capture the image again.',
  );
  if (root === undefined) return rootAdd('Failed', 'no root entry in /etc/shadow', 'Restore the root entry in /etc/shadow with a locked password (`root:*:...`), e.g. with `sudo pwconv`, then `sudo passwd -l root`.');
  const rootActual = root === '' ? 'root has an empty password' : locked(root) ? `root locked ("${root.startsWith('!') ? '!' : '*'}…")` : 'root has a usable password hash';
  rootAdd(locked(root) ? 'Passed' : 'Failed', rootActual, 'Lock the root password: `sudo passwd -l root` (or `sudo usermod -p \'*\' root`), then shut down and capture the image again.');
}
