/** A file's content: block map (extents or indirect) → bounded reads, holes and unwritten extents as zeros. */
import { MiB } from '../../../domain/units';
import { ImageFormatError } from '../image-types';
import type { Run } from './block-map';
import type { Budget, ExtContext } from './context';
import { mapExtents } from './extents';
import { mapIndirect } from './indirect';
import { inlineFileData } from './inline';
import { FL_EXTENTS, FL_INLINE_DATA, type Inode } from './inode';
import { INCOMPAT_EXTENTS, INCOMPAT_INLINE_DATA } from './superblock';

/** Most bytes moved by one device read while copying file data. */
const CHUNK = MiB;

export function isInline(ctx: ExtContext, inode: Inode): boolean {
  if (!(inode.flags & FL_INLINE_DATA)) return false;
  if (!(ctx.sb.incompat & INCOMPAT_INLINE_DATA)) throw new ImageFormatError(`inode ${inode.ino}: inline data flag without the inline_data feature`);
  return true;
}

/** Runs for logical blocks [0, nBlocks). */
export function mapBlocks(ctx: ExtContext, inode: Inode, nBlocks: number, budget: Budget): Promise<Run[]> {
  if (inode.flags & FL_EXTENTS) {
    if (!(ctx.sb.incompat & INCOMPAT_EXTENTS)) throw new ImageFormatError(`inode ${inode.ino}: extents flag without the extents feature`);
    return mapExtents(ctx, inode, nBlocks, budget);
  }
  return mapIndirect(ctx, inode, nBlocks, budget);
}

/** The first min(i_size, maxBytes) bytes of the inode's content. */
export async function readData(ctx: ExtContext, inode: Inode, maxBytes: number, budget: Budget): Promise<Buffer> {
  const length = Math.max(0, Math.min(inode.size, Math.floor(maxBytes)));
  if (isInline(ctx, inode)) return Buffer.from(inlineFileData(inode).subarray(0, length));
  const bs = ctx.blockSize;
  const out = Buffer.alloc(length); // bounded by the caller's maxBytes, not by i_size alone
  if (length === 0) return out;
  const runs = await mapBlocks(ctx, inode, Math.ceil(length / bs), budget);
  for (const run of runs) {
    if (run.uninit) continue; // already zeros
    const start = run.logical * bs;
    const end = Math.min(length, (run.logical + run.length) * bs);
    for (let pos = start; pos < end; pos += CHUNK) {
      const n = Math.min(CHUNK, end - pos);
      const buf = await ctx.read(run.physical * bs + (pos - start), n, `inode ${inode.ino} data`);
      buf.copy(out, pos);
    }
  }
  return out;
}
