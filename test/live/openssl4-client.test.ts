// A client on OpenSSL 4 (the one pyOpenSSL bundles; the machine's libpq links 3.0) against
// `pgtls serve`: SSLRequest, a TLS 1.3 handshake with a client certificate, the startup
// packet. It checks the engine against a newer OpenSSL's defaults (its groups and key
// shares) and, when serve rejects the certificate, that the alert text OpenSSL 4 prints is
// the one simulate() predicts with opensslVersion '4.0'. Skipped without pyOpenSSL on
// OpenSSL 4.

import { execFile, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeFs } from '../../src/pg/fs-node.js';
import { simulate } from '../../src/pg/simulate.js';
import { useServe } from './fixtures.js';

/** SSLRequest, then TLS with pyOpenSSL, then a startup packet: prints one JSON line. */
const CLIENT = `
import json, socket, struct, sys
from OpenSSL import SSL
host, port, name, root, cert, key, user, db = sys.argv[1:9]
out = {"openssl": SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode()}
s = socket.create_connection((host, int(port)), timeout=10)
s.settimeout(None)  # pyOpenSSL treats a socket with a timeout as non-blocking
s.sendall(struct.pack("!ii", 8, 80877103))
out["answer"] = s.recv(1).decode()
ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
ctx.load_verify_locations(root)
ctx.set_verify(SSL.VERIFY_PEER, lambda conn, x509, err, depth, ok: ok)
ctx.use_certificate_file(cert)
ctx.use_privatekey_file(key)
c = SSL.Connection(ctx, s)
c.set_tlsext_host_name(name.encode())
c.set_connect_state()
try:
    c.do_handshake()
    out.update(version=c.get_protocol_version_name(), cipher=c.get_cipher_name(), group=c.get_group_name())
    params = b"user\\x00" + user.encode() + b"\\x00database\\x00" + db.encode() + b"\\x00\\x00"
    c.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
    reply = c.recv(9)
    out["reply"] = reply[:1].decode() + ":" + str(struct.unpack("!i", reply[5:9])[0])
except SSL.Error as e:
    out["error"] = e.args[0][0][2] if e.args and e.args[0] else str(e)
    out["detail"] = repr(e)
print(json.dumps(out))
`;

const probe = spawnSync('python3', ['-c', 'from OpenSSL import SSL; print(SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode())'], {
  encoding: 'utf8',
});
const openssl4 = probe.status === 0 && probe.stdout.startsWith('OpenSSL 4.');

function client(args: string[]): Promise<Record<string, string>> {
  return new Promise((resolve, reject) =>
    execFile('python3', ['-c', CLIENT, ...args], { encoding: 'utf8', timeout: 20_000 }, (e, stdout, stderr) =>
      e ? reject(new Error(stderr || e.message)) : resolve(JSON.parse(stdout)),
    ),
  );
}

describe.skipIf(!openssl4)(
  `an OpenSSL 4 client against pgtls serve${openssl4 ? ` (${probe.stdout.trim()})` : ' (skipped: pyOpenSSL on OpenSSL 4 not installed)'}`,
  () => {
    const live = useServe();

    const run = (who: 'alice' | 'carol') =>
      client(['127.0.0.1', String(live.serve.port), 'localhost', live.c.root, live.c.crt[who], live.c.key, who, 'app']);

    it('handshake with a client certificate, then cert authentication answers AuthenticationOk', async () => {
      const r = await run('alice');
      // serve allows P-256 only, as PostgreSQL 15 with ssl_ecdh_curve = prime256v1 (test/pg/groups-oracle.test.ts)
      expect(r).toMatchObject({ answer: 'S', version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', group: 'secp256r1', reply: 'R:0' });
    });

    it('a revoked certificate: the alert text OpenSSL 4 prints is the one simulate predicts for 4.0', async () => {
      const r = await run('carol');
      const sim = simulate({
        pgVersion: 15,
        fs: nodeFs(),
        pgdata: live.pgdata,
        conninfo: `host=localhost hostaddr=127.0.0.1 port=${live.serve.port} sslmode=verify-full sslrootcert=${live.c.root} sslcert=${live.c.crt.carol} sslkey=${live.c.key} user=carol dbname=app`,
        env: { HOME: `${live.c.dir}/home` },
        clientUser: { uid: process.getuid!(), gids: [process.getgid!()] },
        serverOverrides: { port: String(live.serve.port) },
        opensslVersion: '4.0',
      });
      expect(r.error).toBe('tls alert certificate revoked');
      expect(sim.psqlStderr).toMatch(new RegExp(`SSL error: ${r.error}$`));
    });
  },
);
