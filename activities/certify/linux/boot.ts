/**
 * LNX-040 / LNX-103: the kernel command line (serial console, rootdelay), both in the entry that
 * boots (grub.cfg / BLS entry) and in /etc/default/grub(.d), which the next kernel update
 * regenerates it from.
 */
import type { Files } from './fs-reader';
import type { Add } from './outcome';
import { lines, naturalCompare, shellAssignments, shellWords } from './text-formats';

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

export async function kernelCmdline(files: Files, consoleAdd: Add, rootdelayAdd: Add): Promise<void> {
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
