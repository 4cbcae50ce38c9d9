/**
 * LNX-044 / LNX-045: OpenSSL and Python versions, from dpkg's status, else from library and binary
 * file names (rpm's database is not read).
 */
import type { Files } from './fs-reader';
import type { Add } from './outcome';
import { compareVersions, parseVersion, versionText } from './text-formats';

/** lib directories where shared libraries live: /lib*, /usr/lib* and their x86_64 multiarch dirs. */
async function libDirs(files: Files): Promise<string[]> {
  const dirs: string[] = [];
  for (const base of ['/', '/usr']) {
    for (const name of await files.names(base)) {
      if (!/^lib(32|64|x32)?$/.test(name)) continue;
      const dir = base === '/' ? `/${name}` : `/usr/${name}`;
      dirs.push(dir, `${dir}/x86_64-linux-gnu`);
    }
  }
  return dirs;
}

/** The OpenSSL version a libssl soname stands for; Red Hat numbered theirs 6 (0.9.8) and 10 (1.0.x). */
function libsslVersion(name: string): number[] | undefined {
  const m = /^libssl\.so\.(\d+(?:\.\d+)*)/.exec(name);
  if (!m) return undefined;
  if (m[1] === '10') return [1, 0];
  if (m[1] === '6') return [0, 9, 8];
  return parseVersion(m[1]);
}

export async function openssl(files: Files, add: Add): Promise<void> {
  let found: { version: number[]; where: string } | undefined;
  const pkgs = await files.dpkg();
  for (const p of pkgs ?? []) {
    if (p.name !== 'openssl' && !/^libssl\d/.test(p.name)) continue;
    const v = parseVersion(p.version);
    if (v && (!found || compareVersions(v, found.version) > 0)) found = { version: v, where: `dpkg package ${p.name} ${p.version}` };
  }
  if (!found) {
    for (const dir of await libDirs(files)) {
      for (const name of await files.names(dir)) {
        const v = libsslVersion(name);
        if (v && (!found || compareVersions(v, found.version) > 0)) found = { version: v, where: `${dir}/${name}` };
      }
    }
  }
  const install = 'Install OpenSSL 1.0 or later from the distribution (`sudo apt-get install openssl`, `sudo dnf install openssl` or `sudo zypper install openssl`), then shut down and capture the image again.';
  if (!found) {
    if ((await files.exists('/usr/bin/openssl')) || (await files.exists('/bin/openssl'))) {
      return add('Warning', 'openssl present, but its version could not be determined (no dpkg record or libssl.so.* found)', `Check \`openssl version\` is 1.0 or later; if not: ${install}`);
    }
    return add('Failed', 'OpenSSL not found (no openssl/libssl package in dpkg status, no libssl.so.* under /lib*, /usr/lib*)', install);
  }
  const actual = `${versionText(found.version)} (${found.where})`;
  if (compareVersions(found.version, [1, 0]) >= 0) return add('Passed', actual);
  if (compareVersions(found.version, [0, 9, 8]) >= 0) return add('Warning', actual, `OpenSSL 1.0 or later is recommended. ${install.replace('Install', 'Update to')}`);
  add('Failed', actual, install.replace('Install', 'Update to'));
}

export async function python(files: Files, add: Add): Promise<void> {
  const best: { found?: { version: number[]; where: string } } = {};
  const consider = (v: number[] | undefined, where: string) => {
    if (v && (!best.found || compareVersions(v, best.found.version) > 0)) best.found = { version: v, where };
  };
  for (const p of (await files.dpkg()) ?? []) {
    if (/^python(\d(\.\d+)?)?(-minimal)?$/.test(p.name)) consider(parseVersion(p.version), `dpkg package ${p.name} ${p.version}`);
  }
  if (!best.found) {
    for (const dir of ['/usr/bin', '/bin', '/usr/libexec', '/usr/local/bin']) {
      for (const name of await files.names(dir)) {
        const m = /^(?:platform-)?python(\d\.\d+)$/.exec(name);
        if (m) consider(parseVersion(m[1]), `${dir}/${name}`);
      }
    }
  }
  const install = 'Install Python 3 from the distribution (`sudo apt-get install python3`, `sudo dnf install python3` or `sudo zypper install python3`); the Azure Linux Agent needs it. Then shut down and capture the image again.';
  const found = best.found;
  if (!found) return add('Failed', 'Python not found (no python package in dpkg status, no /usr/bin/python2.X or python3.X)', install);
  const ok = compareVersions(found.version, [2, 6]) >= 0;
  add(ok ? 'Passed' : 'Failed', `${versionText(found.version)} (${found.where})`, install);
}
