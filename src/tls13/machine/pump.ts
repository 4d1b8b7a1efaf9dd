// An in-memory wire between a TlsClient and a TlsServer: delivers each side's records to
// the other until both are quiet. Used by tests and by the simulator's dry runs.

import type { TlsEvent } from './config.js';
import type { TlsClient } from './client.js';
import type { TlsServer } from './server.js';

export interface WireRecord {
  from: 'client' | 'server';
  bytes: Uint8Array;
}

export interface HandshakeRun {
  wire: WireRecord[];
  clientEvents: TlsEvent[];
  serverEvents: TlsEvent[];
}

/**
 * Run client.start() and pump records both ways until neither side has anything to send.
 * `tamper` may rewrite (or drop, by returning []) each record in flight.
 */
export function runHandshake(
  client: TlsClient,
  server: TlsServer,
  opts: { tamper?: (r: WireRecord) => Uint8Array[]; maxRounds?: number } = {},
): HandshakeRun {
  const run: HandshakeRun = { wire: [], clientEvents: [], serverEvents: [] };
  let toServer = client.start();
  let toClient: Uint8Array[] = [];
  const deliver = (from: 'client' | 'server', records: Uint8Array[]): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (const rec of records) {
      const r = { from, bytes: rec };
      run.wire.push(r);
      for (const b of opts.tamper ? opts.tamper(r) : [rec]) {
        const res = from === 'client' ? server.receive(b) : client.receive(b);
        (from === 'client' ? run.serverEvents : run.clientEvents).push(...res.events);
        out.push(...res.out);
      }
    }
    return out;
  };
  for (let round = 0; round < (opts.maxRounds ?? 20) && (toServer.length || toClient.length); round++) {
    toClient = deliver('client', toServer);
    toServer = deliver('server', toClient);
    toClient = [];
  }
  return run;
}
