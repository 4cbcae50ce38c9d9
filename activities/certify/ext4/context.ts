/**
 * What every ext layer reads through: the device, its size, the superblock, and per-call budgets.
 * All reads are bounds-checked here, so a corrupt offset becomes an `ImageFormatError` rather than
 * a device error or a huge transfer.
 */
import type { BlockDevice } from '../../../lib/net/block-device';
import { ImageFormatError, ImageLimitError } from '../image-types';
import type { Superblock } from './superblock';

export interface ExtLimits {
  /** Inodes one call (stat, readFile, readdir…) may read. */
  maxInodeReads: number;
  /** Directory entries one call may walk (all directories it scans or indexes together). */
  maxDirEntries: number;
  /** Names one directory may hold to be indexed for lookups. */
  maxIndexedNames: number;
  /** Names all directory indexes of a filesystem keep together (least recently used dropped). */
  maxHeldNames: number;
  /** Extent/indirect tree blocks one call may read. */
  maxMapBlocks: number;
}

/** The work one public call may do; a crafted image exhausts it instead of running unbounded. */
export class Budget {
  inodeReads = 0;
  dirEntries = 0;
  mapBlocks = 0;
  constructor(readonly limits: ExtLimits) {}

  inode(): void {
    if (++this.inodeReads > this.limits.maxInodeReads) {
      throw new ImageLimitError(`more than ${this.limits.maxInodeReads} inode reads for one operation (budget exceeded: a looping or corrupt filesystem?)`);
    }
  }
  entry(): void {
    if (++this.dirEntries > this.limits.maxDirEntries) {
      throw new ImageLimitError(`more than ${this.limits.maxDirEntries} directory entries walked for one operation (budget exceeded: too many entries, or a looping or corrupt directory?)`);
    }
  }
  mapBlock(): void {
    if (++this.mapBlocks > this.limits.maxMapBlocks) {
      throw new ImageLimitError(`more than ${this.limits.maxMapBlocks} block-map blocks read for one operation (budget exceeded: a corrupt extent/indirect tree?)`);
    }
  }
}

export class ExtContext {
  constructor(
    readonly device: BlockDevice,
    readonly deviceSize: number,
    readonly sb: Superblock,
  ) {}

  get blockSize(): number {
    return this.sb.blockSize;
  }

  /** `length` bytes at `offset`, which must lie inside the filesystem. */
  async read(offset: number, length: number, what: string): Promise<Buffer> {
    const end = this.sb.blocksCount * this.sb.blockSize;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > end) {
      throw new ImageFormatError(`${what}: ${length} bytes at offset ${offset} lie outside the filesystem (${end} bytes)`);
    }
    return this.device.read(offset, length);
  }

  /** Checks that physical blocks [block, block+count) are data blocks of this filesystem. */
  checkBlocks(block: number, count: number, what: string): void {
    if (!Number.isSafeInteger(block) || count < 1 || block <= this.sb.firstDataBlock || block + count > this.sb.blocksCount) {
      throw new ImageFormatError(`${what}: blocks ${block}..${block + count - 1} lie outside the filesystem (${this.sb.blocksCount} blocks)`);
    }
  }

  async readBlock(block: number, what: string): Promise<Buffer> {
    this.checkBlocks(block, 1, what);
    return this.read(block * this.blockSize, this.blockSize, what);
  }
}
