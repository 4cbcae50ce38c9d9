/**
 * Extent trees (ext4): a 12-byte header (magic 0xF30A, entries, max, depth) then index entries
 * (depth > 0) or leaf extents. Only the subtrees covering the blocks asked for are read; every node
 * is checked (magic, entries ≤ max ≤ what fits, depth exactly one less than its parent, keys
 * increasing and within the parent's range) and a node block seen twice is a loop.
 */
import { ImageFormatError } from '../image-types';
import type { Budget, ExtContext } from './context';
import { pushRun, type Run } from './block-map';
import type { Inode } from './inode';

export const EXTENT_MAGIC = 0xf30a;
export const MAX_EXTENT_DEPTH = 5;
const ENTRY = 12;
const INIT_MAX_LEN = 32768;

interface Header {
  entries: number;
  depth: number;
}

function parseHeader(node: Buffer, where: string, capacity: number): Header {
  const magic = node.readUInt16LE(0);
  if (magic !== EXTENT_MAGIC) throw new ImageFormatError(`${where}: bad extent header magic 0x${magic.toString(16)}`);
  const entries = node.readUInt16LE(2);
  const max = node.readUInt16LE(4);
  const depth = node.readUInt16LE(6);
  if (max > capacity || entries > max) {
    throw new ImageFormatError(`${where}: extent node claims ${entries} of max ${max} entries, but only ${capacity} fit`);
  }
  if (depth > MAX_EXTENT_DEPTH) throw new ImageFormatError(`${where}: extent tree depth ${depth} exceeds ${MAX_EXTENT_DEPTH}`);
  return { entries, depth };
}

/** Runs mapping logical blocks [0, nBlocks) of an extent-mapped inode (holes are absent). */
export async function mapExtents(ctx: ExtContext, inode: Inode, nBlocks: number, budget: Budget): Promise<Run[]> {
  const runs: Run[] = [];
  if (nBlocks <= 0) return runs;
  const visited = new Set<number>();
  const where = `inode ${inode.ino}`;

  const walk = async (node: Buffer, nodeDesc: string, expectDepth: number | undefined, lo: number, hi: number): Promise<void> => {
    const capacity = Math.floor((node.length - ENTRY) / ENTRY);
    const h = parseHeader(node, nodeDesc, capacity);
    if (expectDepth !== undefined && h.depth !== expectDepth) {
      throw new ImageFormatError(`${nodeDesc}: extent node depth ${h.depth}, expected ${expectDepth}`);
    }
    let prevEnd = lo;
    for (let i = 0; i < h.entries; i++) {
      const e = ENTRY + i * ENTRY;
      const first = node.readUInt32LE(e);
      if (first < prevEnd || first >= hi) {
        throw new ImageFormatError(`${nodeDesc}: extent entry ${i} starts at logical block ${first}, out of order or outside ${lo}..${hi - 1}`);
      }
      if (h.depth === 0) {
        const raw = node.readUInt16LE(e + 4);
        if (raw === 0) throw new ImageFormatError(`${nodeDesc}: zero-length extent`);
        const uninit = raw > INIT_MAX_LEN;
        const len = uninit ? raw - INIT_MAX_LEN : raw;
        const physical = node.readUInt16LE(e + 6) * 2 ** 32 + node.readUInt32LE(e + 8);
        if (first + len > hi) throw new ImageFormatError(`${nodeDesc}: extent ${i} runs past logical block ${hi - 1}`);
        prevEnd = first + len;
        if (first >= nBlocks) break;
        ctx.checkBlocks(physical, len, `${nodeDesc} extent ${i}`);
        const take = Math.min(len, nBlocks - first);
        pushRun(runs, { logical: first, physical, length: take, uninit });
      } else {
        if (first >= nBlocks) break;
        const childHi = i + 1 < h.entries ? node.readUInt32LE(e + ENTRY) : hi;
        if (childHi <= first) throw new ImageFormatError(`${nodeDesc}: extent index keys are not increasing`);
        const leaf = node.readUInt16LE(e + 8) * 2 ** 32 + node.readUInt32LE(e + 4);
        const childDesc = `${where} extent node at block ${leaf}`;
        if (visited.has(leaf)) throw new ImageFormatError(`${childDesc}: extent tree loops`);
        visited.add(leaf);
        budget.mapBlock();
        const child = await ctx.readBlock(leaf, childDesc);
        await walk(child, childDesc, h.depth - 1, first, childHi);
        prevEnd = first + 1;
      }
    }
  };

  await walk(inode.iBlock, `${where} extent root`, undefined, 0, 2 ** 32);
  return runs;
}
