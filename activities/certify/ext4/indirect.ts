/**
 * ext2/3 block maps: i_block[0..11] direct, [12] single, [13] double, [14] triple indirect.
 * A zero pointer is a hole. Only the pointers covering the blocks asked for are read; the fixed
 * depth means there can be no loop, and the call's budget bounds the pointer blocks read.
 */
import type { Budget, ExtContext } from './context';
import { pushRun, type Run } from './block-map';
import type { Inode } from './inode';

const DIRECT = 12;

/** Runs mapping logical blocks [0, nBlocks) of a block-mapped inode (holes are absent). */
export async function mapIndirect(ctx: ExtContext, inode: Inode, nBlocks: number, budget: Budget): Promise<Run[]> {
  const runs: Run[] = [];
  const per = ctx.blockSize / 4;
  const where = `inode ${inode.ino}`;

  const data = (logical: number, physical: number) => {
    ctx.checkBlocks(physical, 1, `${where} block ${logical}`);
    pushRun(runs, { logical, physical, length: 1, uninit: false });
  };

  for (let i = 0; i < DIRECT && i < nBlocks; i++) {
    const p = inode.iBlock.readUInt32LE(i * 4);
    if (p) data(i, p);
  }

  /** A pointer block of `level` (1 = single indirect) whose first logical block is `base`. */
  const walk = async (ptr: number, level: number, base: number): Promise<void> => {
    if (!ptr || base >= nBlocks) return;
    budget.mapBlock();
    const block = await ctx.readBlock(ptr, `${where} indirect block (level ${level})`);
    const span = per ** (level - 1);
    for (let i = 0; i < per; i++) {
      const childBase = base + i * span;
      if (childBase >= nBlocks) break;
      const p = block.readUInt32LE(i * 4);
      if (!p) continue;
      if (level === 1) data(childBase, p);
      else await walk(p, level - 1, childBase);
    }
  };

  let base = DIRECT;
  for (let level = 1; level <= 3 && base < nBlocks; level++) {
    await walk(inode.iBlock.readUInt32LE((DIRECT + level - 1) * 4), level, base);
    base += per ** level;
  }
  return runs;
}
