// Real `openssl s_client -starttls postgres` against any PostgreSQL-speaking server (a real
// one, `pgtls serve`), reduced to what a key-exchange comparison needs: connected or the
// alert it got, the version, suite and group negotiated, and whether the server asked for a
// second ClientHello (HelloRetryRequest). Asynchronous, so an in-process server keeps
// running. Also `pgtls serve` as a child process (the CLI as users run it). Test support only.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface SClientOptions {
  /** -groups (OpenSSL names, colon list) */
  groups?: string;
  /** -ciphersuites (TLS 1.3 suites) */
  ciphersuites?: string;
  /** extra arguments (-tls1_3, -no_tls1_3...) */
  extra?: string[];
}

export interface SClientOutcome {
  connected: boolean;
  /** TLSv1.3, TLSv1.2 when connected */
  version?: string;
  cipher?: string;
  /** OpenSSL's name from "Server Temp Key" (prime256v1, secp384r1, X25519, X448, ffdhe2048) */
  group?: string;
  /** ClientHellos sent: 2 after a HelloRetryRequest */
  clientHellos: number;
  /** the alert number the client received, when it got one */
  alert?: number;
  /** s_client refused its own options before connecting (an unknown group name) */
  optionError?: string;
}

export function sClient(port: number, o: SClientOptions = {}): Promise<SClientOutcome> {
  const args = ['s_client', '-starttls', 'postgres', '-connect', `127.0.0.1:${port}`, '-msg', '-no_ign_eof'];
  if (o.groups !== undefined) args.push('-groups', o.groups);
  if (o.ciphersuites !== undefined) args.push('-ciphersuites', o.ciphersuites);
  args.push(...(o.extra ?? []));
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      args,
      { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' } },
      (_e, stdout, stderr) => {
        resolve(parseSClient(`${stdout}\n${stderr}`));
      },
    );
    child.stdin?.end();
  });
}

export function parseSClient(text: string): SClientOutcome {
  const conf = /Call to SSL_CONF_cmd\(([^)]*)\) failed/.exec(text);
  const proto = /New, (TLSv[\d.]+), Cipher is (\S+)/.exec(text);
  const temp = /Server Temp Key: (?:ECDH, |DH, )?([^,\n]+),/.exec(text);
  const alert = /SSL alert number (\d+)/.exec(text);
  return {
    connected: !!proto,
    ...(proto ? { version: proto[1], cipher: proto[2] } : {}),
    ...(temp && proto ? { group: temp[1] } : {}),
    clientHellos: text.split('\n').filter((l) => /^>>> .*ClientHello$/.test(l)).length,
    ...(alert ? { alert: Number(alert[1]) } : {}),
    ...(conf ? { optionError: conf[1] } : {}),
  };
}

/**
 * The group codes of the server's EncryptedExtensions.supported_groups (`s_client -trace`;
 * undefined when it sent none), or undefined with `connected: false` when no handshake.
 */
export function sClientEncryptedExtensionGroups(port: number, groups: string): Promise<{ connected: boolean; groups?: number[] }> {
  const args = [
    's_client',
    '-starttls',
    'postgres',
    '-connect',
    `127.0.0.1:${port}`,
    '-trace',
    '-no_ign_eof',
    '-tls1_3',
    '-groups',
    groups,
  ];
  return new Promise((resolve) => {
    const child = execFile('openssl', args, { encoding: 'utf8', timeout: 20_000 }, (_e, stdout) => {
      const ee = stdout.split(/\n\s*EncryptedExtensions, Length=\d+\n/)[1]?.split(/\n\s*\n|Received Record/)[0];
      const block = ee?.split(/extension_type=/).find((x) => x.startsWith('supported_groups'));
      resolve({
        connected: /New, TLSv1\.3/.test(stdout),
        ...(block ? { groups: [...block.matchAll(/\((\d+)\)$/gm)].map((m) => Number(m[1])) } : {}),
      });
    });
    child.stdin?.end();
  });
}

export interface ServeChild {
  port: number;
  /** the log lines serve wrote to stderr so far */
  lines: string[];
  stop(): Promise<void>;
}

/**
 * `node dist/cli/main.js serve --pgdata DIR --port P`: resolves once it listens, or with
 * its exit status and stderr when it does not start.
 */
export function startServeCli(
  pgdata: string,
  port: number,
  extra: string[] = [],
): Promise<ServeChild | { exitCode: number; stderr: string }> {
  const main = join(import.meta.dirname, '../../dist/cli/main.js');
  const child: ChildProcess = spawn(process.execPath, [main, 'serve', '--pgdata', pgdata, '--port', String(port), ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  return new Promise((resolve) => {
    let listening = false;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
      if (!listening && parts.some((l) => l.startsWith('LOG:  listening on'))) {
        listening = true;
        resolve({
          port,
          lines,
          stop: () =>
            new Promise<void>((res) => {
              if (child.exitCode !== null) return res();
              child.once('exit', () => res());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      if (!listening) resolve({ exitCode: code ?? -1, stderr: [...lines, buf].join('\n') });
    });
  });
}
