/**
 * What Node's HTTP server refuses before any route runs still gets the API's error body
 * (api/protocol-errors.ts; found by the API fuzzer as bare 417 and 431 status lines).
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { answerProtocolErrors } from '../../api/protocol-errors';

/** Sends `raw` on a fresh connection and returns everything the server wrote until it closed. */
function exchange(server: Server, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

const parse = (answer: string) => {
  const [head, body] = answer.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], contentType: /content-type: ([^\r]+)/i.exec(head)?.[1], body };
};

describe('answerProtocolErrors', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('routed'));
    answerProtocolErrors(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('headers over 16 KiB: 431 HeadersTooLarge in the error body', async () => {
    const answer = parse(await exchange(server, `GET /api/publishers/${'x'.repeat(20_000)}/offers HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'HeadersTooLarge', message: expect.stringMatching(/16 KiB/) } });
  });

  it('the same to a HEAD request, without a body', async () => {
    const answer = parse(await exchange(server, `HEAD /x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'k'.repeat(20_000)}\r\n\r\n`));
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.body).toBe('');
  });

  it('not HTTP at all: 400 MalformedRequest', async () => {
    const answer = parse(await exchange(server, 'HELLO THERE\r\n\r\n'));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'MalformedRequest', message: 'The request is not valid HTTP.' } });
  });

  it('an Expect other than 100-continue: 417 ExpectationFailed, and the route does not run', async () => {
    const answer = parse(await exchange(server, 'GET /x HTTP/1.1\r\nHost: x\r\nExpect: x-fuzz\r\nConnection: close\r\n\r\n'));
    expect(answer.statusLine).toBe('HTTP/1.1 417 Expectation Failed');
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'ExpectationFailed', message: expect.any(String) } });
  });

  it('a well-formed request still reaches the routes', async () => {
    expect(parse(await exchange(server, 'GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).body).toBe('routed');
  });
});
