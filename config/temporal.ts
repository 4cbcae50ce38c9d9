/** One way to connect to Temporal, shared by the worker and the API. */
import fs from 'node:fs';
import type { AppConfig } from './env';

export function temporalConnectionOptions(config: AppConfig) {
  const t = config.temporal;
  return {
    address: t.address,
    apiKey: t.apiKey,
    tls: t.tls
      ? t.tlsCert && t.tlsKey
        ? { clientCertPair: { crt: fs.readFileSync(t.tlsCert), key: fs.readFileSync(t.tlsKey) } }
        : true
      : undefined,
  };
}
