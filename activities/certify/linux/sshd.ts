/** LNX-046: sshd's ClientAliveInterval, read as sshd reads its configuration (Include, Match). */
import { ImageLimitError } from '../image-types';
import { Unreadable, type Files } from './fs-reader';
import type { Add } from './outcome';
import { lines, shellWords, sshdSeconds } from './text-formats';

/** Files read and Include patterns expanded, together: a real configuration has a handful. */
const MAX_INCLUDES = 64;

/** The first global value of a keyword in sshd_config, following Include lines in place as sshd does. */
export async function sshdOption(files: Files, keyword: string): Promise<{ value: string; where: string } | undefined> {
  let budget = MAX_INCLUDES;
  const spend = (path: string) => {
    if (budget-- <= 0) throw new Unreadable(path, new ImageLimitError(`more than ${MAX_INCLUDES} files and Include patterns (too many entries)`));
  };
  const want = keyword.toLowerCase();
  const visit = async (path: string, depth: number): Promise<{ value: string; where: string } | undefined> => {
    if (depth > 8) return undefined;
    spend(path);
    const text = await files.text(path);
    if (text === undefined) return undefined;
    for (const raw of lines(text)) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
      if (!m) continue;
      const key = m[1].toLowerCase();
      // Settings after a Match line apply only to matching connections.
      if (key === 'match') return undefined;
      if (key === 'include') {
        for (const arg of shellWords(m[2])) {
          const pattern = arg.startsWith('/') ? arg : `/etc/ssh/${arg}`;
          spend(pattern);
          for (const inc of (await files.glob(pattern)).sort()) {
            const hit = await visit(inc, depth + 1);
            if (hit) return hit;
          }
        }
        continue;
      }
      if (key === want) return { value: shellWords(m[2])[0] ?? '', where: path };
    }
    return undefined;
  };
  return visit('/etc/ssh/sshd_config', 0);
}

export async function clientAliveInterval(files: Files, add: Add): Promise<void> {
  const fix =
    "Set `ClientAliveInterval 180`: `sudo sed -i 's/^\\s*#\\?\\s*ClientAliveInterval.*/ClientAliveInterval 180/' /etc/ssh/sshd_config` " +
    '(add the line if there is none, and remove other ClientAliveInterval lines in /etc/ssh/sshd_config.d/*.conf, since the first one sshd reads wins); ' +
    'check with `sudo sshd -T | grep -i clientaliveinterval`, then shut down and capture the image again.';
  if (!(await files.exists('/usr/sbin/sshd'))) return add('NotApplicable', 'sshd not installed (no /usr/sbin/sshd)');
  const opt = await sshdOption(files, 'ClientAliveInterval');
  if (!opt) return add('Failed', 'not set (sshd defaults to 0: no keep-alive)', fix);
  const seconds = sshdSeconds(opt.value);
  const actual = `ClientAliveInterval ${opt.value} (in ${opt.where})`;
  if (seconds === undefined) return add('Failed', `${actual}: not a valid time`, fix);
  add(seconds >= 30 && seconds <= 235 ? 'Passed' : 'Failed', seconds === Number(opt.value) ? actual : `${actual} = ${seconds} seconds`, fix);
}
