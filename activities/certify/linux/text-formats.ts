/**
 * Pure parsers for the Linux OS-level checks (index.ts): versions, shell-style assignments,
 * key/value config files, dpkg's status database, ELF headers, sshd time values, globs. Everything
 * here works on text or bytes already read (and capped) by the caller, in time linear (or close)
 * in that input: no regular expression that can backtrack without bound on image text, and no
 * shell expansion that can grow a value without bound.
 */

/** Leading numeric parts of a version string: `1:1.1.1f-1ubuntu2` → [1, 1, 1]; undefined if none. */
export function parseVersion(text: string): number[] | undefined {
  const noEpoch = text.trim().replace(/^\d+:/, '');
  const m = /^\d+(?:\.\d+)*/.exec(noEpoch);
  return m ? m[0].split('.').map(Number) : undefined;
}

/** Compares part by part, numerically; missing parts count as 0. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export const versionText = (v: readonly number[]): string => v.join('.');

export function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Longest word shellWords builds by expansion: far beyond any kernel command line (4 KiB). */
export const MAX_WORD = 64 * 1024;

/**
 * Splits one line of POSIX shell into words, as the shell would after expansion: single quotes
 * are literal, double quotes expand `$VAR`/`${VAR}` and backslash escapes, `#` starts a comment at
 * the start of a word. Command substitution and globbing are not performed (kept as text).
 */
export function shellWords(line: string, vars: ReadonlyMap<string, string> = new Map()): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  // `X="$X$X$X…"` doubles a value per line: expansions past the cap are dropped.
  const append = (value: string) => (word ?? '').length + value.length <= MAX_WORD ? (word ?? '') + value : (word ?? '');
  const expand = (): string => {
    // at `$`
    if (line[i + 1] === '{') {
      const end = line.indexOf('}', i + 2);
      if (end < 0) {
        i++;
        return '$';
      }
      const name = line.slice(i + 2, end);
      i = end + 1;
      return vars.get(name) ?? '';
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i + 1));
    if (!m) {
      i++;
      return '$';
    }
    i += 1 + m[0].length;
    return vars.get(m[0]) ?? '';
  };
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '#' && word === undefined) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end < 0 ? line.length : end;
      word = (word ?? '') + line.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      word = word ?? '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '$`"\\'.includes(line[i + 1])) {
          word += line[i + 1];
          i += 2;
        } else if (line[i] === '$') {
          word = append(expand());
        } else {
          word += line[i++];
        }
      }
      i++;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i += 2;
    } else if (c === '$') {
      word = append(expand());
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * Variable assignments of a shell fragment such as /etc/default/grub or /etc/os-release
 * (`NAME=value`, optionally after `export`), applied in order onto `vars`. Other commands are
 * ignored; multi-line quoted values are not supported (their first line is taken).
 */
export function shellAssignments(text: string, vars: Map<string, string> = new Map()): Map<string, string> {
  for (const raw of lines(text)) {
    const line = raw.trim().replace(/^export\s+/, '');
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
    if (!m) continue;
    const value = line.slice(m[0].length);
    // The value is one shell word; an unquoted space ends it (the rest would be a command).
    const words = value === '' || /^\s/.test(value) ? [] : shellWords(value, vars);
    vars.set(m[1], words[0] ?? '');
  }
  return vars;
}

/** `key=value` lines as WALinuxAgent reads /etc/waagent.conf: `#` comments, last one wins. */
export function agentConf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).split('#')[0].trim().replace(/^["' ]+|["' ]+$/g, '');
    out.set(key, value);
  }
  return out;
}

export interface DpkgPackage {
  name: string;
  version: string;
}

/** Installed packages in dpkg's status database (paragraphs whose Status is `install ok installed`). */
export function dpkgInstalled(text: string): DpkgPackage[] {
  const out: DpkgPackage[] = [];
  for (const para of text.split(/\r?\n\r?\n/)) {
    const name = /^Package:\s*(\S+)/m.exec(para)?.[1];
    const version = /^Version:\s*(\S+)/m.exec(para)?.[1];
    const status = /^Status:\s*(.*)$/m.exec(para)?.[1];
    if (name && version && (!status || /\binstalled\s*$/.test(status.trim()) && !/not-installed|config-files/.test(status))) {
      out.push({ name: name.replace(/:.*$/, ''), version });
    }
  }
  return out;
}

export interface ElfInfo {
  bits: 32 | 64 | undefined;
  machine: number;
  machineName: string;
}

const ELF_MACHINES: Record<number, string> = {
  0x03: 'i386',
  0x08: 'mips',
  0x14: 'ppc',
  0x15: 'ppc64',
  0x16: 's390x',
  0x28: 'arm',
  0x32: 'ia64',
  0x3e: 'x86_64',
  0xb7: 'aarch64',
  0xf3: 'riscv',
  0x102: 'loongarch',
};

export const EM_X86_64 = 0x3e;

/** The class and machine of an ELF header (at least 20 bytes); undefined if not ELF. */
export function parseElfHeader(head: Buffer): ElfInfo | undefined {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const cls = head[4];
  const big = head[5] === 2;
  const machine = big ? head.readUInt16BE(18) : head.readUInt16LE(18);
  const bits = cls === 2 ? 64 : cls === 1 ? 32 : undefined;
  return { bits, machine, machineName: ELF_MACHINES[machine] ?? `machine 0x${machine.toString(16)}` };
}

/** An sshd time value (`180`, `3m`, `1m30s`) in seconds; undefined if malformed. */
export function sshdSeconds(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  // Every group but the last ends in a unit, so there is one way to split: no backtracking blow-up
  // (`(\d+[smhdw]?)+$` took minutes on 30 digits and an x).
  if (!/^(?:\d+[smhdwSMHDW])*\d+[smhdwSMHDW]?$/.test(value)) return undefined;
  let total = 0;
  for (const m of value.matchAll(/(\d+)([smhdwSMHDW]?)/g)) total += Number(m[1]) * (units[m[2].toLowerCase()] ?? 1);
  return total;
}

type GlobToken = { star: true } | { star: false; test: (c: string) => boolean };

/** The tokens of one path component's glob: `*`, `?`, `[...]` (`[!...]` negated, ranges), literals. */
function globTokens(glob: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    const end = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') {
      if (!tokens.at(-1)?.star) tokens.push({ star: true }); // `**` is `*`
    } else if (c === '?') tokens.push({ star: false, test: () => true });
    else if (end > 0) {
      const body = glob.slice(i + 1, end);
      const negated = body.startsWith('!');
      const set = negated ? body.slice(1) : body;
      const inSet = (ch: string) => {
        for (let k = 0; k < set.length; k++) {
          if (set[k + 1] === '-' && k + 2 < set.length) {
            if (ch >= set[k] && ch <= set[k + 2]) return true;
            k += 2;
          } else if (set[k] === ch) return true;
        }
        return false;
      };
      tokens.push({ star: false, test: (ch) => inSet(ch) !== negated });
      i = end;
    } else tokens.push({ star: false, test: (ch) => ch === c });
  }
  return tokens;
}

/**
 * A glob of one path component (`*`, `?`, `[...]`) as a matcher. Matching backtracks only to the
 * last `*`, so it takes at most name × pattern steps; a regular expression built from a pattern
 * in the image (sshd's Include) could take exponential time.
 */
export function globMatcher(glob: string): (name: string) => boolean {
  const tokens = globTokens(glob);
  return (name) => {
    let t = 0;
    let n = 0;
    let starT = -1;
    let starN = 0;
    while (n < name.length) {
      const tok = tokens[t];
      if (tok?.star) {
        starT = t++;
        starN = n;
      } else if (tok && tok.test(name[n])) {
        t++;
        n++;
      } else if (starT >= 0) {
        t = starT + 1;
        n = ++starN;
      } else return false;
    }
    while (tokens[t]?.star) t++;
    return t === tokens.length;
  };
}

const natural = new Intl.Collator('en', { numeric: true });

/** Compares names the way `sort -V` roughly does (numbers by value), for boot entries. */
export const naturalCompare = (a: string, b: string): number => natural.compare(a, b);
