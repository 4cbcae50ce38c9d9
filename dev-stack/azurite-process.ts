/**
 * The embedded Azurite: Azurite's own entry module, loaded in this process once
 * dev-stack/azurite-copy-source-check.ts has hooked the copy source check of its blob service.
 *
 *   node --import tsx dev-stack/azurite-process.ts <Azurite's own arguments>
 */
import * as path from 'node:path';
import { hookAzuriteCopySourceCheck } from './azurite-copy-source-check';

const AZURITE_SRC = path.join(__dirname, '..', 'node_modules', 'azurite', 'dist', 'src');

hookAzuriteCopySourceCheck(AZURITE_SRC);
// Azurite reads its arguments from process.argv when its entry module loads, and starts serving.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path, loaded for its side effect after the hook
require(path.join(AZURITE_SRC, 'azurite.js'));
