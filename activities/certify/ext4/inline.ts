/**
 * Inline data (the inline_data feature): a small file's or directory's content lives in i_block
 * (60 bytes) and continues in the in-inode extended attribute `system.data`.
 */
import { ImageFormatError } from '../image-types';
import type { Inode } from './inode';

const XATTR_MAGIC = 0xea020000;
const XATTR_INDEX_SYSTEM = 7;
const GOOD_OLD_INODE_SIZE = 128;

/** The `system.data` value stored inside the inode (empty when there is none). */
export function inlineXattrData(inode: Inode): Buffer {
  const raw = inode.raw;
  const where = `inode ${inode.ino} inline data`;
  if (raw.length <= GOOD_OLD_INODE_SIZE) return Buffer.alloc(0);
  const extra = raw.readUInt16LE(0x80);
  if (extra % 4 !== 0 || GOOD_OLD_INODE_SIZE + extra > raw.length) {
    throw new ImageFormatError(`${where}: i_extra_isize ${extra} does not fit the ${raw.length}-byte inode`);
  }
  const start = GOOD_OLD_INODE_SIZE + extra;
  if (start + 4 > raw.length || raw.readUInt32LE(start) !== XATTR_MAGIC) return Buffer.alloc(0);
  const base = start + 4; // value offsets count from the first entry
  for (let off = base; off + 16 <= raw.length; ) {
    if (raw.readUInt32LE(off) === 0) break; // end of entries
    const nameLen = raw[off];
    const index = raw[off + 1];
    const valueOffs = raw.readUInt16LE(off + 2);
    const valueInum = raw.readUInt32LE(off + 4);
    const valueSize = raw.readUInt32LE(off + 8);
    if (off + 16 + nameLen > raw.length) throw new ImageFormatError(`${where}: extended attribute name runs past the inode`);
    const name = raw.toString('latin1', off + 16, off + 16 + nameLen);
    if (index === XATTR_INDEX_SYSTEM && name === 'data') {
      if (valueInum !== 0) throw new ImageFormatError(`${where}: system.data stored in another inode`);
      if (valueSize === 0) return Buffer.alloc(0);
      if (base + valueOffs + valueSize > raw.length) throw new ImageFormatError(`${where}: system.data value runs past the inode`);
      return raw.subarray(base + valueOffs, base + valueOffs + valueSize);
    }
    off += (16 + nameLen + 3) & ~3;
  }
  return Buffer.alloc(0);
}

/** The whole inline content of a file or symlink, `i_size` bytes of it. */
export function inlineFileData(inode: Inode): Buffer {
  const rest = inlineXattrData(inode);
  if (inode.size > inode.iBlock.length + rest.length) {
    throw new ImageFormatError(`inode ${inode.ino}: inline data holds ${inode.iBlock.length + rest.length} bytes but the size is ${inode.size}`);
  }
  return Buffer.concat([inode.iBlock, rest]).subarray(0, inode.size);
}
