/**
 * The ext2/3/4 superblock (1024 bytes at byte 1024): geometry and feature flags. Everything later
 * layers compute offsets from is validated here, so a hostile value fails once, with a message.
 */
import { ImageFormatError } from '../image-types';

export const SUPERBLOCK_OFFSET = 1024;
export const SUPERBLOCK_SIZE = 1024;
export const EXT_MAGIC = 0xef53;

// s_feature_compat
export const COMPAT_HAS_JOURNAL = 0x4;
export const COMPAT_SPARSE_SUPER2 = 0x200;
// s_feature_ro_compat
export const RO_COMPAT_SPARSE_SUPER = 0x1;
export const RO_COMPAT_LARGE_FILE = 0x2;
export const RO_COMPAT_HUGE_FILE = 0x8;
export const RO_COMPAT_GDT_CSUM = 0x10;
export const RO_COMPAT_DIR_NLINK = 0x20;
export const RO_COMPAT_EXTRA_ISIZE = 0x40;
export const RO_COMPAT_METADATA_CSUM = 0x400;
// s_feature_incompat
export const INCOMPAT_COMPRESSION = 0x1;
export const INCOMPAT_FILETYPE = 0x2;
export const INCOMPAT_RECOVER = 0x4;
export const INCOMPAT_JOURNAL_DEV = 0x8;
export const INCOMPAT_META_BG = 0x10;
export const INCOMPAT_EXTENTS = 0x40;
export const INCOMPAT_64BIT = 0x80;
export const INCOMPAT_MMP = 0x100;
export const INCOMPAT_FLEX_BG = 0x200;
export const INCOMPAT_EA_INODE = 0x400;
export const INCOMPAT_DIRDATA = 0x1000;
export const INCOMPAT_CSUM_SEED = 0x2000;
export const INCOMPAT_LARGEDIR = 0x4000;
export const INCOMPAT_INLINE_DATA = 0x8000;
export const INCOMPAT_ENCRYPT = 0x10000;
export const INCOMPAT_CASEFOLD = 0x20000;

/** Incompatible features this reader understands (or that do not change how it reads). */
const SUPPORTED_INCOMPAT =
  INCOMPAT_FILETYPE |
  INCOMPAT_RECOVER |
  INCOMPAT_META_BG |
  INCOMPAT_EXTENTS |
  INCOMPAT_64BIT |
  INCOMPAT_MMP |
  INCOMPAT_FLEX_BG |
  INCOMPAT_EA_INODE |
  INCOMPAT_CSUM_SEED |
  INCOMPAT_LARGEDIR |
  INCOMPAT_INLINE_DATA |
  INCOMPAT_CASEFOLD;

const REFUSED_INCOMPAT: [number, string][] = [
  [INCOMPAT_COMPRESSION, 'compression'],
  [INCOMPAT_JOURNAL_DEV, 'journal_dev (this is an external journal, not a filesystem)'],
  [INCOMPAT_DIRDATA, 'dirdata'],
  [INCOMPAT_ENCRYPT, 'encrypt'],
];

export interface Superblock {
  inodesCount: number;
  blocksCount: number;
  firstDataBlock: number;
  blockSize: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  groupCount: number;
  inodeSize: number;
  /** Group descriptor size: 32, or s_desc_size with the 64bit feature. */
  descSize: number;
  firstMetaBg: number;
  compat: number;
  incompat: number;
  roCompat: number;
  /** `ext2`, `ext3` or `ext4`, from the features. */
  kind: 'ext2' | 'ext3' | 'ext4';
}

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** Whether the buffer (the 1024 bytes at byte 1024) carries the ext magic. */
export function hasExtMagic(buf: Buffer): boolean {
  return buf.length >= 58 && buf.readUInt16LE(56) === EXT_MAGIC;
}

/** Parses and validates the superblock; `deviceSize` bounds the filesystem. */
export function parseSuperblock(buf: Buffer, deviceSize: number): Superblock {
  const bad = (what: string) => new ImageFormatError(`ext superblock: ${what}`);
  if (!hasExtMagic(buf) || buf.length < SUPERBLOCK_SIZE) throw bad('no ext2/3/4 magic');
  const u32 = (o: number) => buf.readUInt32LE(o);
  const u16 = (o: number) => buf.readUInt16LE(o);

  const logBlockSize = u32(0x18);
  if (logBlockSize > 6) throw bad(`block size 2^(10+${logBlockSize}) is not between 1 KiB and 64 KiB`);
  const blockSize = 1024 << logBlockSize;

  const compat = u32(0x5c);
  const incompat = u32(0x60);
  const roCompat = u32(0x64);
  for (const [flag, name] of REFUSED_INCOMPAT) {
    if (incompat & flag) throw bad(`the filesystem uses the "${name}" feature, which cannot be read safely`);
  }
  const unknown = incompat & ~SUPPORTED_INCOMPAT;
  if (unknown) throw bad(`unknown incompatible feature flags 0x${unknown.toString(16)}`);

  const revLevel = u32(0x4c);
  const inodeSize = revLevel === 0 ? 128 : u16(0x58);
  if (!isPow2(inodeSize) || inodeSize < 128 || inodeSize > blockSize) {
    throw bad(`inode size ${inodeSize} is not a power of two between 128 and the block size ${blockSize}`);
  }

  const is64 = (incompat & INCOMPAT_64BIT) !== 0;
  let descSize = 32;
  if (is64) {
    descSize = u16(0xfe);
    if (!isPow2(descSize) || descSize < 64 || descSize > Math.min(1024, blockSize)) {
      throw bad(`group descriptor size ${descSize} is invalid for a 64bit filesystem`);
    }
  }

  const blocksCount = u32(0x04) + (is64 ? u32(0x150) * 2 ** 32 : 0);
  const inodesCount = u32(0x00);
  const firstDataBlock = u32(0x14);
  const blocksPerGroup = u32(0x20);
  const inodesPerGroup = u32(0x28);

  if (firstDataBlock !== (blockSize === 1024 ? 1 : 0)) {
    // mke2fs writes 1 for 1 KiB blocks (the superblock is block 1) and 0 otherwise.
    throw bad(`first data block ${firstDataBlock} does not match the block size ${blockSize}`);
  }
  if (blocksPerGroup < 8 || blocksPerGroup > blockSize * 8 || blocksPerGroup % 8 !== 0) {
    throw bad(`${blocksPerGroup} blocks per group is invalid for ${blockSize}-byte blocks`);
  }
  if (inodesPerGroup < 1 || inodesPerGroup > blockSize * 8) {
    throw bad(`${inodesPerGroup} inodes per group is invalid for ${blockSize}-byte blocks`);
  }
  if (blocksCount <= firstDataBlock + 1 || !Number.isSafeInteger(blocksCount * blockSize)) {
    throw bad(`block count ${blocksCount} is invalid`);
  }
  const fsBytes = blocksCount * blockSize;
  if (fsBytes > deviceSize) {
    throw bad(`the filesystem claims ${fsBytes} bytes (${blocksCount} blocks of ${blockSize}) but the image/partition holds only ${deviceSize}: truncated?`);
  }
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (inodesCount < 11 || inodesCount > groupCount * inodesPerGroup) {
    throw bad(`inode count ${inodesCount} does not fit ${groupCount} groups of ${inodesPerGroup} inodes`);
  }
  const firstMetaBg = u32(0x104);
  if (incompat & INCOMPAT_META_BG && compat & COMPAT_SPARSE_SUPER2) {
    throw bad('meta_bg together with sparse_super2 is not supported');
  }

  const ext4Incompat = INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG | INCOMPAT_INLINE_DATA | INCOMPAT_LARGEDIR | INCOMPAT_CSUM_SEED | INCOMPAT_EA_INODE | INCOMPAT_CASEFOLD | INCOMPAT_MMP;
  const ext4RoCompat = RO_COMPAT_HUGE_FILE | RO_COMPAT_GDT_CSUM | RO_COMPAT_DIR_NLINK | RO_COMPAT_EXTRA_ISIZE | RO_COMPAT_METADATA_CSUM;
  const kind = incompat & ext4Incompat || roCompat & ext4RoCompat ? 'ext4' : compat & COMPAT_HAS_JOURNAL ? 'ext3' : 'ext2';

  return {
    inodesCount,
    blocksCount,
    firstDataBlock,
    blockSize,
    blocksPerGroup,
    inodesPerGroup,
    groupCount,
    inodeSize,
    descSize,
    firstMetaBg,
    compat,
    incompat,
    roCompat,
    kind,
  };
}
