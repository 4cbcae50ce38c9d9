/**
 * Connections that check the address they go to, when they connect. A host name is resolved once,
 * by the lookup the socket itself connects with, and every address it returns is checked before
 * the socket connects; an IP literal is checked before connecting; the connected peer is checked
 * again. Checking in a separate resolution before connecting is not enough: a DNS answer that
 * changes in between (rebinding) would reach whatever the second answer names.
 *
 * One guard, two transports: an undici `Agent` for fetch, and a Node http(s) `Agent` for SDKs
 * that bring their own HTTP client (the Azure Table client).
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';

/** A host's addresses, as `dns.lookup` gives them. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export interface ConnectGuard {
  resolve: Resolver;
  /** Throws the error the connection fails with when `address` may not be reached; `host` is the name as given. */
  check(address: string, host: string): void;
}

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

/** The guard's verdict on an address, as an error or undefined. */
function refusal(guard: ConnectGuard, address: string, host: string): Error | undefined {
  try {
    guard.check(address, host);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

async function checkedAddresses(guard: ConnectGuard, hostname: string, family: number): Promise<LookupAddress[]> {
  const addresses = await guard.resolve(hostname);
  for (const a of addresses) guard.check(a, hostname);
  const found = addresses.map((address) => ({ address, family: isIP(address) })).filter((a) => a.family !== 0 && (!family || a.family === family));
  if (found.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
  return found;
}

/** A `dns.lookup` for net/tls.connect that resolves with the guard and fails unless every address passes. */
export function guardedLookup(guard: ConnectGuard): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    checkedAddresses(guard, hostname, family).then(
      (found) => (options.all ? callback(null, found) : callback(null, found[0].address, found[0].family)),
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/** An undici dispatcher whose every connection passes the guard. */
export function guardedDispatcher(guard: ConnectGuard): Agent {
  const connect = buildConnector({ lookup: guardedLookup(guard) });
  return new Agent({
    connect: (opts, callback) => {
      const host = bare(opts.hostname);
      const literal = isIP(host) ? refusal(guard, host, host) : undefined;
      if (literal) return callback(literal, null);
      connect(opts, (err, socket) => {
        if (err) return callback(err, null);
        const peer = refusal(guard, socket.remoteAddress ?? '', host);
        if (!peer) return callback(null, socket);
        socket.destroy();
        callback(peer, null);
      });
    },
  });
}

/** A Node http or https `Agent` (keep-alive) whose every connection passes the guard. */
export function guardedNodeAgent(guard: ConnectGuard, secure: boolean): http.Agent {
  const options = { keepAlive: true, lookup: guardedLookup(guard) };
  const agent = secure ? new https.Agent(options) : new http.Agent(options);
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (opts, callback) => {
    const host = bare(opts.host ?? 'localhost');
    const literal = isIP(host) ? refusal(guard, host, host) : undefined;
    if (literal) {
      callback?.(literal, undefined as never);
      return undefined;
    }
    const socket = create(opts, callback) as Socket;
    // Before the request's own 'connect' listener flushes what it buffered.
    socket.prependOnceListener('connect', () => {
      const peer = refusal(guard, socket.remoteAddress ?? '', host);
      if (peer) socket.destroy(peer);
    });
    return socket;
  };
  return agent;
}
