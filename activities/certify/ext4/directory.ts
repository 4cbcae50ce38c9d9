/**
 * Directories, read linearly: every block is a chain of entries (inode u32, rec_len u16, name_len,
 * file_type, name). htree (dir_index) directories read the same way: their index blocks look like
 * one empty entry covering the block, and the root's ".." entry covers the index data. Inline
 * directories keep their entries in i_block (after the parent's inode number) and system.data.
 * Lookups by name go through directory-index.ts, which walks each directory once.
 */
import { ImageFormatError } from '../image-types';
import type { Budget, ExtContext } from './context';
import { isInline, mapBlocks } from './data';
import { inlineXattrData } from './inline';
import type { Inode } from './inode';
import { INCOMPAT_FILETYPE } from './superblock';

export interface DirEntry {
  ino: number;
  name: Buffer;
  /** ext file_type (1 file, 2 dir, 7 symlink…), 0 when unknown or without the filetype feature. */
  fileType: number;
}

/** Return true to stop the walk. */
export type EntryVisitor = (e: DirEntry) => boolean | void;

/** Walks the entries of one directory block (or inline region); true when the visitor stopped it. */
export function parseEntries(ctx: ExtContext, region: Buffer, where: string, budget: Budget, visit: EntryVisitor): boolean {
  const hasType = (ctx.sb.incompat & INCOMPAT_FILETYPE) !== 0;
  const big = ctx.blockSize === 65536;
  for (let off = 0; off < region.length; ) {
    if (off + 8 > region.length) throw new ImageFormatError(`${where}: directory entry at ${off} is cut off`);
    const ino = region.readUInt32LE(off);
    let rec = region.readUInt16LE(off + 4);
    if (big && (rec === 0 || rec === 65535)) rec = 65536;
    const nameLen = region[off + 6] + (hasType ? 0 : region[off + 7] << 8);
    const fileType = hasType ? region[off + 7] : 0;
    if (rec < 8 || rec % 4 !== 0 || off + rec > region.length) {
      throw new ImageFormatError(`${where}: directory entry at ${off} has invalid rec_len ${rec}`);
    }
    if (nameLen > rec - 8) throw new ImageFormatError(`${where}: directory entry at ${off} has name_len ${nameLen} beyond its rec_len ${rec}`);
    budget.entry();
    if (ino !== 0) {
      if (ino > ctx.sb.inodesCount) throw new ImageFormatError(`${where}: directory entry at ${off} names inode ${ino} (> ${ctx.sb.inodesCount})`);
      const name = region.subarray(off + 8, off + 8 + nameLen);
      if (nameLen === 0 || name.includes(0x2f) || name.includes(0)) {
        throw new ImageFormatError(`${where}: directory entry at ${off} has an invalid name`);
      }
      if (visit({ ino, name, fileType })) return true;
    }
    off += rec;
  }
  return false;
}

/** Walks all entries of a directory inode (including "." and ".."), stopping when the visitor says so. */
export async function walkDirectory(ctx: ExtContext, dir: Inode, budget: Budget, visit: EntryVisitor): Promise<void> {
  const where = `directory inode ${dir.ino}`;
  if (isInline(ctx, dir)) {
    if (parseEntries(ctx, dir.iBlock.subarray(4), `${where} (inline)`, budget, visit)) return;
    const rest = inlineXattrData(dir);
    if (rest.length) parseEntries(ctx, rest, `${where} (inline xattr)`, budget, visit);
    return;
  }
  const bs = ctx.blockSize;
  if (dir.size % bs !== 0) throw new ImageFormatError(`${where}: size ${dir.size} is not a multiple of the block size`);
  // Every block holds at least one entry, so the entry budget also bounds the blocks worth mapping.
  const nBlocks = Math.min(dir.size / bs, budget.limits.maxDirEntries - budget.dirEntries + 1);
  const runs = await mapBlocks(ctx, dir, nBlocks, budget);
  const seen = new Set<number>();
  for (const run of runs) {
    if (run.uninit) continue;
    for (let i = 0; i < run.length; i++) {
      const phys = run.physical + i;
      if (seen.has(phys)) throw new ImageFormatError(`${where}: block ${phys} appears twice (loop)`);
      seen.add(phys);
      const block = await ctx.readBlock(phys, `${where} block ${run.logical + i}`);
      if (parseEntries(ctx, block, `${where} block ${run.logical + i}`, budget, visit)) return;
    }
  }
}
