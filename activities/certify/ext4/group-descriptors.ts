/**
 * Block group descriptors (32 bytes, or s_desc_size with 64bit): where each group's inode table
 * is. Read lazily, one descriptor at a time (the device caches), so a filesystem with thousands of
 * groups costs nothing up front.
 */
import { ImageFormatError } from '../image-types';
import type { ExtContext } from './context';
import { COMPAT_SPARSE_SUPER2, INCOMPAT_META_BG, RO_COMPAT_SPARSE_SUPER, type Superblock } from './superblock';

function isPowerOf(n: number, base: number): boolean {
  while (n > 1 && n % base === 0) n /= base;
  return n === 1;
}

/** Whether group `g` holds a superblock backup (and so descriptors after it, with meta_bg). */
function groupHasSuper(sb: Superblock, g: number): boolean {
  if (g === 0) return true;
  if (sb.compat & COMPAT_SPARSE_SUPER2) return false; // refused with meta_bg in parseSuperblock
  if (!(sb.roCompat & RO_COMPAT_SPARSE_SUPER)) return true;
  if (g === 1) return true;
  return isPowerOf(g, 3) || isPowerOf(g, 5) || isPowerOf(g, 7);
}

/** The block holding group `g`'s descriptor, and the descriptor's offset in it. */
export function descriptorLocation(sb: Superblock, g: number): { block: number; offset: number } {
  const perBlock = sb.blockSize / sb.descSize;
  const descBlock = Math.floor(g / perBlock);
  const offset = (g % perBlock) * sb.descSize;
  if (sb.incompat & INCOMPAT_META_BG && descBlock >= sb.firstMetaBg) {
    const first = descBlock * perBlock; // first group of this meta group
    const block = sb.firstDataBlock + first * sb.blocksPerGroup + (groupHasSuper(sb, first) ? 1 : 0);
    return { block, offset };
  }
  return { block: sb.firstDataBlock + 1 + descBlock, offset };
}

/** First block of group `g`'s inode table. */
export async function inodeTableBlock(ctx: ExtContext, g: number): Promise<number> {
  const { sb } = ctx;
  if (!Number.isSafeInteger(g) || g < 0 || g >= sb.groupCount) throw new ImageFormatError(`block group ${g} does not exist`);
  const { block, offset } = descriptorLocation(sb, g);
  ctx.checkBlocks(block, 1, `group descriptor ${g}`);
  const d = await ctx.read(block * sb.blockSize + offset, sb.descSize, `group descriptor ${g}`);
  const table = d.readUInt32LE(0x08) + (sb.descSize >= 64 ? d.readUInt32LE(0x28) * 2 ** 32 : 0);
  const tableBlocks = Math.ceil((sb.inodesPerGroup * sb.inodeSize) / sb.blockSize);
  if (table <= sb.firstDataBlock || table + tableBlocks > sb.blocksCount) {
    throw new ImageFormatError(`group descriptor ${g}: inode table at block ${table} (${tableBlocks} blocks) lies outside the filesystem (${sb.blocksCount} blocks)`);
  }
  return table;
}
