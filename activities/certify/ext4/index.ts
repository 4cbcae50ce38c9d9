/**
 * A read-only ext2/3/4 reader over a `BlockDevice` (range reads, no mounting): superblock → group
 * descriptors → inodes → extent trees or indirect block maps → directories and paths. It treats
 * the image as hostile: every offset is checked against the superblock and the device, trees are
 * depth- and loop-checked, and each call is bounded by inode-read, directory-entry and
 * block-map budgets. Each directory is indexed once for lookups (directory-index.ts). Refused features (encryption, compression, …) give an `ImageFormatError`.
 */
import type { BlockDevice } from '../../../lib/net/block-device';
import { ImageFormatError, type FileSystemReader, type FsEntry, type FsNodeType, type FsStat } from '../image-types';
import { Budget, ExtContext, type ExtLimits } from './context';
import { readData } from './data';
import { walkDirectory } from './directory';
import { DirectoryIndex } from './directory-index';
import { InodeReader, inodeStat, nodeType, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type Inode } from './inode';
import { readLinkTarget, resolvePath } from './path';
import { hasExtMagic, parseSuperblock, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE, type Superblock } from './superblock';

export { ImageFormatError };
export type { Superblock };

export interface ExtOpenOptions {
  /** Inodes one call may read (default 20000). */
  maxInodeReads?: number;
  /** Directory entries one call may walk or index (default 250000). */
  maxDirEntries?: number;
  /** Names one directory may hold to be indexed for lookups (default 200000). */
  maxIndexedNames?: number;
  /** Names all directory indexes keep together (default 250000). */
  maxHeldNames?: number;
  /** Extent-tree / indirect blocks one call may read (default 20000). */
  maxMapBlocks?: number;
}

const FILE_TYPES: Record<number, FsNodeType> = { 1: 'file', 2: 'dir', 7: 'symlink' };

class ExtFileSystem implements FileSystemReader {
  readonly type: string;
  private readonly inodes: InodeReader;
  private readonly index: DirectoryIndex;

  constructor(
    private readonly ctx: ExtContext,
    private readonly limits: ExtLimits,
  ) {
    this.type = ctx.sb.kind;
    this.inodes = new InodeReader(ctx);
    this.index = new DirectoryIndex(ctx);
  }

  get superblock(): Superblock {
    return this.ctx.sb;
  }

  private resolve(path: string, follow: boolean, budget: Budget): Promise<Inode | undefined> {
    return resolvePath(this.ctx, this.inodes, this.index, path, follow, budget);
  }

  async stat(path: string): Promise<FsStat | undefined> {
    const inode = await this.resolve(path, true, new Budget(this.limits));
    return inode && inodeStat(inode);
  }

  async lstat(path: string): Promise<FsStat | undefined> {
    const inode = await this.resolve(path, false, new Budget(this.limits));
    return inode && inodeStat(inode);
  }

  async readlink(path: string): Promise<string | undefined> {
    const budget = new Budget(this.limits);
    const inode = await this.resolve(path, false, budget);
    if (!inode || (inode.mode & S_IFMT) !== S_IFLNK) return undefined;
    return readLinkTarget(this.ctx, inode, budget);
  }

  async readFile(path: string, maxBytes: number): Promise<Buffer | undefined> {
    const budget = new Budget(this.limits);
    const inode = await this.resolve(path, true, budget);
    if (!inode || (inode.mode & S_IFMT) !== S_IFREG) return undefined;
    return readData(this.ctx, inode, maxBytes, budget);
  }

  async readdir(path: string, maxEntries = Infinity): Promise<FsEntry[] | undefined> {
    const budget = new Budget(this.limits);
    const dir = await this.resolve(path, true, budget);
    if (!dir || (dir.mode & S_IFMT) !== S_IFDIR) return undefined;
    const found: { ino: number; name: string; fileType: number }[] = [];
    if (maxEntries > 0) {
      await walkDirectory(this.ctx, dir, budget, (e) => {
        const name = e.name.toString('utf8');
        if (name === '.' || name === '..') return false;
        found.push({ ino: e.ino, name, fileType: e.fileType });
        return found.length >= maxEntries;
      });
    }
    const out: FsEntry[] = [];
    for (const e of found) {
      // Without the filetype feature (or an unknown type) the inode says what it is.
      const type = FILE_TYPES[e.fileType] ?? (e.fileType === 0 ? nodeType((await this.inodes.get(e.ino, budget)).mode) : 'other');
      out.push({ name: e.name, type });
    }
    return out;
  }
}

/**
 * Opens the ext2/3/4 filesystem on `device` (a whole image or a partition window): undefined when
 * there is no ext superblock, `ImageFormatError` when there is one that cannot be read safely.
 */
export async function openExtFileSystem(device: BlockDevice, opts: ExtOpenOptions = {}): Promise<(FileSystemReader & { readonly superblock: Superblock }) | undefined> {
  const size = await device.size();
  if (size < SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE) return undefined;
  const buf = await device.read(SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE);
  if (!hasExtMagic(buf)) return undefined;
  const sb = parseSuperblock(buf, size);
  const limits: ExtLimits = {
    maxInodeReads: opts.maxInodeReads ?? 20000,
    maxDirEntries: opts.maxDirEntries ?? 250000,
    maxIndexedNames: opts.maxIndexedNames ?? 200000,
    maxHeldNames: opts.maxHeldNames ?? 250000,
    maxMapBlocks: opts.maxMapBlocks ?? 20000,
  };
  return new ExtFileSystem(new ExtContext(device, size, sb), limits);
}
