/**
 * A read-only block device over an image URL: `file:` (positional reads) or HTTP(S) range
 * requests under the URL policy. Certification reads a few KiB of a multi-GB image through it;
 * a partition/filesystem reader can build on `read`. Blocks are cached (LRU) so small
 * neighbouring reads cost one transfer.
 *
 * Every read, cache hit or not, is work a hostile image can multiply: each one counts against the
 * served-bytes budget, checks the abort signal (cancel, deadline), yields the event loop when it
 * has been held for a slice, and reports progress at least once a second.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KiB } from '../../domain/units';
import { yieldIfBusy } from '../cooperative-yield';
import {
  assertUrlAllowed,
  httpStatusProblem,
  policedFetch,
  redactUrl,
  UrlFetchError,
  UrlPolicyError,
  type UrlPolicy,
} from './url-policy';

export interface BlockDevice {
  /** The URL without query (safe to show). */
  readonly label: string;
  /** Bytes actually transferred so far. */
  readonly bytesRead: number;
  /** Bytes handed out by `read` so far, from the cache or not. */
  readonly bytesServed: number;
  size(): Promise<number>;
  /** Exactly `length` bytes at `offset`; reading past the end is an error. */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface BlockDeviceOptions {
  policy: UrlPolicy;
  /** Cache block size in bytes (default 64 KiB). */
  blockSize?: number;
  /** Cached blocks kept (default 64). */
  cacheBlocks?: number;
  /** Most bytes this device may transfer; beyond it reads fail. */
  maxBytes?: number;
  /** Most bytes `read` may hand out, cache hits included; beyond it reads fail. */
  maxBytesServed?: number;
  /** Checked on every read: cancellation, a deadline. */
  signal?: AbortSignal;
  /** Called with the bytes transferred so far, after a transfer and at least every second of reading (for heartbeats). */
  onProgress?: (bytesRead: number) => void;
}

const PROGRESS_EVERY_MS = 1000;

/** The image cannot be read as required; the message is meant for the publisher. */
export class BlockDeviceError extends Error {
  override name = 'BlockDeviceError';
}

/** A read would go past one of the device's byte budgets (the message says which). */
export class BudgetExceededError extends BlockDeviceError {
  override name = 'BudgetExceededError';
}

/** Errors that describe a problem with the publisher's URL or image, not a bug of ours. */
export function isImageAccessError(err: unknown): err is Error {
  return err instanceof BlockDeviceError || err instanceof UrlPolicyError || err instanceof UrlFetchError;
}

abstract class CachedBlockDevice implements BlockDevice {
  bytesRead = 0;
  bytesServed = 0;
  private lastProgress = performance.now();
  private sizeP?: Promise<number>;
  private readonly cache = new Map<number, Promise<Buffer>>();
  private readonly blockSize: number;
  private readonly cacheBlocks: number;

  constructor(
    readonly label: string,
    protected readonly opts: BlockDeviceOptions,
  ) {
    this.blockSize = opts.blockSize ?? 64 * KiB;
    this.cacheBlocks = Math.max(1, opts.cacheBlocks ?? 64);
  }

  /** The device size, learned once. */
  protected abstract probeSize(): Promise<number>;
  /** Transfers exactly [offset, offset+length) and adds what it moved to `bytesRead`. */
  protected abstract transfer(offset: number, length: number): Promise<Buffer>;
  abstract close(): Promise<void>;

  size(): Promise<number> {
    if (!this.sizeP) {
      this.sizeP = this.probeSize();
      this.sizeP.catch(() => (this.sizeP = undefined));
    }
    return this.sizeP;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new BlockDeviceError(`${this.label}: invalid read of ${length} bytes at offset ${offset}.`);
    }
    await this.pace();
    const served = this.opts.maxBytesServed;
    if (served !== undefined && this.bytesServed + length > served) {
      throw new BudgetExceededError(`${this.label}: reading ${length} more bytes would exceed the budget of ${served} bytes read from this image (cache hits included).`);
    }
    this.bytesServed += length;
    const size = await this.size();
    if (offset + length > size) {
      throw new BlockDeviceError(`${this.label}: read of ${length} bytes at offset ${offset} is past the end (${size} bytes).`);
    }
    if (length === 0) return Buffer.alloc(0);
    const bs = this.blockSize;
    const first = Math.floor(offset / bs);
    const last = Math.floor((offset + length - 1) / bs);
    // A read larger than the cache would only evict everything: go direct.
    if (last - first + 1 > this.cacheBlocks) return this.fetch(offset, length);

    const parts: Promise<Buffer>[] = [];
    for (let b = first; b <= last; ) {
      const hit = this.cache.get(b);
      if (hit) {
        this.cache.delete(b);
        this.cache.set(b, hit); // most recently used
        parts.push(hit);
        b++;
        continue;
      }
      // Coalesce a run of missing blocks into one transfer.
      let end = b;
      while (end < last && !this.cache.has(end + 1)) end++;
      const start = b * bs;
      const run = this.fetch(start, Math.min(size, (end + 1) * bs) - start);
      const single = b === end;
      for (let k = b; k <= end; k++) {
        const rel = (k - b) * bs;
        // A block of a longer run gets its own copy: a view would keep the whole run alive, and the
        // cache would hold far more than cacheBlocks × blockSize.
        const p = run.then((buf) => (single ? buf : Buffer.from(buf.subarray(rel, rel + bs))));
        this.remember(k, p);
        parts.push(p);
      }
      b = end + 1;
    }
    const blocks = await Promise.all(parts);
    const skip = offset - first * bs;
    // One block: a view of it (readers copy what they keep); several: only the bytes asked for.
    if (blocks.length === 1) return blocks[0].subarray(skip, skip + length);
    return Buffer.concat(blocks, skip + length).subarray(skip);
  }

  /** Every read: stop on abort, let the event loop turn, and report progress while hits keep transfers away. */
  private async pace(): Promise<void> {
    this.opts.signal?.throwIfAborted();
    await yieldIfBusy();
    this.opts.signal?.throwIfAborted();
    if (performance.now() - this.lastProgress >= PROGRESS_EVERY_MS) this.progress();
  }

  private progress(): void {
    this.lastProgress = performance.now();
    this.opts.onProgress?.(this.bytesRead);
  }

  private remember(block: number, p: Promise<Buffer>): void {
    this.cache.set(block, p);
    p.catch(() => {
      if (this.cache.get(block) === p) this.cache.delete(block);
    });
    while (this.cache.size > this.cacheBlocks) this.cache.delete(this.cache.keys().next().value as number);
  }

  private async fetch(offset: number, length: number): Promise<Buffer> {
    this.opts.signal?.throwIfAborted();
    const budget = this.opts.maxBytes;
    if (budget !== undefined && this.bytesRead + length > budget) {
      throw new BudgetExceededError(`${this.label}: transferring ${length} more bytes would exceed the budget of ${budget} bytes transferred for this image.`);
    }
    const buf = await this.transfer(offset, length);
    this.progress();
    if (buf.length !== length) {
      throw new BlockDeviceError(`${this.label}: expected ${length} bytes at offset ${offset}, got ${buf.length}.`);
    }
    return buf;
  }
}

class FileBlockDevice extends CachedBlockDevice {
  constructor(
    label: string,
    opts: BlockDeviceOptions,
    private readonly fh: FileHandle,
  ) {
    super(label, opts);
  }

  protected async probeSize(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  protected async transfer(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    for (let done = 0; done < length; ) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break; // the file shrank; `fetch` reports the short read
      this.bytesRead += bytesRead;
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

const CONTENT_RANGE = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/;

class HttpBlockDevice extends CachedBlockDevice {
  constructor(
    label: string,
    opts: BlockDeviceOptions,
    private readonly url: string,
  ) {
    super(label, opts);
  }

  private async get(first: number, last: number, maxBytes: number) {
    return policedFetch(
      this.url,
      { method: 'GET', headers: { range: `bytes=${first}-${last}` } },
      this.opts.policy,
      { maxBytes, signal: this.opts.signal },
    );
  }

  /** A one-byte ranged read: the Content-Range total is the size. */
  protected async probeSize(): Promise<number> {
    const res = await this.get(0, 0, 1);
    try {
      const m = CONTENT_RANGE.exec(res.headers.get('content-range') ?? '');
      if (res.status === 416 && m?.[3] === '0') return 0;
      this.expectPartial(res.status);
      if (!m || m[3] === '*') throw new BlockDeviceError(`${this.label}: the server does not say the file's size (Content-Range).`);
      await res.bytes();
      return Number(m[3]);
    } finally {
      this.bytesRead += res.bytesReceived;
      await res.discard();
    }
  }

  protected async transfer(offset: number, length: number): Promise<Buffer> {
    const last = offset + length - 1;
    const res = await this.get(offset, last, length);
    try {
      this.expectPartial(res.status);
      const cr = res.headers.get('content-range') ?? '';
      const m = CONTENT_RANGE.exec(cr);
      if (!m || Number(m[1]) !== offset || Number(m[2]) !== last || Number(m[3]) !== (await this.size())) {
        throw new BlockDeviceError(`${this.label}: the server answered another byte range than requested (Content-Range "${cr}").`);
      }
      return await res.bytes();
    } finally {
      this.bytesRead += res.bytesReceived;
      await res.discard();
    }
  }

  private expectPartial(status: number): void {
    if (status === 206) return;
    if (status === 200) {
      throw new BlockDeviceError(`${this.label}: the server ignores HTTP range requests; images must be served from storage that supports them (e.g. Azure Blob Storage).`);
    }
    throw new BlockDeviceError(`${this.label}: ${httpStatusProblem(status)}.`);
  }

  async close(): Promise<void> {}
}

/** Opens the image at `url` under the policy (a refusal throws `UrlPolicyError`). */
export async function openBlockDevice(url: string, opts: BlockDeviceOptions): Promise<BlockDevice> {
  const u = assertUrlAllowed(url, opts.policy);
  const label = redactUrl(u);
  if (u.protocol !== 'file:') return new HttpBlockDevice(label, opts, url);
  let fh: FileHandle;
  try {
    fh = await open(fileURLToPath(u), 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BlockDeviceError(`${label}: ${code === 'ENOENT' ? 'no such file' : `cannot be opened (${code ?? 'error'})`}.`);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new BlockDeviceError(`${label}: not a regular file.`);
  }
  return new FileBlockDevice(label, opts, fh);
}
