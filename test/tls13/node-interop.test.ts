// Interop with Node's tls (OpenSSL 3.0) over loopback TCP, both directions: handshakes for
// each suite and several groups, HelloRetryRequest both ways, client authentication,
// application data, the key schedule cross-checked through Node's `keylog` event and the
// exporter, and the alerts OpenSSL sends and the texts it prints for ours.

import { spawn } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/der/index.js';
import {
  TlsClient,
  TlsServer,
  opensslAlertText,
  opensslErrorCode,
  type ClientConfig,
  type KeyExchangeGroup,
  type ServerConfig,
  type TlsEvent,
} from '../../src/tls13/index.js';
import { TlsEngineSocket } from '../../src/tls13/socket-node.js';
import { caAndLeaf, serverHelloWithoutTls13 } from './helpers.js';

const servers: net.Server[] = [];
afterAll(() =>
  servers.forEach((s) => {
    s.close();
  }),
);

function listen(server: net.Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** Our client against a Node server; resolves with the socket once secure or with the error. */
async function ourClientToNode(nodeOpts: tls.TlsOptions, config: ClientConfig) {
  const nodeKeylog: string[] = [];
  const nodeSockets: tls.TLSSocket[] = [];
  const nodeErrors: Error[] = [];
  const server = tls.createServer(nodeOpts, (s) => {
    nodeSockets.push(s);
    s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
    s.on('error', () => {});
  });
  server.on('keylog', (line) => nodeKeylog.push(line.toString().trim()));
  server.on('tlsClientError', (e) => nodeErrors.push(e));
  const port = await listen(server);
  const ourKeylog: string[] = [];
  const transport = net.connect(port, '127.0.0.1');
  const sock = new TlsEngineSocket(new TlsClient({ ...config, keylog: (l) => ourKeylog.push(l) }), transport);
  const result = await new Promise<{ ok: boolean; error?: Error }>((resolve) => {
    sock.once('secure', () => resolve({ ok: true }));
    sock.once('error', (error) => resolve({ ok: false, error }));
  });
  return { sock, result, nodeKeylog, ourKeylog, nodeSockets, nodeErrors };
}

async function echo(sock: TlsEngineSocket, msg: string): Promise<string> {
  const data = new Promise<string>((resolve) => sock.once('data', (d: Buffer) => resolve(d.toString())));
  sock.write(msg);
  return data;
}

/** A Node client against our server. */
async function nodeClientToOurs(config: ServerConfig, nodeOpts: tls.ConnectionOptions) {
  const ours: TlsEngineSocket[] = [];
  const ourKeylog: string[] = [];
  const server = net.createServer((s) => {
    const t = new TlsEngineSocket(new TlsServer({ ...config, keylog: (l) => ourKeylog.push(l) }), s);
    t.on('data', (d: Buffer) => t.write(Buffer.concat([Buffer.from('echo:'), d])));
    t.on('error', () => {});
    ours.push(t);
  });
  const port = await listen(server);
  const nodeKeylog: string[] = [];
  const client = tls.connect({ port, host: '127.0.0.1', ...nodeOpts });
  client.on('keylog', (l) => nodeKeylog.push(l.toString().trim()));
  const result = await new Promise<{ ok: boolean; error?: Error }>((resolve) => {
    client.once('secureConnect', () => resolve({ ok: true }));
    client.once('error', (error) => resolve({ ok: false, error }));
  });
  return { client, result, ours, ourKeylog, nodeKeylog };
}

const settle = () => new Promise((r) => setTimeout(r, 50));
const sortLines = (l: string[]) => [...l].sort();
const events = (s: TlsEngineSocket, type: TlsEvent['type']) => s.tlsEvents.filter((e) => e.type === type);

const GROUP_NODE: Record<KeyExchangeGroup, string> = {
  x25519: 'X25519',
  x448: 'X448',
  secp256r1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

describe('our client -> Node tls server', () => {
  const { ca, leaf } = caAndLeaf('p256-2', 'rsa2048-2', 'node.test');
  const suites = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
  for (const [i, suite] of suites.entries()) {
    const group = (['x25519', 'secp256r1', 'secp384r1'] as const)[i];
    it(`${suite} over ${group}: handshake, echo, keylog and exporter agree with OpenSSL`, async () => {
      const { sock, result, nodeKeylog, ourKeylog, nodeSockets } = await ourClientToNode(
        {
          key: leaf.certified.privateKey ? require_pem(leaf.keyPath) : '',
          cert: leaf.certPem,
          ciphers: suite,
          ecdhCurve: GROUP_NODE[group],
          minVersion: 'TLSv1.3',
          ALPNProtocols: ['postgresql'],
        },
        { serverName: 'node.test', cipherSuites: [suite], groups: [group], alpn: ['postgresql'] },
      );
      expect(result).toEqual({ ok: true });
      expect(sock.negotiated).toMatchObject({ cipherSuite: suite, group, alpn: 'postgresql', peerSignatureScheme: 'rsa_pss_rsae_sha256' });
      expect(await echo(sock, 'hello postgres')).toBe('echo:hello postgres');
      await settle();
      expect(sortLines(ourKeylog)).toEqual(sortLines(nodeKeylog));
      expect(ourKeylog).toHaveLength(5);
      const ekm = nodeSockets[0].exportKeyingMaterial(32, 'EXPORTER-pgtls', Buffer.from('ctx'));
      expect(toHex(sock.engine.exportKeyingMaterial(32, 'EXPORTER-pgtls', new TextEncoder().encode('ctx')))).toBe(ekm.toString('hex'));
      sock.end();
      void ca;
    });
  }

  it('Node server prefers P-384: our x25519-only key share gets a HelloRetryRequest', async () => {
    const { sock, result } = await ourClientToNode(
      { key: require_pem(leaf.keyPath), cert: leaf.certPem, ecdhCurve: 'P-384:X25519' },
      { groups: ['x25519', 'secp384r1'], keyShareGroups: ['x25519'] },
    );
    // OpenSSL uses a share the client sent if it supports its group, so force the retry with a group it lacks
    expect(result.ok).toBe(true);
    sock.end();
    const r2 = await ourClientToNode(
      { key: require_pem(leaf.keyPath), cert: leaf.certPem, ecdhCurve: 'P-384' },
      { groups: ['x25519', 'secp384r1'], keyShareGroups: ['x25519'] },
    );
    expect(r2.result).toEqual({ ok: true });
    expect(events(r2.sock, 'hello_retry_request')).toEqual([{ type: 'hello_retry_request', group: 'secp384r1' }]);
    expect(r2.sock.negotiated?.helloRetryRequest).toBe(true);
    expect(await echo(r2.sock, 'after hrr')).toBe('echo:after hrr');
    r2.sock.end();
  });

  it('client authentication: Node requires a certificate and accepts ours (ECDSA P-384 signed by its CA)', async () => {
    const cli = caAndLeaf('p256-3', 'p384-1', 'pgclient');
    const { sock, result, nodeSockets } = await ourClientToNode(
      { key: require_pem(leaf.keyPath), cert: leaf.certPem, requestCert: true, rejectUnauthorized: true, ca: cli.ca.certPem },
      { certificate: cli.leaf.certified },
    );
    expect(result).toEqual({ ok: true });
    expect(sock.negotiated?.clientCertificateRequested).toBe(true);
    expect(sock.negotiated?.signatureScheme).toBe('ecdsa_secp384r1_sha384');
    expect(await echo(sock, 'authenticated')).toBe('echo:authenticated');
    expect(nodeSockets[0].authorized).toBe(true);
    expect(nodeSockets[0].getPeerCertificate().subject.CN).toBe('pgclient');
    sock.end();
  });

  it('client authentication: with no certificate to give, Node (OpenSSL) sends certificate_required', async () => {
    const cli = caAndLeaf('p256-3', 'p384-1', 'pgclient');
    const { sock, result } = await ourClientToNode(
      { key: require_pem(leaf.keyPath), cert: leaf.certPem, requestCert: true, rejectUnauthorized: true, ca: cli.ca.certPem },
      {},
    );
    // our side finishes its flight, then OpenSSL rejects the empty Certificate
    if (result.ok) await new Promise((r) => sock.once('error', r));
    await settle();
    expect(events(sock, 'alert_received')).toEqual([{ type: 'alert_received', alert: 'certificate_required', code: 116, level: 'fatal' }]);
  });

  it('client authentication: a certificate from a CA Node does not trust: Node closes without an alert', async () => {
    // Observed: Node's server verifies in JavaScript after OpenSSL's handshake (its verify
    // callback accepts), then destroys the socket; no alert reaches the client.
    const stranger = caAndLeaf('ed25519-2', 'ed25519-3', 'stranger');
    const cli = caAndLeaf('p256-3', 'p384-1', 'pgclient');
    const { sock, nodeErrors } = await ourClientToNode(
      { key: require_pem(leaf.keyPath), cert: leaf.certPem, requestCert: true, rejectUnauthorized: true, ca: cli.ca.certPem },
      { certificate: stranger.leaf.certified },
    );
    await new Promise((r) => (sock.transport.destroyed ? r(null) : sock.transport.once('close', r)));
    await settle();
    expect(events(sock, 'alert_received')).toEqual([]);
    expect(sock.engine.state).toBe('Connected');
    void nodeErrors;
  });
});

describe('Node tls client -> our server', () => {
  const { ca, leaf } = caAndLeaf('p256-4', 'ed25519-4', 'pgserver');
  const other = caAndLeaf('p256-5', 'p256-6', 'elsewhere');

  it('Ed25519 server, default OpenSSL client: handshake (compat mode CCS), echo, keylog agree', async () => {
    const { client, result, ours, ourKeylog, nodeKeylog } = await nodeClientToOurs(
      { certificate: leaf.certified, alpn: ['postgresql'] },
      { ca: ca.certPem, servername: 'pgserver', ALPNProtocols: ['postgresql'] },
    );
    expect(result).toEqual({ ok: true });
    expect(client.getProtocol()).toBe('TLSv1.3');
    expect(client.alpnProtocol).toBe('postgresql');
    const reply = new Promise<string>((r) => client.once('data', (d) => r(d.toString())));
    client.write('SELECT 1');
    expect(await reply).toBe('echo:SELECT 1');
    await settle();
    expect(sortLines(ourKeylog)).toEqual(sortLines(nodeKeylog));
    expect(ours[0].negotiated).toMatchObject({ serverName: 'pgserver', signatureScheme: 'ed25519' });
    const ekm = client.exportKeyingMaterial(48, 'EXPORTER-pgtls', Buffer.alloc(0));
    expect(toHex(ours[0].engine.exportKeyingMaterial(48, 'EXPORTER-pgtls'))).toBe(ekm.toString('hex'));
    client.end();
  });

  it('Node offers only an x25519 share; our server prefers P-256 and sends HelloRetryRequest', async () => {
    const { client, result, ours } = await nodeClientToOurs(
      { certificate: leaf.certified, groups: ['secp256r1', 'x25519'] },
      { ca: ca.certPem, servername: 'pgserver', ecdhCurve: 'X25519:P-256' },
    );
    expect(result).toEqual({ ok: true });
    await settle();
    expect(ours[0].negotiated).toMatchObject({ group: 'secp256r1', helloRetryRequest: true });
    client.end();
  });

  it('mutual authentication: our server requires a client certificate and verifies Node’s RSA-PSS signature', async () => {
    const cli = caAndLeaf('p256-3', 'rsa2048-3', 'nodeclient');
    const { client, result, ours } = await nodeClientToOurs(
      { certificate: leaf.certified, clientAuth: 'require', clientCANames: [cli.ca.der.subarray(0, 0)].filter((x) => x.length) },
      { ca: ca.certPem, servername: 'pgserver', key: require_pem(cli.leaf.keyPath), cert: cli.leaf.certPem },
    );
    expect(result).toEqual({ ok: true });
    await settle();
    expect(ours[0].negotiated).toMatchObject({ peerSignatureScheme: 'rsa_pss_rsae_sha256', clientCertificateRequested: true });
    client.end();
  });

  it('Node client with the wrong CA rejects our server: it closes the connection without an alert', async () => {
    // Observed: Node's client lets OpenSSL finish with SSL_VERIFY_NONE semantics and checks
    // the chain in JavaScript on the server flight, then destroys the socket: no alert is sent.
    const { result, ours } = await nodeClientToOurs({ certificate: leaf.certified }, { ca: other.ca.certPem, servername: 'pgserver' });
    expect(result.ok).toBe(false);
    expect((result.error as any).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    await settle();
    expect(events(ours[0], 'alert_received')).toEqual([]);
    expect(ours[0].engine.state).toBe('ExpectClientFinished');
  });

  it('openssl s_client -verify_return_error with the wrong CA: OpenSSL sends unknown_ca, we receive it', async () => {
    const ours: TlsEngineSocket[] = [];
    const server = net.createServer((s) => {
      const t = new TlsEngineSocket(new TlsServer({ certificate: leaf.certified }), s);
      t.on('error', () => {});
      ours.push(t);
    });
    const port = await listen(server);
    const out = await new Promise<string>((resolve) => {
      const p = spawn(
        'openssl',
        ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', other.ca.certPath, '-verify_return_error', '-tls1_3'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let text = '';
      p.stdout.on('data', (d) => (text += d));
      p.stderr.on('data', (d) => (text += d));
      p.on('close', () => resolve(text));
      p.stdin.end();
    });
    await settle();
    expect(out).toContain('verify error:num=20:unable to get local issuer certificate');
    expect(events(ours[0], 'alert_received')).toEqual([{ type: 'alert_received', alert: 'unknown_ca', code: 48, level: 'fatal' }]);
  });

  it('openssl s_client: a ServerHello that drops TLS 1.3 after a HelloRetryRequest gets protocol_version (wrong ssl version), as from our client', async () => {
    const ours: TlsEvent[] = [];
    let hellos = 0;
    const server = net.createServer((s) => {
      // only P-256: s_client's first key share is X25519, so a HelloRetryRequest comes first
      const engine = new TlsServer({ certificate: leaf.certified, groups: ['secp256r1'] });
      s.on('data', (d) => {
        const r = engine.receive(new Uint8Array(d));
        ours.push(...r.events);
        for (const rec of r.out) s.write(rec[0] === 22 && rec[5] === 2 && ++hellos === 2 ? serverHelloWithoutTls13(rec) : rec);
      });
      s.on('error', () => {});
    });
    const port = await listen(server);
    const out = await new Promise<string>((resolve) => {
      const p = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      p.stdout.on('data', (d) => (text += d));
      p.stderr.on('data', (d) => (text += d));
      p.on('close', () => resolve(text));
      p.stdin.end();
    });
    await settle();
    expect(hellos).toBe(2);
    expect(out).toContain('ssl_choose_client_version:wrong ssl version');
    expect(ours.filter((e) => e.type === 'alert_received')).toEqual([
      { type: 'alert_received', alert: 'protocol_version', code: 70, level: 'fatal' },
    ]);
  });

  const alertCases: { name: string; server: ServerConfig; node: tls.ConnectionOptions; alert: string }[] = [
    {
      name: 'no common cipher suite',
      server: { cipherSuites: ['TLS_AES_256_GCM_SHA384'] },
      node: { ciphers: 'TLS_AES_128_GCM_SHA256' },
      alert: 'handshake_failure',
    },
    {
      name: 'TLS 1.2-only client vs TLS 1.3-only server',
      server: { minVersion: 'TLSv1.3' },
      node: { maxVersion: 'TLSv1.2' },
      alert: 'protocol_version',
    },
    {
      name: 'no common ALPN protocol',
      server: { alpn: ['postgresql'] },
      node: { ALPNProtocols: ['h2'] },
      alert: 'no_application_protocol',
    },
    { name: 'no common group', server: { groups: ['secp521r1'] }, node: { ecdhCurve: 'X25519' }, alert: 'handshake_failure' },
  ];
  for (const c of alertCases) {
    it(`${c.name}: we send ${c.alert}, and OpenSSL prints opensslAlertText() for it`, async () => {
      const { result, ours } = await nodeClientToOurs(
        { certificate: leaf.certified, ...c.server },
        { ca: ca.certPem, servername: 'pgserver', ...c.node },
      );
      expect(result.ok).toBe(false);
      expect(events(ours[0], 'alert_sent').map((e) => (e as any).alert)).toEqual([c.alert]);
      // Node 20 links OpenSSL 3.0: "error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure"
      expect(result.error!.message).toContain(`error:${opensslErrorCode(c.alert as any)}:SSL routines:`);
      expect(result.error!.message).toContain(`:${opensslAlertText(c.alert as any, { received: true, opensslVersion: '3.0' })}`);
    });
  }

  it('a Node TLS 1.2-only client against a server that allows TLS 1.2: we report negotiated TLSv1.2 and stop', async () => {
    const { ours } = await nodeClientToOurs(
      { certificate: leaf.certified },
      { ca: ca.certPem, servername: 'pgserver', maxVersion: 'TLSv1.2' },
    ).catch(() => ({ ours: [] as TlsEngineSocket[] }));
    await settle();
    expect(events(ours[0], 'negotiated')).toEqual([{ type: 'negotiated', version: 'TLSv1.2' }]);
    expect(events(ours[0], 'alert_sent')).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
function require_pem(path: string): string {
  return readFileSync(path, 'utf8');
}
