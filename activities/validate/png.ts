/** The PNG signature and IHDR chunk: enough to learn a logo's size from its first 33 bytes. */
import { LOGO_SIZES, type LogoKind } from '../../domain/offer';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Signature (8) + IHDR length and type (8) + IHDR data (13) + CRC (4). */
export const PNG_HEADER_BYTES = 33;

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

export type PngParse = { ok: true; header: PngHeader } | { ok: false; problem: string };

let crcTable: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Never throws: garbage gives `{ ok: false, problem }` in words a publisher understands. */
export function parsePngHeader(bytes: Uint8Array): PngParse {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < SIGNATURE.length || !buf.subarray(0, 8).equals(SIGNATURE)) {
    return { ok: false, problem: 'is not a PNG image (the file does not start with the PNG signature)' };
  }
  if (buf.length < PNG_HEADER_BYTES) return { ok: false, problem: 'is a truncated PNG image' };
  if (buf.readUInt32BE(8) !== 13 || buf.toString('latin1', 12, 16) !== 'IHDR') {
    return { ok: false, problem: 'is not a valid PNG image (it does not start with an IHDR chunk)' };
  }
  if (crc32(buf.subarray(12, 29)) !== buf.readUInt32BE(29)) {
    return { ok: false, problem: 'is a corrupt PNG image (IHDR checksum mismatch)' };
  }
  const header: PngHeader = {
    width: buf.readUInt32BE(16),
    height: buf.readUInt32BE(20),
    bitDepth: buf[24],
    colorType: buf[25],
    interlace: buf[28],
  };
  if (header.width === 0 || header.height === 0) return { ok: false, problem: 'is a PNG image with a zero width or height' };
  return { ok: true, header };
}

/**
 * The logo rule (validate checks the publisher's file, package the copy it serves): what is wrong
 * with a `kind` logo whose first bytes are `bytes`, in words after "The … logo"; undefined when it
 * is a PNG of exactly its required size.
 */
export function logoProblem(kind: LogoKind, bytes: Uint8Array): string | undefined {
  const { width, height } = LOGO_SIZES[kind];
  const png = parsePngHeader(bytes);
  if (!png.ok) return `${png.problem}: upload a PNG of ${width}×${height} pixels`;
  const h = png.header;
  if (h.width !== width || h.height !== height) return `is ${h.width}×${h.height} pixels: it must be exactly ${width}×${height} pixels`;
  return undefined;
}
