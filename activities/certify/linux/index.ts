/**
 * Linux OS-level certification checks (domain.md §2), read through the root filesystem of the OS
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
 * Decisions: an agent whose version cannot be found is a Warning (it is installed); a missing
 * `AutoUpdate.Enabled` passes (the agent's default is y) but a missing /etc/waagent.conf fails; the
 * kernel command line must be right both in the entry that boots (grub.cfg / BLS entry) and in
 * /etc/default/grub(.d), which the next kernel update regenerates it from; OpenSSL and Python come
 * from dpkg's status, else from library/binary file names (rpm's database is not read).
 *
 * The image is hostile: every file read is capped, every directory listing bounded, and a file the
 * reader cannot make sense of (`ImageFormatError`) fails only the check that needed it. Other errors
 * (the block device's transfer budget, network) propagate: the caller reports the image unreadable.
 * Checks run one after another, so the reader never sees concurrent requests.
 */
import type { CertificationCheck, CheckResult } from '../../../domain/certification';
import { ImageFormatError, type FileSystemReader } from '../image-types';
import {
  agentConf,
  compareVersions,
  dpkgInstalled,
  EM_X86_64,
  globRegExp,
  lines,
  naturalCompare,
  parseElfHeader,
  parseVersion,
  shellAssignments,
  shellWords,
  sshdSeconds,
  versionText,
  type DpkgPackage,
} from './text-formats';

const KiB = 1024;
/** Cap for configuration files. */
const MAX_CONFIG_BYTES = 256 * KiB;
/** dpkg's status database is a few MB on a server install; past this its tail is not looked at. */
const MAX_DPKG_STATUS_BYTES = 8 * 1024 * KiB;
/** Directory listings: enough for /usr/bin or /usr/lib/x86_64-linux-gnu of a full install. */
const MAX_DIR_ENTRIES = 20000;
const MAX_HOMES = 1000;
const MAX_INCLUDED_FILES = 64;

const MIN_AGENT = [2, 2, 41];
const MAX_HISTORY_BYTES = 1024;

/** Records the outcome of one check; its name and required value come from RULES. */
type Add = (result: CheckResult, actualValue: string, remediation?: string) => void;

/** A file the reader could not make sense of, with the path that needed it. */
class Unreadable extends Error {
  constructor(
    readonly path: string,
    override readonly cause: ImageFormatError,
  ) {
    super(`${path}: ${cause.message}`);
  }
}

/** The filesystem, with capped reads, errors tagged by path, and reads shared between checks. */
class Files {
  private readonly cache = new Map<string, Promise<Buffer | undefined>>();
  private readonly dirs = new Map<string, Promise<string[]>>();
  constructor(private readonly fs: FileSystemReader) {}

  private async tag<T>(path: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (e instanceof ImageFormatError) throw new Unreadable(path, e);
      throw e;
    }
  }

  read(path: string, max = MAX_CONFIG_BYTES): Promise<Buffer | undefined> {
    const key = `${max} ${path}`;
    let p = this.cache.get(key);
    if (!p) this.cache.set(key, (p = this.tag(path, () => this.fs.readFile(path, max))));
    return p;
  }

  async text(path: string, max = MAX_CONFIG_BYTES): Promise<string | undefined> {
    return (await this.read(path, max))?.toString('utf8');
  }

  stat(path: string) {
    return this.tag(path, () => this.fs.stat(path));
  }

  async exists(path: string): Promise<boolean> {
    return (await this.stat(path)) !== undefined;
  }

  async isFile(path: string): Promise<boolean> {
    return (await this.stat(path))?.type === 'file';
  }

  async names(dir: string, max = MAX_DIR_ENTRIES): Promise<string[]> {
    const key = `${max} ${dir}`;
    let p = this.dirs.get(key);
    if (!p) this.dirs.set(key, (p = this.tag(dir, () => this.fs.readdir(dir, max)).then((e) => (e ?? []).map((x) => x.name).sort(naturalCompare))));
    return p;
  }

  /** Paths matching a pattern whose components may hold globs (`/usr/lib/python3.*\/site-packages`). */
  async glob(pattern: string): Promise<string[]> {
    let paths = ['/'];
    for (const part of pattern.split('/').filter(Boolean)) {
      const next: string[] = [];
      for (const base of paths) {
        const join = (name: string) => (base === '/' ? `/${name}` : `${base}/${name}`);
        if (!/[*?[]/.test(part)) next.push(join(part));
        else {
          const re = globRegExp(part);
          for (const name of await this.names(base)) if (re.test(name)) next.push(join(name));
        }
      }
      paths = next;
    }
    return paths;
  }

  async dpkg(): Promise<DpkgPackage[] | undefined> {
    const text = await this.text('/var/lib/dpkg/status', MAX_DPKG_STATUS_BYTES);
    return text === undefined ? undefined : dpkgInstalled(text);
  }
}

const list = (items: string[], max = 10) => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));

// ---------------------------------------------------------------------------------------------
// LNX-039 / LNX-051: Azure Linux Agent

const AGENT_PYTHON_DIRS = [
  '/usr/lib/python3/dist-packages',
  '/usr/lib/python3.*/site-packages',
  '/usr/lib/python3.*/dist-packages',
  '/usr/local/lib/python3.*/dist-packages',
  '/usr/local/lib/python3.*/site-packages',
  '/usr/lib/python2.*/site-packages',
  '/usr/lib/python2.*/dist-packages',
];
const INSTALL_AGENT =
  'Install the Azure Linux Agent from the distribution (`sudo apt-get install walinuxagent`, `sudo dnf install WALinuxAgent` or `sudo zypper install python-azure-agent`), ' +
  'enable it (`sudo systemctl enable walinuxagent` on Debian/Ubuntu, `sudo systemctl enable waagent` elsewhere), then run `sudo waagent -deprovision+user`, shut down and capture the image again';

async function agentVersion(files: Files, add: Add): Promise<void> {
  const binary = (await files.isFile('/usr/sbin/waagent')) ? '/usr/sbin/waagent' : (await files.isFile('/usr/bin/waagent')) ? '/usr/bin/waagent' : undefined;
  if (!binary) return add('Failed', 'no /usr/sbin/waagent or /usr/bin/waagent', `${INSTALL_AGENT}.`);

  const found: Array<{ version: number[]; where: string }> = [];
  for (const pattern of AGENT_PYTHON_DIRS) {
    for (const dir of await files.glob(pattern)) {
      const path = `${dir}/azurelinuxagent/common/version.py`;
      const text = await files.text(path);
      const m = text && /^AGENT_VERSION\s*=\s*['"]([^'"]+)['"]/m.exec(text);
      const version = m ? parseVersion(m[1]) : undefined;
      if (version) found.push({ version, where: path });
    }
  }
  for (const name of await files.names('/var/lib/waagent')) {
    const m = /^WALinuxAgent-(\d+(?:\.\d+)+)$/.exec(name);
    if (m) found.push({ version: parseVersion(m[1])!, where: `/var/lib/waagent/${name}` });
  }
  if (!found.length) {
    return add(
      'Warning',
      `${binary} present, but its version could not be determined (no azurelinuxagent/common/version.py or /var/lib/waagent/WALinuxAgent-* found)`,
      `Check with \`waagent --version\` that the agent is ${versionText(MIN_AGENT)} or later; if not, ${INSTALL_AGENT.replace(/^Install/, 'install')}.`,
    );
  }
  const best = found.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
  const actual = `${versionText(best.version)} (from ${best.where})`;
  if (compareVersions(best.version, MIN_AGENT) >= 0) return add('Passed', actual);
  add(
    'Failed',
    actual,
    `Update the agent to ${versionText(MIN_AGENT)} or later (\`sudo apt-get install --only-upgrade walinuxagent\`, \`sudo dnf update WALinuxAgent\` or \`sudo zypper update python-azure-agent\`), ` +
      'then run `sudo waagent -deprovision+user`, shut down and capture the image again.',
  );
}

/**
 * A missing `AutoUpdate.Enabled` passes: the agent's built-in default is `y`. A missing
 * /etc/waagent.conf fails: every agent package installs one, so its absence means a broken install.
 */
async function agentAutoUpdate(files: Files, add: Add): Promise<void> {
  const fix =
    "Enable agent auto-update: `sudo sed -i 's/^\\s*AutoUpdate.Enabled\\s*=.*/AutoUpdate.Enabled=y/' /etc/waagent.conf` " +
    "(add the line `AutoUpdate.Enabled=y` if there is none), then run `sudo waagent -deprovision+user`, shut down and capture the image again.";
  const text = await files.text('/etc/waagent.conf');
  if (text === undefined) return add('Failed', 'no /etc/waagent.conf', `${INSTALL_AGENT}; the package installs /etc/waagent.conf.`);
  const value = agentConf(text).get('AutoUpdate.Enabled');
  if (value === undefined) return add('Passed', 'not set (the agent defaults to y)');
  if (value.toLowerCase() === 'y') return add('Passed', `AutoUpdate.Enabled=${value}`);
  add('Failed', `AutoUpdate.Enabled=${value}`, fix);
}

// ---------------------------------------------------------------------------------------------
// LNX-040 / LNX-103: kernel command line

interface CmdlineSource {
  /** Where the command line came from, e.g. `/boot/grub/grub.cfg (first boot entry)`. */
  where: string;
  tokens: string[];
  /** Whether it is the file the boot loader reads (else the source it is generated from). */
  boot: boolean;
}

/** The first `linux`/`linuxefi` line of a grub.cfg: the default boot entry in generated configs. */
function grubCfgCmdline(text: string): string[] | undefined {
  for (const raw of lines(text)) {
    const words = shellWords(raw.trim());
    if (words.length >= 2 && (words[0] === 'linux' || words[0] === 'linuxefi' || words[0] === 'linux16')) return words.slice(2).filter(Boolean);
  }
  return undefined;
}

async function bootCmdline(files: Files): Promise<CmdlineSource | undefined> {
  const cfgs = ['/boot/grub/grub.cfg', '/boot/grub2/grub.cfg', ...(await files.glob('/boot/efi/EFI/*/grub.cfg'))];
  for (const path of cfgs) {
    const text = await files.text(path);
    const tokens = text === undefined ? undefined : grubCfgCmdline(text);
    if (tokens) return { where: `${path} (first boot entry)`, tokens, boot: true };
  }
  // Boot Loader Specification entries (Fedora/RHEL 8+): the newest kernel's entry boots by default.
  const entries = (await files.glob('/boot/loader/entries/*.conf')).sort(naturalCompare).reverse();
  for (const path of entries) {
    const text = await files.text(path);
    const options = text && lines(text).find((l) => /^\s*options\s/.test(l));
    if (!options) continue;
    let tokens = options.trim().split(/\s+/).slice(1);
    if (tokens.includes('$kernelopts')) {
      // RHEL 8 keeps the options in grubenv and refers to them.
      const env = (await files.text('/boot/grub2/grubenv')) ?? '';
      const kernelopts = /^kernelopts=(.*)$/m.exec(env)?.[1] ?? '';
      tokens = tokens.flatMap((t) => (t === '$kernelopts' ? kernelopts.trim().split(/\s+/).filter(Boolean) : [t]));
    }
    return { where: `${path} (newest boot entry)`, tokens, boot: true };
  }
  return undefined;
}

/** GRUB_CMDLINE_LINUX + GRUB_CMDLINE_LINUX_DEFAULT from /etc/default/grub and grub.d/*.cfg, as grub-mkconfig sources them. */
async function defaultGrubCmdline(files: Files): Promise<CmdlineSource | undefined> {
  const paths = ['/etc/default/grub', ...(await files.glob('/etc/default/grub.d/*.cfg'))];
  const vars = new Map<string, string>();
  const used: string[] = [];
  for (const path of paths) {
    const text = await files.text(path);
    if (text === undefined) continue;
    shellAssignments(text, vars);
    used.push(path);
  }
  if (!used.length) return undefined;
  const line = `${vars.get('GRUB_CMDLINE_LINUX') ?? ''} ${vars.get('GRUB_CMDLINE_LINUX_DEFAULT') ?? ''}`;
  return { where: `${used.join(' + ')} (GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT)`, tokens: line.trim().split(/\s+/).filter(Boolean), boot: false };
}

const hasParam = (tokens: string[], param: string) => tokens.some((t) => t === param || t.startsWith(`${param},`));
const GRUB_FIX =
  'Put the parameters in GRUB_CMDLINE_LINUX in /etc/default/grub, e.g. `GRUB_CMDLINE_LINUX="console=tty1 console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300"` ' +
  '(and in any /etc/default/grub.d/*.cfg that overrides it), then regenerate the boot configuration: `sudo update-grub` (Debian/Ubuntu) or `sudo grub2-mkconfig -o /boot/grub2/grub.cfg` (RHEL/SUSE; on BLS systems also ' +
  '`sudo grubby --update-kernel=ALL --args="console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300"`); then shut down and capture the image again.';

async function kernelCmdline(files: Files, consoleAdd: Add, rootdelayAdd: Add): Promise<void> {
  const sources = [await bootCmdline(files), await defaultGrubCmdline(files)].filter((s): s is CmdlineSource => s !== undefined);
  if (!sources.length) {
    const actual = 'no boot loader configuration found (/boot/grub/grub.cfg, /boot/grub2/grub.cfg, /boot/efi/EFI/*/grub.cfg, /boot/loader/entries/*.conf, /etc/default/grub)';
    consoleAdd('Failed', actual, `Boot the image with GRUB 2 configured on the root filesystem, with console=ttyS0 and earlyprintk=ttyS0 on the kernel command line. ${GRUB_FIX}`);
    rootdelayAdd('NotApplicable', actual);
    return;
  }
  // Both the entry that boots and the source later kernel updates regenerate it from must have them.
  const missing: string[] = [];
  for (const s of sources) {
    const lacks = ['console=ttyS0', 'earlyprintk=ttyS0'].filter((p) => !hasParam(s.tokens, p));
    if (lacks.length) missing.push(`${s.where} lacks ${lacks.join(' and ')}`);
  }
  const shown = sources.map((s) => `${s.where}: "${s.tokens.join(' ')}"`).join('; ');
  if (missing.length) consoleAdd('Failed', `${missing.join('; ')} (${shown})`, `The serial console is how Azure shows boot diagnostics. ${GRUB_FIX}`);
  else consoleAdd('Passed', shown);

  const delays = sources.map((s) => {
    const t = s.tokens.filter((x) => x.startsWith('rootdelay=')).pop();
    return { s, value: t === undefined ? undefined : Number(t.slice('rootdelay='.length)) };
  });
  const short = delays.filter((d) => d.value === undefined || !(d.value >= 300));
  if (!short.length) rootdelayAdd('Passed', delays.map((d) => `${d.s.where}: rootdelay=${d.value}`).join('; '));
  else {
    rootdelayAdd(
      'Warning',
      short.map((d) => `${d.s.where}: ${d.value === undefined ? 'no rootdelay' : `rootdelay=${d.value}`}`).join('; '),
      `rootdelay=300 is recommended so the kernel waits for Azure's storage at boot. ${GRUB_FIX}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// LNX-041: swap

async function noSwapInFstab(files: Files, add: Add): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// LNX-046: sshd ClientAliveInterval

/** The first global value of a keyword in sshd_config, following Include lines in place as sshd does. */
async function sshdOption(files: Files, keyword: string): Promise<{ value: string; where: string } | undefined> {
  let budget = MAX_INCLUDED_FILES;
  const want = keyword.toLowerCase();
  const visit = async (path: string, depth: number): Promise<{ value: string; where: string } | undefined> => {
    if (budget-- <= 0 || depth > 8) return undefined;
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

async function clientAliveInterval(files: Files, add: Add): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// LNX-048: bash history

async function bashHistory(files: Files, add: Add): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// LNX-049: architecture

async function architecture(files: Files, add: Add): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// LNX-100 / LNX-101: credentials

const locked = (hash: string) => hash.startsWith('!') || hash.startsWith('*');

async function credentials(files: Files, noHashesAdd: Add, rootAdd: Add): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// LNX-044 / LNX-045: OpenSSL, Python

/** lib directories where shared libraries live: /lib*, /usr/lib* and their x86_64 multiarch dirs. */
async function libDirs(files: Files): Promise<string[]> {
  const dirs: string[] = [];
  for (const base of ['/', '/usr']) {
    for (const name of await files.names(base)) {
      if (!/^lib(32|64|x32)?$/.test(name)) continue;
      const dir = base === '/' ? `/${name}` : `/usr/${name}`;
      dirs.push(dir, `${dir}/x86_64-linux-gnu`);
    }
  }
  return dirs;
}

/** The OpenSSL version a libssl soname stands for; Red Hat numbered theirs 6 (0.9.8) and 10 (1.0.x). */
function libsslVersion(name: string): number[] | undefined {
  const m = /^libssl\.so\.(\d+(?:\.\d+)*)/.exec(name);
  if (!m) return undefined;
  if (m[1] === '10') return [1, 0];
  if (m[1] === '6') return [0, 9, 8];
  return parseVersion(m[1]);
}

async function openssl(files: Files, add: Add): Promise<void> {
  let found: { version: number[]; where: string } | undefined;
  const pkgs = await files.dpkg();
  for (const p of pkgs ?? []) {
    if (p.name !== 'openssl' && !/^libssl\d/.test(p.name)) continue;
    const v = parseVersion(p.version);
    if (v && (!found || compareVersions(v, found.version) > 0)) found = { version: v, where: `dpkg package ${p.name} ${p.version}` };
  }
  if (!found) {
    for (const dir of await libDirs(files)) {
      for (const name of await files.names(dir)) {
        const v = libsslVersion(name);
        if (v && (!found || compareVersions(v, found.version) > 0)) found = { version: v, where: `${dir}/${name}` };
      }
    }
  }
  const install = 'Install OpenSSL 1.0 or later from the distribution (`sudo apt-get install openssl`, `sudo dnf install openssl` or `sudo zypper install openssl`), then shut down and capture the image again.';
  if (!found) {
    if ((await files.exists('/usr/bin/openssl')) || (await files.exists('/bin/openssl'))) {
      return add('Warning', 'openssl present, but its version could not be determined (no dpkg record or libssl.so.* found)', `Check \`openssl version\` is 1.0 or later; if not: ${install}`);
    }
    return add('Failed', 'OpenSSL not found (no openssl/libssl package in dpkg status, no libssl.so.* under /lib*, /usr/lib*)', install);
  }
  const actual = `${versionText(found.version)} (${found.where})`;
  if (compareVersions(found.version, [1, 0]) >= 0) return add('Passed', actual);
  if (compareVersions(found.version, [0, 9, 8]) >= 0) return add('Warning', actual, `OpenSSL 1.0 or later is recommended. ${install.replace('Install', 'Update to')}`);
  add('Failed', actual, install.replace('Install', 'Update to'));
}

async function python(files: Files, add: Add): Promise<void> {
  const best: { found?: { version: number[]; where: string } } = {};
  const consider = (v: number[] | undefined, where: string) => {
    if (v && (!best.found || compareVersions(v, best.found.version) > 0)) best.found = { version: v, where };
  };
  for (const p of (await files.dpkg()) ?? []) {
    if (/^python(\d(\.\d+)?)?(-minimal)?$/.test(p.name)) consider(parseVersion(p.version), `dpkg package ${p.name} ${p.version}`);
  }
  if (!best.found) {
    for (const dir of ['/usr/bin', '/bin', '/usr/libexec', '/usr/local/bin']) {
      for (const name of await files.names(dir)) {
        const m = /^(?:platform-)?python(\d\.\d+)$/.exec(name);
        if (m) consider(parseVersion(m[1]), `${dir}/${name}`);
      }
    }
  }
  const install = 'Install Python 3 from the distribution (`sudo apt-get install python3`, `sudo dnf install python3` or `sudo zypper install python3`); the Azure Linux Agent needs it. Then shut down and capture the image again.';
  const found = best.found;
  if (!found) return add('Failed', 'Python not found (no python package in dpkg status, no /usr/bin/python2.X or python3.X)', install);
  const ok = compareVersions(found.version, [2, 6]) >= 0;
  add(ok ? 'Passed' : 'Failed', `${versionText(found.version)} (${found.where})`, install);
}

// ---------------------------------------------------------------------------------------------
// LNX-102: distribution

async function distribution(files: Files, add: Add): Promise<void> {
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

// ---------------------------------------------------------------------------------------------

interface Rule {
  ids: Array<[testId: string, name: string, requiredValue: string]>;
  run: (files: Files, ...adds: Add[]) => Promise<void>;
}

const RULES: Rule[] = [
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
      // The rule's checks that were not yet decided fail, naming the file.
      for (const [testId, name, requiredValue] of rule.ids) {
        if (produced.some((c) => c.testId === testId)) continue;
        produced.push({
          testId,
          name,
          result: 'Failed',
          actualValue: `${e.path} could not be read: ${e.cause.message}`,
          requiredValue,
          remediation:
            `The filesystem is damaged at ${e.path}. Check and repair it before converting the image (\`sudo fsck -f <partition>\` on the unmounted root partition, ` +
            'e.g. after `sudo losetup -fP --show disk.raw`), make sure the file is intact, then create the VHD and upload it again.',
          disk,
        });
      }
    }
    out.push(...produced);
  }
  return out;
}
