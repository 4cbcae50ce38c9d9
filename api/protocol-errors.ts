/**
 * What Node's HTTP server answers by itself, before any route runs — a request it cannot parse,
 * headers over its 16 KiB limit, an `Expect` it does not know, a request too slow to arrive — it
 * would answer with a bare status line. These handlers give those answers the API's error body too.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from './errors';

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large' };

function refusal(err: NodeJS.ErrnoException): { status: number; code: string; message: string } {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'HeadersTooLarge', message: 'The request line and headers are too large: keep them under 16 KiB.' };
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'RequestTimeout', message: 'The request did not arrive in time.' };
  return { status: 400, code: 'MalformedRequest', message: 'The request is not valid HTTP.' };
}

export function answerProtocolErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex & { bytesWritten?: number }) => {
    // Only a connection that has not started an answer can still get one (as Node's default does).
    if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten) {
      socket.destroy();
      return;
    }
    const { status, code, message } = refusal(err);
    const body = JSON.stringify(errorBody(code, message));
    // An answer to HEAD has no body; the request's first bytes, when Node kept them, say if it was one.
    const head = err.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  });
  server.on('checkExpectation', (_req, res) => {
    const body = JSON.stringify(errorBody('ExpectationFailed', 'The only Expect header this API meets is "100-continue".'));
    res.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  });
}
