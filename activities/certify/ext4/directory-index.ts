/**
 * Name lookups without rescanning: a directory is walked once into a Map (name → inode number)
 * and later lookups in it cost one Map access, so a path through a directory of 100 000 entries,
 * looked up thousands of times (globs, symlink chains), is not quadratic. Bounded: a directory
 * with more than `maxIndexedNames` names is refused as too many entries, and all indexes together
 * keep at most `maxHeldNames` names (the least recently used directories are dropped and walked
 * again if needed, against the caller's budget).
 */
import { ImageLimitError } from '../image-types';
import type { Budget, ExtContext } from './context';
import { walkDirectory } from './directory';
import type { Inode } from './inode';

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

export class DirectoryIndex {
  /** Directory inode → (name bytes as latin1 → inode number), in least-recently-used order. */
  private readonly dirs = new Map<number, Map<string, number>>();
  private held = 0;

  constructor(private readonly ctx: ExtContext) {}

  /** The inode number of `name` in `dir`, or undefined. */
  async lookup(dir: Inode, name: string, budget: Budget): Promise<number | undefined> {
    const names = await this.names(dir, budget);
    // The key is the name's UTF-8 bytes as latin1, which for ASCII is the name itself.
    return names.get(ASCII.test(name) ? name : Buffer.from(name, 'utf8').toString('latin1'));
  }

  private async names(dir: Inode, budget: Budget): Promise<Map<string, number>> {
    const hit = this.dirs.get(dir.ino);
    if (hit) {
      this.dirs.delete(dir.ino);
      this.dirs.set(dir.ino, hit); // most recently used
      return hit;
    }
    const { maxIndexedNames, maxHeldNames } = budget.limits;
    const names = new Map<string, number>();
    await walkDirectory(this.ctx, dir, budget, (e) => {
      // latin1 keeps every byte as one character: names that are not UTF-8 still compare exactly.
      const key = e.name.toString('latin1');
      if (!names.has(key)) names.set(key, e.ino); // a duplicate name (corruption): the first wins, as a scan would find it
      if (names.size > maxIndexedNames) {
        throw new ImageLimitError(`directory inode ${dir.ino} holds more than ${maxIndexedNames} entries (too many entries)`);
      }
    });
    while (this.dirs.size && this.held + names.size > maxHeldNames) {
      const [oldest, dropped] = this.dirs.entries().next().value as [number, Map<string, number>];
      this.dirs.delete(oldest);
      this.held -= dropped.size;
    }
    this.dirs.set(dir.ino, names);
    this.held += names.size;
    return names;
  }
}
