/**
 * The root filesystem as the Linux checks see it: every read capped, every listing bounded, reads
 * shared between checks, and a file the reader cannot make sense of tagged with its path
 * (`Unreadable`) so only the check that needed it fails.
 */
import { KiB, MiB } from '../../../domain/units';
import { ImageFormatError, type FileSystemReader } from '../image-types';
import { dpkgInstalled, globRegExp, naturalCompare, type DpkgPackage } from './text-formats';

/** Cap for configuration files. */
const MAX_CONFIG_BYTES = 256 * KiB;
/** dpkg's status database is a few MB on a server install; past this its tail is not looked at. */
const MAX_DPKG_STATUS_BYTES = 8 * MiB;
/** Directory listings: enough for /usr/bin or /usr/lib/x86_64-linux-gnu of a full install. */
const MAX_DIR_ENTRIES = 20000;

/** A file the reader could not make sense of, with the path that needed it. */
export class Unreadable extends Error {
  constructor(
    readonly path: string,
    override readonly cause: ImageFormatError,
  ) {
    super(`${path}: ${cause.message}`);
  }
}

/** The filesystem, with capped reads, errors tagged by path, and reads shared between checks. */
export class Files {
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
