/**
 * The embedded Azurite's front (dev-stack/azurite-gateway.ts) against a stand-in upstream that
 * closes a kept-alive connection when it is reused, as Azurite does once its keep-alive timeout
 * has passed: the request is sent again on a new connection instead of failing with 502.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startAzuriteGateway } from '../../dev-stack/azurite-gateway';
import { freePort } from '../../dev-stack/processes';

describe('Azurite gateway keep-alive', () => {
  it('sends a request without a body again when the reused connection is reset', async () => {
    const served = new WeakSet<Socket>();
    let requests = 0;
    const upstream = http.createServer((req, res) => {
      requests++;
      // The second request on a connection: reset it, as a server closing an idle connection does.
      if (served.has(req.socket)) return req.socket.resetAndDestroy();
      served.add(req.socket);
      res.end(`ok ${req.url}`);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = await freePort();
    const gateway = await startAzuriteGateway({ host: '127.0.0.1', port, upstreamPort: (upstream.address() as AddressInfo).port });
    try {
      const get = async (p: string) => {
        const res = await fetch(`http://127.0.0.1:${port}${p}`);
        return [res.status, await res.text()];
      };
      expect(await get('/a')).toEqual([200, 'ok /a']);
      expect(await get('/b')).toEqual([200, 'ok /b']);
      expect(await get('/c')).toEqual([200, 'ok /c']);
      // Each reuse was reset once and sent again on a new connection.
      expect(requests).toBe(5);
    } finally {
      gateway.close();
      upstream.close();
      upstream.closeAllConnections();
    }
  });
});
