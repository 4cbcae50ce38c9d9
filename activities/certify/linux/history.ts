/** LNX-048: no bash history left in the image. */
import type { Files } from './fs-reader';
import { list, type Add } from './outcome';

const MAX_HOMES = 1000;
export const MAX_HISTORY_BYTES = 1024;

export async function bashHistory(files: Files, add: Add): Promise<void> {
  const homes = ['/root', ...(await files.names('/home', MAX_HOMES)).map((n) => `/home/${n}`)];
  const big: string[] = [];
  for (const home of homes) {
    const path = `${home}/.bash_history`;
    const st = await files.stat(path);
    if (st?.type === 'file' && st.size > MAX_HISTORY_BYTES) big.push(`${path} (${st.size} bytes)`);
  }
  const actual = big.length ? list(big) : `${homes.length} home director${homes.length === 1 ? 'y' : 'ies'} checked, no history over ${MAX_HISTORY_BYTES} bytes`;
  add(
    big.length ? 'Failed' : 'Passed',
    actual,
    'Clear shell history before capturing: `sudo waagent -deprovision+user` (removes the provisioning user and its history), ' +
      'or `sudo rm -f /root/.bash_history /home/*/.bash_history && history -c && export HISTSIZE=0` in the shell you log out from; then shut down and capture the image again.',
  );
}
