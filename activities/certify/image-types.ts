/**
 * The layers certification reads through, each over the one below: a block device (net/
 * block-device.ts) → a partition table → a filesystem → OS-level checks. Every layer treats its
 * input as hostile: inconsistencies become `ImageFormatError`s (reported as Failed checks), and
 * every loop and allocation is bounded.
 */
import type { BlockDevice } from '../../lib/net/block-device';

/** The image's bytes do not make sense at this layer (corrupt, truncated, looping, too large). */
export class ImageFormatError extends Error {
  override name = 'ImageFormatError';
}

/**
 * The image may be well-formed, but reading it asks for more than certification does for one
 * image: too many entries, symbolic links that loop or chain too far, a budget spent. The message
 * names which.
 */
export class ImageLimitError extends ImageFormatError {
  override name = 'ImageLimitError';
}

export type PartitionKind = 'linux' | 'swap' | 'lvm' | 'efi' | 'bios-boot' | 'ntfs' | 'extended' | 'other';

export interface Partition {
  /** 1-based, as tools number them. */
  number: number;
  startByte: number;
  sizeBytes: number;
  kind: PartitionKind;
  /** MBR type byte as `0x83`, or the GPT type GUID (lower case). */
  typeId: string;
  /** GPT partition name, when there is one. */
  name?: string;
}

export interface PartitionTable {
  scheme: 'mbr' | 'gpt' | 'none';
  partitions: Partition[];
  /** Structural problems found (bad CRC, entry past the end, overlap…), publisher-readable. */
  problems: string[];
}

export type FsNodeType = 'file' | 'dir' | 'symlink' | 'other';

export interface FsStat {
  type: FsNodeType;
  size: number;
  /** Permission bits and type bits as in st_mode. */
  mode: number;
  uid: number;
}

export interface FsEntry {
  name: string;
  type: FsNodeType;
}

/**
 * Read-only access to a filesystem inside an image. Paths are absolute (`/etc/fstab`); symlinks are
 * followed within the filesystem (absolute targets resolve from its root) up to a hop limit.
 * Missing paths give `undefined`; corruption throws `ImageFormatError`.
 */
export interface FileSystemReader {
  /** e.g. `ext4`. */
  readonly type: string;
  stat(path: string): Promise<FsStat | undefined>;
  /** Without following a final symlink. */
  lstat(path: string): Promise<FsStat | undefined>;
  readlink(path: string): Promise<string | undefined>;
  /** At most `maxBytes` of the file's content (following symlinks); undefined if missing or not a file. */
  readFile(path: string, maxBytes: number): Promise<Buffer | undefined>;
  /** Entries of a directory (without `.` and `..`), at most `maxEntries`; undefined if missing or not a directory. */
  readdir(path: string, maxEntries?: number): Promise<FsEntry[] | undefined>;
}

/** A window onto part of a device (a partition), with its own offsets from 0. */
export function subDevice(device: BlockDevice, start: number, size: number): BlockDevice {
  return {
    get label() {
      return device.label;
    },
    get bytesRead() {
      return device.bytesRead;
    },
    get bytesServed() {
      return device.bytesServed;
    },
    size: async () => size,
    read: async (offset, length) => {
      if (offset < 0 || length < 0 || offset + length > size) {
        throw new ImageFormatError(`read of ${length} bytes at ${offset} is outside the partition (${size} bytes)`);
      }
      return device.read(start + offset, length);
    },
    close: async () => undefined,
  };
}
