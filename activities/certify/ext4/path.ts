/**
 * Path resolution from the root inode: ".", "..", and symlinks followed inside the filesystem
 * (absolute targets restart at its root) up to 40 hops, as Linux does.
 */
import { yieldIfBusy } from '../../../lib/cooperative-yield';
import { ImageFormatError, ImageLimitError } from '../image-types';
import type { Budget, ExtContext } from './context';
import { isInline, readData } from './data';
import type { DirectoryIndex } from './directory-index';
import { inlineFileData } from './inline';
import { FL_EXTENTS, ROOT_INODE, S_IFDIR, S_IFLNK, S_IFMT, type Inode, type InodeReader } from './inode';

export const MAX_SYMLINK_HOPS = 40;
/** PATH_MAX: a longer symlink target is corruption. */
const MAX_LINK = 4096;

/** A symlink's target. */
export async function readLinkTarget(ctx: ExtContext, inode: Inode, budget: Budget): Promise<string> {
  const where = `symlink inode ${inode.ino}`;
  if (inode.size === 0 || inode.size >= MAX_LINK) throw new ImageFormatError(`${where}: target length ${inode.size} is invalid`);
  let bytes: Buffer;
  if (isInline(ctx, inode)) {
    bytes = inlineFileData(inode);
  } else if (inode.size < inode.iBlock.length && (inode.blocks === 0 || !(inode.flags & FL_EXTENTS))) {
    bytes = inode.iBlock.subarray(0, inode.size); // fast symlink: the target is in i_block
  } else {
    bytes = await readData(ctx, inode, inode.size, budget);
  }
  if (bytes.includes(0)) throw new ImageFormatError(`${where}: target contains a NUL byte`);
  return bytes.toString('utf8');
}

function components(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  // "a/link/" must follow the link, like "a/link/.".
  if (path.endsWith('/') && parts.length) parts.push('.');
  return parts;
}

/** The inode at `path`, or undefined when a component is missing or not a directory. */
export async function resolvePath(
  ctx: ExtContext,
  inodes: InodeReader,
  index: DirectoryIndex,
  path: string,
  followFinal: boolean,
  budget: Budget,
): Promise<Inode | undefined> {
  const root = await inodes.get(ROOT_INODE, budget);
  if ((root.mode & S_IFMT) !== S_IFDIR) throw new ImageFormatError('the root inode is not a directory');
  let stack: Inode[] = [root];
  const pending = components(path).reverse(); // a stack: next component last
  let hops = 0;
  while (pending.length) {
    const name = pending.pop()!;
    if (name === '.') continue;
    if (name === '..') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const dir = stack[stack.length - 1];
    if ((dir.mode & S_IFMT) !== S_IFDIR) return undefined;
    const ino = await index.lookup(dir, name, budget);
    if (ino === undefined) return undefined;
    const node = await inodes.get(ino, budget);
    const isLast = pending.length === 0;
    if ((node.mode & S_IFMT) === S_IFLNK && (followFinal || !isLast)) {
      if (++hops > MAX_SYMLINK_HOPS) throw new ImageLimitError('too many levels of symbolic links');
      await yieldIfBusy(); // a hop can queue a thousand components, each a lookup served from memory
      const target = await readLinkTarget(ctx, node, budget);
      if (target.startsWith('/')) stack = [root];
      pending.push(...components(target).reverse());
      continue;
    }
    stack.push(node);
  }
  return stack[stack.length - 1];
}
