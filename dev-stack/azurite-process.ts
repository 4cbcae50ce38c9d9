/**
 * The embedded Azurite as one process: Azurite's servers, and in front of its blob service the
 * gateway of dev-stack/azurite-gateway.ts, so the emulator starts, logs and stops as one service and no
 * other process (the worker, `npm start`, jest) forwards its traffic.
 *
 *   node --import tsx dev-stack/azurite-process.ts --gatewayPort <public blob port> <Azurite's own arguments>
 *
 * Azurite's `--blobPort` is then the inner port only the gateway uses.
 */
import * as path from 'node:path';
import { startAzuriteGateway } from './azurite-gateway';

function takeFlag(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const [, value] = argv.splice(i, 2);
  return value;
}

async function main(): Promise<void> {
  const gatewayPort = Number(takeFlag(process.argv, '--gatewayPort'));
  const i = process.argv.indexOf('--blobPort');
  const innerPort = Number(process.argv[i + 1]);
  if (!gatewayPort || i < 0 || !innerPort) throw new Error('usage: azurite.ts --gatewayPort <port> --blobPort <inner port> [Azurite arguments]');
  // Azurite reads its arguments from process.argv when its entry module loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path, loaded for its side effect at this point
  require(path.join(__dirname, '..', 'node_modules', 'azurite', 'dist', 'src', 'azurite.js'));
  const gateway = await startAzuriteGateway({ host: '127.0.0.1', port: gatewayPort, upstreamPort: innerPort });
  // Azurite closes its servers on these signals and lets the process end; the gateway must close too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => gateway.close());
  console.log(`Azurite gateway is listening at http://127.0.0.1:${gatewayPort} (blob service at ${innerPort})`);
}

main().catch((err) => {
  console.error(`azurite gateway: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
