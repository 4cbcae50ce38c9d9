/**
 * A pass-through HTTP front for Azurite's blob service that adds the one operation a cross-account
 * copy needs and Azurite lacks: Get Blob Metadata (`GET <blob>?comp=metadata`). Azurite checks the
 * source of a cross-account Copy Blob by issuing that request to itself, but routes it to Get Blob,
 * so it downloads the whole image into one string — and a 1 GiB VHD fails with HTTP 500. Here it
 * is answered as Azure does: Get Blob Properties (HEAD, same URL and SAS, so the same
 * authorization) with the metadata headers and no body. Everything else is streamed through as is;
 * the Host header is kept, so Azurite sees the address its clients use.
 */
import * as http from 'node:http';

/** Azure's messages for the errors a copy source check can meet (the status alone is vaguer). */
const ERROR_MESSAGES: Record<string, string> = {
  AuthenticationFailed: 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
  AuthorizationFailure: 'This request is not authorized to perform this operation.',
  AuthorizationPermissionMismatch: 'This request is not authorized to perform this operation using this permission.',
  BlobNotFound: 'The specified blob does not exist.',
  ContainerNotFound: 'The specified container does not exist.',
  ResourceNotFound: 'The specified resource does not exist.',
};

/** Azurite's keep-alive timeout for its blob service (its default, which dev-stack/azurite.ts keeps). */
const AZURITE_KEEP_ALIVE_MS = 5_000;

/** Listens on host:port until `close` (dev-stack/azurite-process.ts runs it beside Azurite). */
export async function startAzuriteGateway(o: { host: string; port: number; upstreamPort: number }): Promise<{ close(): void }> {
  // Idle connections are dropped before Azurite's own keep-alive timeout (5 s) closes them, so a
  // request is not sent on a connection Azurite is closing at that moment (ECONNRESET).
  const agent = new http.Agent({ keepAlive: true, timeout: AZURITE_KEEP_ALIVE_MS - 1000 });
  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    const asMetadata = isGetBlobMetadata(req);
    const bodyless = !req.headers['transfer-encoding'] && Number(req.headers['content-length'] ?? 0) === 0;
    const forward = (attempt: number) => {
      const upstream = http.request(
        { host: '127.0.0.1', port: o.upstreamPort, agent, method: asMetadata ? 'HEAD' : req.method, path: req.url, headers: req.headers },
        (up) => (asMetadata ? answerMetadata(up, res) : (res.writeHead(up.statusCode ?? 502, up.rawHeaders), up.pipe(res))),
      );
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection closed by Azurite as it was reused: sent again once, if nothing of a body was consumed.
        if (attempt === 0 && bodyless && upstream.reusedSocket && err.code === 'ECONNRESET' && !res.headersSent) return forward(1);
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('Azurite is not answering');
      });
      // A client that goes away takes its upstream request with it.
      res.once('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (bodyless) upstream.end();
      else req.pipe(upstream);
    };
    forward(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    close() {
      server.close();
      server.closeAllConnections();
      agent.destroy();
    },
  };
}

/** `GET /<account>/<container>/<blob>?comp=metadata` (container metadata has `restype=container`, which Azurite serves). */
function isGetBlobMetadata(req: http.IncomingMessage): boolean {
  if (req.method !== 'GET' || !req.url) return false;
  const url = new URL(req.url, 'http://azurite');
  return url.searchParams.get('comp') === 'metadata' && !url.searchParams.has('restype') && url.pathname.split('/').filter(Boolean).length >= 3;
}

/** Properties → metadata: same status and headers, no body; errors get Azure's XML error body. */
function answerMetadata(up: http.IncomingMessage, res: http.ServerResponse): void {
  up.resume();
  const status = up.statusCode ?? 502;
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(up.headers)) {
    if (!name.startsWith('content-') && value !== undefined) headers[name] = value;
  }
  if (status < 400) {
    res.writeHead(status, { ...headers, 'content-length': '0' }).end();
    return;
  }
  const code = String(up.headers['x-ms-error-code'] ?? 'Unknown');
  const body =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(ERROR_MESSAGES[code] ?? code)}</Message></Error>`;
  res.writeHead(status, { ...headers, 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) }).end(body);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
