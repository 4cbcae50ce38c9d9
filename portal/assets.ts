/**
 * The portal's assets: the stylesheet, an icon, and the client script bundled from portal/client with
 * esbuild when the API process starts (tens of milliseconds; nothing to build beforehand, no CDN).
 * Each is served under a name with its content hash, so browsers may keep it for good.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { portalPaths } from './paths';

export interface Asset {
  name: string;
  type: string;
  body: Buffer;
}

export interface PortalAssets {
  css: Asset;
  js: Asset;
  icon: Asset;
}

/** Where the sources are: beside this file, or (running from dist/) in the repository's portal/. */
function sourceDir(): string {
  const candidates = [__dirname, path.resolve(__dirname, '..', '..', 'portal')];
  const dir = candidates.find((d) => fs.existsSync(path.join(d, 'client', 'main.ts')));
  if (!dir) throw new Error(`portal client sources not found (looked in ${candidates.join(', ')})`);
  return dir;
}

const named = (stem: string, ext: string, type: string, body: Buffer): Asset => ({
  name: `${stem}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`,
  type,
  body,
});

export async function buildPortalAssets(): Promise<PortalAssets> {
  const dir = sourceDir();
  const result = await build({
    entryPoints: [path.join(dir, 'client', 'main.ts')],
    tsconfig: path.join(dir, 'client', 'tsconfig.json'),
    bundle: true,
    format: 'iife',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return {
    js: named('portal', 'js', 'text/javascript; charset=utf-8', Buffer.from(result.outputFiles[0].contents)),
    css: named('portal', 'css', 'text/css; charset=utf-8', fs.readFileSync(path.join(dir, 'assets', 'portal.css'))),
    icon: named('icon', 'svg', 'image/svg+xml', fs.readFileSync(path.join(dir, 'assets', 'icon.svg'))),
  };
}

export const assetUrls = (a: PortalAssets) => ({ css: portalPaths.asset(a.css.name), js: portalPaths.asset(a.js.name), icon: portalPaths.asset(a.icon.name) });
