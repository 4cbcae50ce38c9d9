/**
 * The root filesystem as the Linux checks see it: every read capped, every listing and glob
 * bounded, reads shared between checks within a memory cap, and a file the reader cannot make
 * sense of tagged with its path (`Unreadable`) so only the check that needed it fails. A listing
 * or glob past its cap fails as too many entries rather than silently looking at a sample.
 */
import { KiB, MiB } from '../../../domain/units';
import { yieldIfBusy } from '../../../lib/cooperative-yield';
import { ImageFormatError, ImageLimitError, type FileSystemReader } from '../image-types';
import { dpkgInstalled, globMatcher, type DpkgPackage } from './text-formats';

/** Cap for configuration files. */
const MAX_CONFIG_BYTES = 256 * KiB;
/** dpkg's status database is a few MB on a server install; past this its tail is not looked at. */
const MAX_DPKG_STATUS_BYTES = 8 * MiB;
/** Directory listings: enough for /usr/bin or /usr/lib/x86_64-linux-gnu of a full install. */
export const MAX_DIR_ENTRIES = 20000;
/** Paths a glob may match at any of its levels: a handful on a real system. */
export const MAX_GLOB_MATCHES = 100;
/** Names a glob may compare in all (deep patterns over directory symlink loops). */
const MAX_GLOB_NAMES = 200000;
/** File contents and listings kept for later checks, in all; the least recently used are dropped. */
const MAX_CACHED_BYTES = 16 * MiB;

/** A file the reader could not make sense of, or one past a limit, with the path that needed it. */
export class Unreadable extends Error {
  constructor(
    readonly path: string,
    override readonly cause: ImageFormatError,
  ) {
    super(`${path}: ${cause.message}`);
  }
}

const tooMany = (what: string) => new ImageLimitError(`${what} (too many entries)`);

/** The filesystem, with capped reads, errors tagged by path, and reads shared between checks. */
export class Files {
  /** Settled reads and listings, least recently used first. Checks run one at a time, so no read is in flight twice. */
  private readonly cache = new Map<string, { value: Buffer | string[] | undefined; cost: number }>();
  private cached = 0;
  private dpkgParsed?: Promise<DpkgPackage[] | undefined>;
  constructor(private readonly fs: FileSystemReader) {}

  private async tag<T>(path: string, op: () => Promise<T>): Promise<T> {
    await yieldIfBusy(); // parsing between reads holds the loop too
    try {
      return await op();
    } catch (e) {
      if (e instanceof ImageFormatError) throw new Unreadable(path, e);
      throw e;
    }
  }

  private async remember<T extends Buffer | string[] | undefined>(key: string, load: () => Promise<T>, cost: (value: T) => number): Promise<T> {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.value as T;
    }
    const value = await load();
    const c = cost(value);
    if (c <= MAX_CACHED_BYTES) {
      this.cache.set(key, { value, cost: c });
      this.cached += c;
      for (const [k, v] of this.cache) {
        if (this.cached <= MAX_CACHED_BYTES) break;
        this.cache.delete(k);
        this.cached -= v.cost;
      }
    }
    return value;
  }

  read(path: string, max = MAX_CONFIG_BYTES): Promise<Buffer | undefined> {
    return this.remember(`file ${max} ${path}`, () => this.tag(path, () => this.fs.readFile(path, max)), (b) => 64 + (b?.length ?? 0));
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

  /** The names in `dir`, sorted; none when it is missing; too many entries beyond `max`. */
  names(dir: string, max = MAX_DIR_ENTRIES): Promise<string[]> {
    const load = () =>
      this.tag(dir, async () => {
        const entries = (await this.fs.readdir(dir, max + 1)) ?? [];
        if (entries.length > max) throw tooMany(`more than ${max} entries`);
        // Code-unit order: deterministic, and cheap for 20 000 names (a collator is not).
        return entries.map((x) => x.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      });
    return this.remember(`dir ${max} ${dir}`, load, (names) => names.reduce((n, x) => n + 32 + x.length, 64));
  }

  /**
   * Paths matching a pattern whose components may hold globs (`/usr/lib/python3.*\/site-packages`),
   * sorted; too many entries when more than `maxMatches` paths match at any level.
   */
  async glob(pattern: string, maxMatches = MAX_GLOB_MATCHES): Promise<string[]> {
    let paths = ['/'];
    let compared = 0;
    for (const part of pattern.split('/').filter(Boolean)) {
      const next: string[] = [];
      const matches = /[*?[]/.test(part) ? globMatcher(part) : undefined;
      for (const base of paths) {
        const join = (name: string) => (base === '/' ? `/${name}` : `${base}/${name}`);
        if (!matches) next.push(join(part));
        else {
          const names = await this.names(base);
          compared += names.length;
          if (compared > MAX_GLOB_NAMES) throw new Unreadable(pattern, tooMany(`more than ${MAX_GLOB_NAMES} names compared`));
          for (const name of names) if (matches(name)) next.push(join(name));
        }
        if (next.length > maxMatches) throw new Unreadable(pattern, tooMany(`more than ${maxMatches} paths match`));
      }
      paths = next;
    }
    return paths;
  }

  /** dpkg's installed packages, parsed once for the checks that need them. */
  dpkg(): Promise<DpkgPackage[] | undefined> {
    this.dpkgParsed ??= this.text('/var/lib/dpkg/status', MAX_DPKG_STATUS_BYTES).then((text) => (text === undefined ? undefined : dpkgInstalled(text)));
    return this.dpkgParsed;
  }
}
