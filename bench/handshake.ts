// Full TLS 1.3 handshakes per second, in memory, with mutual authentication (x25519,
// TLS_AES_128_GCM_SHA256, both chains verified against a root): pgtls's sans-I/O engine
// (runHandshake, chains checked by the path validator) beside Node's `tls` (OpenSSL) over
// an in-memory duplex pair, for P-256 and RSA-2048 certificates; pgtls also with the
// node:crypto accelerator the CLI installs (src/crypto/accelerator.ts). Contenders are measured
// interleaved in one run (harness.ts's benchAsync, each Node handshake awaited).

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { makeCertificate, type MadeCertificate } from '../dist/factory/index.js';
import { verifyChain } from '../dist/path/index.js';
import { chainVerdict } from '../dist/pg/live/client-tls.js';
import { TlsClient, TlsServer, runHandshake, type ChainVerdict } from '../dist/tls13/index.js';
import { parseCertificate, parsePrivateKey, type Certificate, type PrivateKey } from '../dist/x509/index.js';
import { useAccelerator } from '../dist/crypto/index.js';
import { nodeAccelerator } from '../dist/crypto/accelerator-node.js';
import { benchAsync, formatTable } from './harness.js';

interface Pki {
  root: MadeCertificate;
  rootCert: Certificate;
  server: MadeCertificate;
  client: MadeCertificate;
  serverKey: { key: PrivateKey; pem: string };
  clientKey: { key: PrivateKey; pem: string };
}

function key(name: string): { key: PrivateKey; pem: string } {
  const pem = readFileSync(new URL(`../vectors/keys/${name}.pem`, import.meta.url), 'utf8');
  return { key: parsePrivateKey(new TextEncoder().encode(pem)), pem };
}

function makePki(kind: 'p256' | 'rsa2048'): Pki {
  const names = kind === 'p256' ? ['p256-1', 'p256-2', 'p256-3'] : ['rsa2048-1', 'rsa2048-4', 'rsa2048-5'];
  const [rootKey, serverKey, clientKey] = names.map(key);
  const now = Date.now();
  const notBefore = new Date(now - 86_400_000);
  const notAfter = new Date(now + 365 * 86_400_000);
  const root = makeCertificate({
    subject: [{ CN: `bench root ${kind}` }],
    selfSigned: true,
    issuerKey: rootKey.key,
    notBefore,
    notAfter,
    extensions: [{ type: 'basicConstraints', ca: true, critical: true }, { type: 'subjectKeyIdentifier' }],
  });
  const leaf = (cn: string, k: PrivateKey, sans?: boolean) =>
    makeCertificate({
      subject: [{ CN: cn }],
      subjectKey: k,
      issuerCert: root,
      issuerKey: rootKey.key,
      notBefore,
      notAfter,
      extensions: sans ? [{ type: 'subjectAltName', names: [{ dns: 'localhost' }] }] : undefined,
    });
  return {
    root,
    rootCert: parseCertificate(root.der),
    server: leaf('localhost', serverKey.key, true),
    client: leaf('alice', clientKey.key),
    serverKey,
    clientKey,
  };
}

const SUITE = 'TLS_AES_128_GCM_SHA256';

function pgtlsHandshake(p: Pki): () => void {
  const verify =
    (purpose: 'sslserver' | 'sslclient') =>
    (der: Uint8Array[]): ChainVerdict =>
      chainVerdict(
        verifyChain({
          leaf: parseCertificate(der[0]),
          untrusted: der.slice(1).map((d) => parseCertificate(d)),
          trusted: [p.rootCert],
          purpose,
          callback: 'stop',
        }),
      );
  return () => {
    const client = new TlsClient({
      serverName: 'localhost',
      cipherSuites: [SUITE],
      groups: ['x25519'],
      certificate: { chain: [p.client.der], privateKey: p.clientKey.key },
      verifyPeerChain: verify('sslserver'),
    });
    const server = new TlsServer({
      cipherSuites: [SUITE],
      groups: ['x25519'],
      certificate: { chain: [p.server.der], privateKey: p.serverKey.key },
      clientAuth: 'require',
      clientCANames: [p.rootCert.subject.der],
      verifyPeerChain: verify('sslclient'),
    });
    const run = runHandshake(client, server);
    const done = (ev: typeof run.clientEvents) => ev.some((e) => e.type === 'handshake_done');
    if (!done(run.clientEvents) || !done(run.serverEvents)) throw new Error('pgtls handshake did not complete');
  };
}

/** Two Duplex ends: what one writes, the other reads. */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
    });
  ends.push(
    make(() => ends[1]),
    make(() => ends[0]),
  );
  return [ends[0], ends[1]];
}

function nodeHandshake(p: Pki): () => Promise<void> {
  const common = {
    ciphersuites: SUITE,
    ecdhCurve: 'X25519',
    minVersion: 'TLSv1.3' as const,
    maxVersion: 'TLSv1.3' as const,
    ca: p.root.pem,
  };
  const serverCtx = tls.createSecureContext({ ...common, key: p.serverKey.pem, cert: p.server.pem });
  const clientCtx = tls.createSecureContext({ ...common, key: p.clientKey.pem, cert: p.client.pem });
  return async () => {
    const [a, b] = duplexPair();
    const server = new tls.TLSSocket(b, { isServer: true, secureContext: serverCtx, requestCert: true, rejectUnauthorized: true });
    const client = tls.connect({ socket: a, secureContext: clientCtx, servername: 'localhost', rejectUnauthorized: true });
    await Promise.all([once(client, 'secureConnect'), once(server, 'secure')]);
    if (!client.authorized) throw new Error(`node client: ${client.authorizationError}`);
    client.destroy();
    server.destroy();
  };
}

/** `run` with the accelerator the CLI installs (src/crypto/accelerator-node.ts) */
function accelerated(run: () => unknown): () => unknown {
  const native = nodeAccelerator();
  return () => {
    const previous = useAccelerator(native);
    try {
      return run();
    } finally {
      useAccelerator(previous);
    }
  };
}

export async function runHandshakeBench(): Promise<string> {
  const tables: string[] = [];
  for (const kind of ['p256', 'rsa2048'] as const) {
    const p = makePki(kind);
    const results = await benchAsync(
      [
        { name: 'pgtls engine + node:crypto accelerator (as the CLI runs)', run: accelerated(pgtlsHandshake(p)) },
        { name: 'pgtls engine, TypeScript crypto alone', run: pgtlsHandshake(p) },
        { name: 'node:tls (duplex pair)', run: nodeHandshake(p), async: true },
      ],
      { rounds: 9, batchMs: 150 },
    );
    tables.push(
      formatTable(`Full TLS 1.3 handshake, mutual auth, x25519, ${SUITE}, ${kind === 'p256' ? 'P-256' : 'RSA-2048'} certificates`, results),
    );
  }
  return tables.join('\n\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runHandshakeBench());
