// pg_hba.conf lines that name hosts, simulate() against real PostgreSQL 15 + psql: the
// server's reverse lookup of the client (getnameinfo), the name or suffix compare, the
// forward lookup back to the client's address (getaddrinfo), log_hostname's early lookup,
// and the DETAIL the server logs with the no-entry FATAL. First with this machine's
// /etc/hosts, then with hosts files of our own that only the server sees (a private mount
// namespace: the machine's /etc/hosts is never changed), glibc answering from them.
// Compared: the verdict, psql's stderr, and the server's connection received / FATAL /
// DETAIL lines (client port normalised). The machine has no DNS that knows these names:
// a lookup the hosts file cannot answer fails, which is what simulate() assumes.

import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHostsFile, reverseLookup, type HostsTable } from '../../src/pg/config/hosts.js';
import { parseNumericHost } from '../../src/pg/config/inet.js';
import { privateHostsUnavailable } from '../support/pg-oracle.js';
import { useGoldens } from '../support/golden-suite.js';
import { useSimVsReal } from '../support/sim-vs-real.js';

// recorded in vectors/oracle/hba-hostname-oracle/: replayed where PostgreSQL 15 is not installed (or with PGTLS_REPLAY=1)
const goldens = useGoldens('hba-hostname-oracle');
const unavailable = goldens.skip();
if (unavailable) console.warn(`hba-hostname-oracle: skipped, ${unavailable}`);
const noPrivateHosts = unavailable ?? privateHostsUnavailable();
if (!unavailable && noPrivateHosts) console.warn(`hba-hostname-oracle: private hosts cases skipped, ${noPrivateHosts}`);

const machineHosts = parseHostsFile(readFileSync('/etc/hosts'));
const loopbackName = (() => {
  const r = reverseLookup(machineHosts, parseNumericHost('127.0.0.1')!);
  return r.ok ? r.name : undefined;
})();

interface Case {
  name: string;
  /** pg_hba.conf lines after `local all all trust` */
  hba: string;
  logHostname?: boolean;
  /** the client's address (psql's hostaddr) */
  from?: '127.0.0.1' | '::1';
  ok: boolean;
  /** the DETAIL under the FATAL, null for none (checked on the real server's log) */
  detail?: string | null;
  /** the connection received line's host */
  received?: string;
}

const conf = (c: Case) => `listen_addresses = '127.0.0.1,::1'\nlog_hostname = ${c.logHostname ? 'on' : 'off'}\n`;
const portFree = (l: string) => l.replace(/port=(\d+|<client port>)$/, 'port=N');

describe.skipIf(!!unavailable)('pg_hba.conf host names: simulate() vs PostgreSQL 15', () => {
  const sv = useSimVsReal({ logLines: /^(FATAL|DETAIL|LOG: {2}connection received)/, users: ['alice'], databases: ['app'] });

  async function run(c: Case, hosts?: HostsTable) {
    await sv.oracle.reload({ files: {}, sslConf: conf(c), hba: `local all all trust\n${c.hba}\n` });
    const from = c.from ?? '127.0.0.1';
    const { real, sim } = await sv.compare(`hostaddr=${from} user=alice dbname=app sslmode=disable`, { clientAddr: from, hosts });
    const fatal = real.log.findIndex((l) => l.startsWith('FATAL'));
    const detail = fatal >= 0 && real.log[fatal + 1]?.startsWith('DETAIL:  ') ? real.log[fatal + 1].slice(9) : null;
    expect({ ok: sim.ok, stderr: sim.stderr, log: sim.log.map(portFree) }).toEqual({
      ok: real.ok,
      stderr: real.stderr,
      log: real.log.map(portFree),
    });
    expect(real.ok).toBe(c.ok);
    if (c.detail !== undefined) expect(detail).toBe(c.detail);
    if (c.received) expect(real.log[0]).toMatch(new RegExp(`^LOG:  connection received: host=${c.received.replace(/[.]/g, '\\.')} port=`));
  }

  describe.skipIf(loopbackName !== 'localhost')("with this machine's /etc/hosts (127.0.0.1 is localhost)", () => {
    const cases: Case[] = [
      { name: 'localhost matches 127.0.0.1', hba: 'host all all localhost trust', ok: true },
      { name: 'upper-case LOCALHOST matches too', hba: 'host all all LOCALHOST trust', ok: true },
      {
        name: 'another name: no entry, reverse lookup logged',
        hba: 'host all all db.example.com trust',
        ok: false,
        detail: 'Client IP address resolved to "localhost", forward lookup not checked.',
      },
      {
        name: 'a suffix that does not match',
        hba: 'host all all .localdomain trust',
        ok: false,
        detail: 'Client IP address resolved to "localhost", forward lookup not checked.',
      },
      {
        name: 'the name matched but the database did not: forward lookup done',
        hba: 'host other all localhost trust',
        ok: false,
        detail: 'Client IP address resolved to "localhost", forward lookup matches.',
      },
      { name: 'no host-name line: no lookup, no DETAIL', hba: 'host all all 10.0.0.0/8 trust', ok: false, detail: null },
      {
        name: 'log_hostname looks the client up anyway',
        hba: 'host all all 10.0.0.0/8 trust',
        logHostname: true,
        ok: false,
        detail: 'Client IP address resolved to "localhost", forward lookup not checked.',
        received: 'localhost',
      },
      {
        name: 'log_hostname with a matching name line',
        hba: 'host all all localhost trust',
        logHostname: true,
        ok: true,
        received: 'localhost',
      },
      { name: 'a matching reject line logs no DETAIL', hba: 'host all all localhost reject', ok: false, detail: null },
      // samehost/samenet: the server's interfaces, no name lookup (pgtls assumes the loopback ones)
      { name: 'samehost from 127.0.0.1', hba: 'host all all samehost trust', ok: true },
      { name: 'samehost from ::1', hba: 'host all all samehost trust', from: '::1', ok: true },
      { name: 'samenet from ::1', hba: 'host all all samenet trust', from: '::1', ok: true },
    ];
    it('starts the server', () => {
      expect(sv.oracle.apply({ files: {}, sslConf: conf({ name: '', hba: '', ok: true }), hba: 'local all all trust\n' }).started).toBe(
        true,
      );
    });
    for (const c of cases) it(c.name, () => run(c));
    const v6 = reverseLookup(machineHosts, parseNumericHost('::1')!);
    it.skipIf(v6.ok)('::1, which /etc/hosts does not name: the reverse lookup fails', () =>
      run({
        name: '',
        hba: 'host all all localhost trust',
        from: '::1',
        ok: false,
        detail: 'Could not resolve client IP address to a host name: Name or service not known.',
      }),
    );
  });

  describe.skipIf(!!noPrivateHosts)('with a hosts file only the server sees', () => {
    const cases: (Case & { hosts: string })[] = [
      { name: 'a suffix match', hosts: '127.0.0.1 db.example.com db\n', hba: 'host all all .example.com trust', ok: true },
      { name: 'names compare case-insensitively', hosts: '127.0.0.1 DB.Example.COM\n', hba: 'host all all db.example.com trust', ok: true },
      {
        name: 'an alias is not the reverse name',
        hosts: '127.0.0.1 primary alias\n',
        hba: 'host all all alias trust',
        ok: false,
        detail: 'Client IP address resolved to "primary", forward lookup not checked.',
      },
      {
        name: 'the first line with the address names it',
        hosts: '127.0.0.1 first\n127.0.0.1 second\n',
        hba: 'host all all second trust',
        ok: false,
        detail: 'Client IP address resolved to "first", forward lookup not checked.',
      },
      {
        name: 'forward lookup takes every line naming the host',
        hosts: '10.9.9.9 both\n127.0.0.1 both\n',
        hba: 'host all all both trust',
        ok: true,
      },
      {
        name: 'comments and blank lines',
        hosts: '# comment\n\n  127.0.0.1\tcommented # other\n',
        hba: 'host all all other trust',
        ok: false,
        detail: 'Client IP address resolved to "commented", forward lookup not checked.',
      },
      {
        name: 'a name that is a number resolves to itself: forward lookup does not match',
        hosts: '127.0.0.1 10.0.0.5\n',
        hba: 'host all all .0.5 trust',
        ok: false,
        detail: 'Client IP address resolved to "10.0.0.5", forward lookup does not match.',
      },
      {
        name: 'no line for the address: reverse lookup fails',
        hosts: '10.1.1.1 elsewhere\n',
        hba: 'host all all elsewhere trust',
        ok: false,
        detail: 'Could not resolve client IP address to a host name: Name or service not known.',
      },
      {
        name: 'a ::1 line answers an IPv4 reverse lookup of 127.0.0.1',
        hosts: '::1 six\n127.0.0.1 four\n',
        hba: 'host all all six trust',
        ok: false,
        detail: 'Client IP address resolved to "six", forward lookup does not match.',
      },
      {
        name: 'log_hostname: a numeric-looking name is logged but not kept',
        hosts: '127.0.0.1 10.0.0.5\n',
        hba: 'host all all 10.0.0.0/8 trust',
        logHostname: true,
        ok: false,
        detail: null,
        received: '10.0.0.5',
      },
      {
        name: 'log_hostname: the kept name is compared without a new reverse lookup',
        hosts: '127.0.0.1 db.example.com\n',
        hba: 'host all all db.example.com trust',
        logHostname: true,
        ok: true,
        received: 'db.example.com',
      },
      { name: 'IPv6 client with an IPv6 line', hosts: '::1 v6host\n', hba: 'host all all v6host trust', from: '::1', ok: true },
      { name: 'a line with an address only gives an empty name', hosts: '127.0.0.1\n', hba: 'host all all localhost trust', ok: false },
    ];
    let hostsPath = '';
    it('starts the server in its own mount namespace', () => {
      hostsPath = join(sv.dir, 'hosts');
      writeFileSync(hostsPath, '127.0.0.1 localhost\n');
      chmodSync(hostsPath, 0o644);
      const st = sv.oracle.apply({
        files: {},
        sslConf: conf({ name: '', hba: '', ok: true }),
        hba: 'local all all trust\n',
        hostsFile: hostsPath,
      });
      expect(st.started).toBe(true);
    });
    for (const c of cases) {
      it(c.name, async () => {
        // glibc reads the file at each lookup: rewriting it in place (same inode, still bound over /etc/hosts) is enough
        writeFileSync(hostsPath, c.hosts);
        await run(c, parseHostsFile(c.hosts, '/etc/hosts'));
      });
    }
  });
});
