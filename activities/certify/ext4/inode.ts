/** Inodes: read by number through the group descriptors, parsed into the fields the reader uses. */
import type { FsNodeType, FsStat } from '../image-types';
import { ImageFormatError } from '../image-types';
import type { Budget, ExtContext } from './context';
import { inodeTableBlock } from './group-descriptors';

export const ROOT_INODE = 2;

export const S_IFMT = 0xf000;
export const S_IFREG = 0x8000;
export const S_IFDIR = 0x4000;
export const S_IFLNK = 0xa000;

// i_flags
export const FL_INDEX = 0x1000; // htree directory
export const FL_EXTENTS = 0x80000;
export const FL_INLINE_DATA = 0x10000000;
export const FL_ENCRYPT = 0x800;
export const FL_VERITY = 0x100000;

export interface Inode {
  ino: number;
  mode: number;
  uid: number;
  size: number;
  flags: number;
  /** i_blocks (512-byte units unless huge_file) — only compared with 0. */
  blocks: number;
  /** The 60-byte i_block area (block map, extent root, fast symlink or inline data). */
  iBlock: Buffer;
  /** The whole on-disk inode (for in-inode extended attributes). */
  raw: Buffer;
}

export function nodeType(mode: number): FsNodeType {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return 'file';
    case S_IFDIR:
      return 'dir';
    case S_IFLNK:
      return 'symlink';
    default:
      return 'other';
  }
}

export function inodeStat(inode: Inode): FsStat {
  return { type: nodeType(inode.mode), size: inode.size, mode: inode.mode, uid: inode.uid };
}

export function parseInode(ino: number, raw: Buffer): Inode {
  const sizeHi = raw.readUInt32LE(0x6c);
  if (sizeHi >= 2 ** 21) throw new ImageFormatError(`inode ${ino}: size is larger than 2^53 bytes`);
  const flags = raw.readUInt32LE(0x20);
  return {
    ino,
    mode: raw.readUInt16LE(0x00),
    uid: raw.readUInt16LE(0x02) + raw.readUInt16LE(0x78) * 0x10000,
    size: raw.readUInt32LE(0x04) + sizeHi * 2 ** 32,
    flags,
    blocks: raw.readUInt32LE(0x1c) + raw.readUInt16LE(0x74) * 2 ** 32,
    iBlock: raw.subarray(0x28, 0x28 + 60),
    raw,
  };
}

/**
 * Inode `ino` (1..inodes_count). A small cache per reader keeps repeated lookups free; only
 * actual reads count against the call's budget.
 */
export class InodeReader {
  private readonly cache = new Map<number, Inode>();
  constructor(
    private readonly ctx: ExtContext,
    private readonly cacheSize = 512,
  ) {}

  async get(ino: number, budget: Budget): Promise<Inode> {
    const { sb } = this.ctx;
    if (!Number.isSafeInteger(ino) || ino < 1 || ino > sb.inodesCount) {
      throw new ImageFormatError(`inode number ${ino} is outside 1..${sb.inodesCount}`);
    }
    const hit = this.cache.get(ino);
    if (hit) return hit;
    budget.inode();
    const group = Math.floor((ino - 1) / sb.inodesPerGroup);
    const index = (ino - 1) % sb.inodesPerGroup;
    const table = await inodeTableBlock(this.ctx, group);
    const raw = await this.ctx.read(table * sb.blockSize + index * sb.inodeSize, sb.inodeSize, `inode ${ino}`);
    const inode = parseInode(ino, Buffer.from(raw)); // own copy: the device may hand out views of its cache
    this.cache.set(ino, inode);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as number);
    return inode;
  }
}
