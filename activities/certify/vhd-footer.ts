/**
 * The 512-byte VHD footer (Microsoft "Virtual Hard Disk Image Format Specification"): the last
 * 512 bytes of every VHD. Pure; garbage gives a result with problems, never an exception.
 */

export const VHD_FOOTER_SIZE = 512;
export const VHD_COOKIE = 'conectix';
export const VHD_FORMAT_VERSION = 0x00010000;
export const DISK_TYPE = { none: 0, fixed: 2, dynamic: 3, differencing: 4 } as const;
const FIXED_DATA_OFFSET = 0xffffffffffffffffn;
/** Footer timestamps count seconds from 2000-01-01T00:00:00Z. */
const VHD_EPOCH_MS = Date.UTC(2000, 0, 1);

export interface VhdFooter {
  cookie: string;
  features: number;
  formatVersion: number;
  /** Offset of the dynamic header; all ones for a fixed disk. */
  dataOffset: bigint;
  timestamp: string;
  creatorApplication: string;
  creatorVersion: number;
  creatorHostOs: string;
  originalSize: number;
  /** The virtual size. */
  currentSize: number;
  geometry: { cylinders: number; heads: number; sectorsPerTrack: number };
  diskType: number;
  diskTypeName: string;
  checksum: number;
  computedChecksum: number;
  uniqueId: string;
  savedState: number;
}

export interface VhdFooterParse {
  /** Absent only when there were not 512 bytes to parse. */
  footer?: VhdFooter;
  cookieOk: boolean;
  checksumOk: boolean;
  problems: string[];
}

export function diskTypeName(type: number): string {
  return ({ 0: 'None', 2: 'Fixed', 3: 'Dynamic', 4: 'Differencing' } as Record<number, string>)[type] ?? `Unknown (${type})`;
}

/** One's complement of the sum of the footer's bytes, the checksum field (64–67) excluded. */
export function vhdFooterChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < VHD_FOOTER_SIZE && i < bytes.length; i++) if (i < 64 || i >= 68) sum += bytes[i];
  return ~sum >>> 0;
}

/** Printable ASCII of a fixed-width field (creator codes are 4 characters, e.g. `qemu`, `win `). */
function ascii(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end).replace(/[^\x20-\x7e]/g, '?');
}

function size64(buf: Buffer, at: number, name: string, problems: string[]): number {
  const v = buf.readBigUInt64BE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) problems.push(`${name} (${v}) is implausibly large`);
  return Number(v);
}

export function parseVhdFooter(bytes: Uint8Array): VhdFooterParse {
  if (bytes.length !== VHD_FOOTER_SIZE) {
    return { cookieOk: false, checksumOk: false, problems: [`expected ${VHD_FOOTER_SIZE} footer bytes, got ${bytes.length}`] };
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const problems: string[] = [];
  const cookie = ascii(buf, 0, 8);
  const cookieOk = buf.toString('latin1', 0, 8) === VHD_COOKIE;
  if (!cookieOk) problems.push(`cookie is "${cookie}", not "${VHD_COOKIE}"`);

  const checksum = buf.readUInt32BE(64);
  const computedChecksum = vhdFooterChecksum(buf);
  const checksumOk = checksum === computedChecksum;
  if (!checksumOk) problems.push(`checksum is 0x${hex32(checksum)}, computed 0x${hex32(computedChecksum)}`);

  const formatVersion = buf.readUInt32BE(12);
  if (formatVersion !== VHD_FORMAT_VERSION) problems.push(`file format version is 0x${hex32(formatVersion)}, not 0x00010000`);
  const diskType = buf.readUInt32BE(60);
  const dataOffset = buf.readBigUInt64BE(16);
  if (diskType === DISK_TYPE.fixed && dataOffset !== FIXED_DATA_OFFSET) problems.push('a fixed disk should have data offset 0xFFFFFFFFFFFFFFFF');

  const footer: VhdFooter = {
    cookie,
    features: buf.readUInt32BE(8),
    formatVersion,
    dataOffset,
    timestamp: new Date(VHD_EPOCH_MS + buf.readUInt32BE(24) * 1000).toISOString(),
    creatorApplication: ascii(buf, 28, 32),
    creatorVersion: buf.readUInt32BE(32),
    creatorHostOs: ascii(buf, 36, 40),
    originalSize: size64(buf, 40, 'original size', problems),
    currentSize: size64(buf, 48, 'current size', problems),
    geometry: { cylinders: buf.readUInt16BE(56), heads: buf[58], sectorsPerTrack: buf[59] },
    diskType,
    diskTypeName: diskTypeName(diskType),
    checksum,
    computedChecksum,
    uniqueId: buf.toString('hex', 68, 84),
    savedState: buf[84],
  };
  return { footer, cookieOk, checksumOk, problems };
}

function hex32(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}
