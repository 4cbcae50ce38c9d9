import { copyFile, lstat as hostLstat, mkdir, mkdtemp, readdir as hostReaddir, readFile as hostReadFile, readlink as hostReadlink, rm, stat as hostStat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openExtFileSystem } from '../../activities/certify/ext4';
import { ImageFormatError, ImageLimitError, type FileSystemReader, type FsNodeType } from '../../activities/certify/image-types';
import { openBlockDevice, type BlockDevice } from '../../lib/net/block-device';
import { MiB } from '../../domain/units';
import { buildTree, debugfs, fileBlocks, freeBlock, inodeOffset, makeImage, patch, SLOW_LINK_TARGET } from '../fixtures/ext4-image';

const policy = { allowedHosts: [], allowLoopback: true, timeoutMs: 5000 };

let dir: string;
let src: string;
const devices: BlockDevice[] = [];

async function openImage(img: string, opts?: Parameters<typeof openExtFileSystem>[1]) {
  const device = await openBlockDevice(pathToFileURL(img).href, { policy });
  devices.push(device);
  return { device, fs: await openExtFileSystem(device, opts) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ext4-'));
  src = join(dir, 'src');
  await buildTree(src);
});

afterAll(async () => {
  for (const d of devices) await d.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function hostType(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FsNodeType {
  return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

/** Compares the whole source tree with what the reader sees, byte for byte. */
async function compareTree(fs: FileSystemReader, rel: string, skip: string[] = []): Promise<number> {
  let checked = 0;
  const host = join(src, rel);
  const names = (await hostReaddir(host)).sort();
  let entries = (await fs.readdir(rel || '/'))!;
  if (!rel) {
    expect(entries.find((e) => e.name === 'lost+found')?.type).toBe('dir'); // made by mke2fs
    entries = entries.filter((e) => e.name !== 'lost+found');
  }
  expect(entries.map((e) => e.name).sort()).toEqual(names);
  for (const [i, name] of names.entries()) {
    const p = `${rel}/${name}`;
    const hs = await hostLstat(join(src, p));
    const type = hostType(hs);
    expect(entries.find((e) => e.name === name)!.type).toBe(type);
    if ((rel === '/many' && i % 97 !== 0) || skip.includes(p)) continue; // sample the big directory
    const st = (await fs.lstat(p))!;
    expect({ path: p, type: st.type, mode: st.mode, uid: st.uid }).toEqual({ path: p, type, mode: hs.mode, uid: hs.uid });
    if (type !== 'dir') expect(st.size).toBe(hs.size);
    if (type === 'file') expect((await fs.readFile(p, 128 * MiB))!.equals(await hostReadFile(join(src, p)))).toBe(true);
    if (type === 'symlink') expect(await fs.readlink(p)).toBe(await hostReadlink(join(src, p)));
    if (type === 'dir') checked += await compareTree(fs, p, skip);
    checked++;
  }
  return checked;
}

const variants: [string, string[]][] = [
  ['ext4, 4 KiB blocks', ['-t', 'ext4', '-b', '4096']],
  ['ext4, 1 KiB blocks', ['-t', 'ext4', '-b', '1024']],
  ['ext4, 64bit + inline_data', ['-t', 'ext4', '-b', '4096', '-O', '64bit,inline_data']],
  ['ext4, meta_bg', ['-t', 'ext4', '-b', '1024', '-O', 'meta_bg,^resize_inode']],
  ['ext3', ['-t', 'ext3', '-b', '4096']],
  ['ext2, 1 KiB blocks', ['-t', 'ext2', '-b', '1024']],
  ['ext2, no filetype', ['-t', 'ext2', '-b', '2048', '-O', '^filetype,^dir_index']],
];

describe.each(variants)('%s', (label, args) => {
  let fs: FileSystemReader;
  let img: string;
  beforeAll(async () => {
    img = join(dir, `${label.replace(/\W+/g, '_')}.img`);
    await makeImage(img, src, 48, args);
    fs = (await openImage(img)).fs!;
  });

  it('reads the whole tree like the source, byte for byte', async () => {
    expect(fs.type).toBe(args[1]);
    // mke2fs 1.47 -d with inline_data stores a sparse file whose data fits inline with a wrong size
    // (debugfs shows the same), so that file is not the reader's to match there.
    const n = await compareTree(fs, '', args.includes('64bit,inline_data') ? ['/sparse-tail.bin'] : []);
    expect(n).toBeGreaterThan(30);
    expect((await fs.readdir('/many'))!.length).toBe(2000);
    if (args.includes('64bit,inline_data')) {
      // Small files and directories really are inline there.
      expect(await debugfs(img, 'stat /etc/hostname')).toContain('Size of inline data');
      expect(await debugfs(img, 'stat /a/b/c')).toContain('Size of inline data');
    }
  });

  it('follows symlinks: relative, absolute, slow, through directories, and ..', async () => {
    const osRelease = await hostReadFile(join(src, 'etc/os-release'));
    expect(await fs.readFile('/etc/rel-link', 1000)).toEqual(osRelease);
    expect(await fs.readFile('/abs-link', 1000)).toEqual(osRelease);
    expect(await fs.readlink('/slow-link')).toBe(SLOW_LINK_TARGET);
    expect((await fs.readFile('/slow-link', 100))!.toString()).toBe('deep\n');
    expect((await fs.readFile('/lib/c/d/e/f/g/h/deep.txt', 100))!.toString()).toBe('deep\n');
    expect((await fs.readFile('/lib/up-link', 100))!.toString()).toBe('box\n');
    expect((await fs.readFile('/./etc/../etc//os-release', 1000))!).toEqual(osRelease);
    expect(await fs.stat('/lib/..')).toEqual(await fs.stat('/a'));
    expect(await fs.stat('/..')).toEqual(await fs.stat('/'));
    const abs = (await fs.stat('/abs-link'))!;
    expect(abs.type).toBe('file');
    expect(abs.size).toBe((await hostStat(join(src, 'etc/os-release'))).size);
    expect((await fs.lstat('/abs-link'))!.type).toBe('symlink');
    expect((await fs.stat('/lib'))!.type).toBe('dir');
    expect((await fs.readdir('/lib'))!.map((e) => e.name).sort()).toEqual(['c', 'up-link']);
    await expect(fs.stat('/loop1')).rejects.toThrow(new ImageFormatError('too many levels of symbolic links'));
    await expect(fs.readFile('/loop1', 10)).rejects.toBeInstanceOf(ImageFormatError);
    expect((await fs.lstat('/loop1'))!.type).toBe('symlink');
    expect(await fs.stat('/dangling')).toBeUndefined();
  });

  it('gives undefined for missing paths and wrong types, and honours maxBytes / maxEntries', async () => {
    expect(await fs.stat('/nope')).toBeUndefined();
    expect(await fs.stat('/etc/os-release/x')).toBeUndefined();
    expect(await fs.readFile('/etc', 10)).toBeUndefined();
    expect(await fs.readdir('/etc/os-release')).toBeUndefined();
    expect(await fs.readlink('/etc/os-release')).toBeUndefined();
    const big = await hostReadFile(join(src, 'big.bin'));
    expect((await fs.readFile('/big.bin', 1000))!).toEqual(big.subarray(0, 1000));
    // Buffer.equals: jest's toEqual walks a 2 MiB buffer element by element (seconds per variant).
    expect((await fs.readFile('/big.bin', 2 * MiB + 5))!.equals(big.subarray(0, 2 * MiB + 5))).toBe(true);
    expect((await fs.readFile('/etc/empty', 10))!.length).toBe(0);
    expect((await fs.readdir('/many', 5))!.length).toBe(5);
    expect(await fs.readdir('/many', 0)).toEqual([]);
  });
});

describe('damaged and hostile images', () => {
  let ext4: string;
  let ext2: string;
  beforeAll(async () => {
    ext4 = join(dir, 'base4.img');
    ext2 = join(dir, 'base2.img');
    await makeImage(ext4, src, 48, ['-t', 'ext4', '-b', '4096']);
    await makeImage(ext2, src, 48, ['-t', 'ext2', '-b', '1024']);
  });

  async function damaged(base: string, name: string, damage: (img: string) => Promise<void>) {
    const img = join(dir, `${name}.img`);
    await copyFile(base, img);
    await damage(img);
    return img;
  }

  it('no superblock magic → undefined; not even a superblock → undefined', async () => {
    const img = await damaged(ext4, 'nomagic', (f) => patch(f, 1024 + 56, Buffer.from([0, 0])));
    expect((await openImage(img)).fs).toBeUndefined();
    const tiny = join(dir, 'tiny.img');
    await writeFile(tiny, Buffer.alloc(1500));
    expect((await openImage(tiny)).fs).toBeUndefined();
  });

  it('refuses bad geometry and unreadable features with a clear ImageFormatError', async () => {
    const bigBlocks = await damaged(ext4, 'logbs', (f) => patch(f, 1024 + 0x18, Buffer.from([7, 0, 0, 0])));
    await expect(openImage(bigBlocks)).rejects.toThrow(/block size .* not between 1 KiB and 64 KiB/);
    const encrypt = await damaged(ext4, 'encrypt', async (f) => {
      const fh = await hostReadFile(f);
      const incompat = fh.readUInt32LE(1024 + 0x60) | 0x10000;
      const b = Buffer.alloc(4);
      b.writeUInt32LE(incompat >>> 0);
      await patch(f, 1024 + 0x60, b);
    });
    await expect(openImage(encrypt)).rejects.toThrow(/"encrypt" feature/);
    const inodes = await damaged(ext4, 'inodes', (f) => patch(f, 1024, Buffer.from([0xff, 0xff, 0xff, 0xff])));
    await expect(openImage(inodes)).rejects.toBeInstanceOf(ImageFormatError);
  });

  it('a truncated image → ImageFormatError, not a hang', async () => {
    const img = await damaged(ext4, 'half', (f) => truncate(f, 24 * MiB));
    await expect(openImage(img)).rejects.toThrow(/truncated/);
  });

  it('a corrupt extent header of one file → readFile throws ImageFormatError; the rest still reads', async () => {
    const img = await damaged(ext4, 'extent', async (f) => patch(f, (await inodeOffset(f, '/big.bin', 4096)) + 0x28, Buffer.from([0x0b, 0xad])));
    const { fs } = await openImage(img);
    await expect(fs!.readFile('/big.bin', MiB)).rejects.toThrow(/bad extent header magic/);
    expect((await fs!.readFile('/etc/hostname', 100))!.toString()).toBe('box\n');
  });

  it('extent entries pointing outside the filesystem, or a looping / too deep tree → ImageFormatError', async () => {
    const outside = await damaged(ext4, 'extent-out', async (f) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(0xfffffff0);
      await patch(f, (await inodeOffset(f, '/big.bin', 4096)) + 0x28 + 12 + 8, b); // first extent's ee_start_lo
    });
    await expect((await openImage(outside)).fs!.readFile('/big.bin', MiB)).rejects.toThrow(/outside the filesystem/);

    const loop = await damaged(ext4, 'extent-loop', async (f) => {
      const node = await freeBlock(f);
      // Root: depth 2, one index entry → node; node: depth 1, one index entry → itself.
      const entry = (depth: number) => {
        const b = Buffer.alloc(24);
        b.writeUInt16LE(0xf30a, 0);
        b.writeUInt16LE(1, 2);
        b.writeUInt16LE(4, 4);
        b.writeUInt16LE(depth, 6);
        b.writeUInt32LE(0, 12); // ei_block
        b.writeUInt32LE(node, 16); // ei_leaf_lo
        return b;
      };
      await patch(f, (await inodeOffset(f, '/etc/fstab', 4096)) + 0x28, entry(2));
      await patch(f, node * 4096, entry(1));
    });
    await expect((await openImage(loop)).fs!.readFile('/etc/fstab', MiB)).rejects.toBeInstanceOf(ImageFormatError);

    const deep = await damaged(ext4, 'extent-deep', async (f) => patch(f, (await inodeOffset(f, '/etc/fstab', 4096)) + 0x28 + 6, Buffer.from([9, 0])));
    await expect((await openImage(deep)).fs!.readFile('/etc/fstab', MiB)).rejects.toThrow(/depth 9 exceeds 5/);
  });

  it('a corrupt indirect pointer (ext2) → ImageFormatError', async () => {
    const img = await damaged(ext2, 'indirect', async (f) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(0x7fffffff);
      await patch(f, (await inodeOffset(f, '/big.bin', 1024)) + 0x28 + 13 * 4, b); // double indirect
    });
    const { fs } = await openImage(img);
    expect((await fs!.readFile('/big.bin', 100 * 1024))!.length).toBe(100 * 1024); // before the double-indirect range
    await expect(fs!.readFile('/big.bin', 4 * MiB)).rejects.toThrow(/outside the filesystem/);
  });

  it('a corrupt inode number of a path → ImageFormatError', async () => {
    // Group descriptor of group 0: point its inode table past the end.
    const img = await damaged(ext4, 'gdt', (f) => patch(f, 4096 + 8, Buffer.from([0xf0, 0xff, 0xff, 0x0f])));
    await expect((await openImage(img)).fs!.stat('/etc')).rejects.toThrow(/inode table/);
  });

  it('a directory entry with rec_len 0, or name_len past rec_len → ImageFormatError', async () => {
    const zero = await damaged(ext4, 'reclen0', async (f) => patch(f, (await fileBlocks(f, '/a'))[0] * 4096 + 4, Buffer.from([0, 0])));
    const { fs } = await openImage(zero);
    await expect(fs!.readdir('/a')).rejects.toThrow(/invalid rec_len 0/);
    await expect(fs!.stat('/a/b')).rejects.toBeInstanceOf(ImageFormatError);
    expect((await fs!.readdir('/etc'))!.length).toBe(5);

    const longName = await damaged(ext2, 'namelen', async (f) => patch(f, (await fileBlocks(f, '/a'))[0] * 1024 + 6, Buffer.from([200])));
    await expect((await openImage(longName)).fs!.readdir('/a')).rejects.toThrow(/name_len 200/);
  });

  it('caps the directory entries and inode reads of one call', async () => {
    const { fs } = await openImage(ext2, { maxDirEntries: 500, maxInodeReads: 50 });
    await expect(fs!.readdir('/many')).rejects.toThrow(/more than 500 directory entries/);
    expect((await fs!.readdir('/many', 10))!.length).toBe(10);
    const noType = join(dir, 'notype.img');
    await makeImage(noType, src, 48, ['-t', 'ext2', '-O', '^filetype']);
    const { fs: fs2 } = await openImage(noType, { maxInodeReads: 50 });
    await expect(fs2!.readdir('/many')).rejects.toThrow(/more than 50 inode reads/);
  });

  it('looks names up in a directory walked once, not once per name', async () => {
    const img = join(dir, 'lookups.img');
    await makeImage(img, src, 48, ['-t', 'ext4', '-b', '1024']);
    const device = await openBlockDevice(pathToFileURL(img).href, { policy });
    devices.push(device);
    let read = 0;
    const counted: BlockDevice = { ...device, size: () => device.size(), close: () => device.close(), read: (o, n) => ((read += n), device.read(o, n)) };
    const fs = (await openExtFileSystem(counted))!;
    const names = (await hostReaddir(join(src, 'many'))).sort();
    const before = read;
    for (const name of names) expect((await fs.stat(`/many/${name}`))?.type).toBe('file');
    expect(await fs.stat('/many/absent')).toBeUndefined();
    // One walk of /many (~80 KiB of 1 KiB blocks) and an inode per name, not 2000 walks (~80 MiB).
    expect(read - before).toBeLessThan(2 * MiB);
  });

  it('refuses to index a directory with too many entries, and drops old indexes to stay in bounds', async () => {
    const small = (await openImage(ext4, { maxIndexedNames: 1000 })).fs!;
    await expect(small.stat('/many/file-with-a-longish-name-0001')).rejects.toThrow(/holds more than 1000 entries \(too many entries\)/);
    await expect(small.stat('/many/file-with-a-longish-name-0001')).rejects.toBeInstanceOf(ImageLimitError);
    expect((await small.stat('/etc/hostname'))?.type).toBe('file');
    const tight = (await openImage(ext4, { maxHeldNames: 2010 })).fs!; // /many (2002 names) and / (15) do not fit together
    for (let i = 0; i < 3; i++) {
      expect((await tight.stat(`/many/file-with-a-longish-name-${String(i * 997).padStart(4, '0')}`))?.type).toBe('file');
      expect((await tight.stat('/a/b/c/d/e/f/g/h/deep.txt'))?.type).toBe('file');
    }
    await expect(tight.stat('/loop1')).rejects.toBeInstanceOf(ImageLimitError);
  });

  it('reads /etc/os-release from a 4 GiB sparse ext4 image with little transfer', async () => {
    const img = join(dir, 'sparse4g.img');
    const tree = join(dir, 'small');
    await mkdir(join(tree, 'etc'), { recursive: true });
    await writeFile(join(tree, 'etc/os-release'), await hostReadFile(join(src, 'etc/os-release')));
    await makeImage(img, tree, 4096, ['-t', 'ext4']);
    const { device, fs } = await openImage(img);
    expect(await device.size()).toBe(4096 * MiB);
    expect((await fs!.readFile('/etc/os-release', 4096))!.toString()).toContain('ID=testlinux');
    console.log(`4 GiB ext4: /etc/os-release cost ${device.bytesRead} bytes`);
    expect(device.bytesRead).toBeLessThan(MiB);
  });
});
