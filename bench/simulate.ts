// `pgtls simulate` wall time (issue 5 targets: under 300 ms for a process start, under 5 ms
// per scenario in-process). In-process: simulate() over an in-memory data directory for a
// few representative scenarios (RSA-2048 and P-256 servers, with and without client
// certificates, a verify failure), with pure-TypeScript crypto and with the node:crypto
// accelerator the CLI installs. Process: `node dist/cli/main.js simulate` end to end.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeHierarchy } from '../dist/factory/index.js';
import { memFs, simulate, type MemFile } from '../dist/pg/index.js';
import { useAccelerator } from '../dist/crypto/index.js';
import { nodeAccelerator } from '../dist/crypto/accelerator-node.js';
import { parsePrivateKey } from '../dist/x509/index.js';
import { bench, formatTable } from './harness.js';

const key = (name: string) => parsePrivateKey(readFileSync(new URL(`../vectors/keys/${name}.pem`, import.meta.url)));

export function scenario(kind: 'rsa2048' | 'p256', clientCert: boolean) {
  const h = makeHierarchy('chain', {
    cn: 'db.example.com',
    clientUser: clientCert ? 'alice' : undefined,
    keys: {
      root: key(`${kind}-1`),
      intermediate: key(`${kind}-2`),
      server: key(`${kind}-3`),
      client: key(`${kind}-4`),
      other: key(`${kind}-5`),
    },
  });
  const conf = [
    'ssl = on',
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    ...(clientCert ? ["ssl_ca_file = 'root.crt'"] : []),
  ];
  const files: Record<string, MemFile> = {
    '/data/postgresql.conf': { content: `${conf.join('\n')}\n`, uid: 101 },
    '/data/pg_hba.conf': { content: `hostssl all all 127.0.0.1/32 ${clientCert ? 'cert' : 'trust'}\n`, uid: 101 },
    '/data/pg_ident.conf': { content: '', uid: 101 },
    '/data/server.crt': { content: h.serverCrtPem, uid: 101 },
    '/data/server.key': { content: h.server.keyPem, uid: 101, mode: 0o600 },
    '/data/root.crt': { content: h.rootCrtPem, uid: 101 },
    '/home/u/.postgresql/root.crt': { content: h.rootCrtPem, uid: 1000 },
    '/home/u/.postgresql/intermediate.crt': { content: h.intermediate!.cert.pem, uid: 1000 },
  };
  if (clientCert) {
    files['/home/u/.postgresql/postgresql.crt'] = { content: h.client!.cert.pem, uid: 1000 };
    files['/home/u/.postgresql/postgresql.key'] = { content: h.client!.keyPem, mode: 0o600, uid: 1000 };
  }
  const fs = memFs(files, { uid: 101, gid: 104 });
  return (conninfo: string) => () => {
    const r = simulate({
      fs,
      pgdata: '/data',
      conninfo,
      env: { HOME: '/home/u' },
      osUser: 'alice',
      clientUser: { uid: 1000, gids: [1000] },
    });
    return r.ok;
  };
}

export function runSimulateBench(): string {
  const base = 'host=db.example.com hostaddr=127.0.0.1 user=alice dbname=app';
  const rsa = scenario('rsa2048', false);
  const rsaMutual = scenario('rsa2048', true);
  const p256 = scenario('p256', false);
  const scenarios = [
    { name: 'rsa2048 verify-full, connects', run: rsa(`${base} sslmode=verify-full`) },
    { name: 'rsa2048 mutual (cert auth)', run: rsaMutual(`${base} sslmode=verify-full`) },
    { name: 'rsa2048 verify failure', run: rsa(`${base} sslmode=verify-ca sslrootcert=/home/u/.postgresql/intermediate.crt`) },
    { name: 'p256 verify-full, connects', run: p256(`${base} sslmode=verify-full`) },
    { name: 'sslmode=disable (no TLS)', run: rsa(`${base} sslmode=disable`) },
  ];
  // Both crypto set-ups in one run: the BigInt code alone (what a browser runs) and with
  // node:crypto's RSA private operation, X25519, AEADs and HMAC installed (what the CLI runs;
  // same output).
  const previous = useAccelerator(undefined);
  const pure = bench(scenarios, { rounds: 9, batchMs: 60 });
  useAccelerator(nodeAccelerator());
  const accelerated = bench(scenarios, { rounds: 9, batchMs: 60 });
  useAccelerator(previous);
  let out = formatTable('simulate() per scenario, in-process, pure TypeScript crypto (target < 5 ms)', pure, { ratios: false });
  out += `\n\n${formatTable(`simulate() per scenario, in-process, RSA private op, X25519, AEAD and HMAC on ${nodeAccelerator().name} (target < 5 ms)`, accelerated, { ratios: false })}`;

  // A process start: the CLI on a real directory, as a user runs it.
  const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
  if (existsSync(cli)) {
    const dir = mkdtempSync(join(tmpdir(), 'pgtls-bench-'));
    const h = makeHierarchy('root-server', { cn: 'db.example.com', keys: { root: key('rsa2048-1'), server: key('rsa2048-2') } });
    writeFileSync(join(dir, 'postgresql.conf'), "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
    writeFileSync(join(dir, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 trust\n');
    writeFileSync(join(dir, 'server.crt'), h.serverCrtPem);
    writeFileSync(join(dir, 'server.key'), h.server.keyPem);
    chmodSync(join(dir, 'server.key'), 0o600);
    writeFileSync(join(dir, 'root.crt'), h.rootCrtPem);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [
        cli,
        'simulate',
        '--pgdata',
        dir,
        `host=db.example.com hostaddr=127.0.0.1 user=app dbname=app sslmode=verify-full sslrootcert=${dir}/root.crt`,
      ]);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out += `\n\npgtls simulate as a process (node dist/cli/main.js, RSA-2048 root + server): median ${times[3].toFixed(0)} ms over 7 runs (target < 300 ms)`;
  } else {
    out += '\n\n(process start not measured: run `npm run build` first)';
  }
  return out;
}
