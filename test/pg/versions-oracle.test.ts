// simulate() against real PostgreSQL 13, 14, 16, 17 and 18 (scripts/install-pg-versions.sh;
// 15 is covered case by case in its own oracle files), each through its own libpq (Debian's
// psql 15 binary with that libpq) and its bundled OpenSSL 1.1.1: the representative subset
// (VERSION_SUBSET) of test/support/version-oracle.ts's scenarios (setups, start-up failures,
// reload, pg_stat_ssl, service and password files, Unix sockets, pg_hba 16+, sslrootcert=system,
// 18's SSL changes), one cluster per version. For every case the verdict, psql's
// stderr and the server's log lines must be exactly what the real version printed; start-up
// outcomes compare every non-routine log line. Also Debian 13 "trixie"'s PostgreSQL 17 with its
// libpq and OpenSSL 3.5 and Debian testing "forky"'s 18 with OpenSSL 3.6
// (scripts/install-debian-root.sh; under chroot, their pg_wrapper's psql),
// simulated with --openssl-version 3.2, whose texts 3.5 prints (`ssl/tls alert certificate
// expired`). The versions run side by side (their time is mostly
// waiting on servers); a version that is not installed is skipped with the reason.
// `npm run oracle` runs every case and prints the agreement tables.
// Recorded in vectors/oracle/versions-oracle/pg<major>.json (pg17-trixie.json, pg18-forky.json): a version that is not installed
// (or every version, with PGTLS_REPLAY=1) is checked against its recording instead.

import { describe, it } from 'vitest';
import { useGoldens } from '../support/golden-suite.js';
import type { PgBuild } from '../support/pg-oracle.js';
import { VERSION_SUBSET, VersionOracle } from '../support/version-oracle.js';

const VERSIONS: { major: number; build?: PgBuild }[] = [
  ...[13, 14, 16, 17, 18].map((major) => ({ major })),
  { major: 17, build: 'trixie' },
  { major: 18, build: 'forky' },
];

const goldens = useGoldens('versions-oracle');

describe('simulate() vs PostgreSQL 13..18 with their own libpq (OpenSSL 1.1.1; trixie 17: OpenSSL 3.5; forky 18: OpenSSL 3.6)', () => {
  for (const { major, build } of VERSIONS) {
    const label = `PostgreSQL ${major}${build ? ` (${build})` : ''}`;
    const unavailable = goldens.skip(major, build);
    if (unavailable) console.warn(`versions-oracle: ${label} skipped, ${unavailable}`);

    it.skipIf(Boolean(unavailable)).concurrent(
      `${label}${goldens.mode(major, build) === 'replay' ? ' (replayed)' : ''}`,
      async ({ expect }) => {
        const vo = await VersionOracle.create(major, build);
        try {
          let compared = 0;
          for (const setup of VERSION_SUBSET) {
            const cases = await vo.run(setup);
            const expected = typeof setup.starts === 'function' ? setup.starts(major) : (setup.starts ?? true);
            const startup = cases.find((c) => c.name === 'server start-up');
            // the server started (or failed) as the scenario says it does on this version
            expect.soft(startup?.real.ok ?? true, `${setup.name}: ${JSON.stringify(startup?.real.log)}`).toBe(expected);
            expect
              .soft(cases.length, setup.name)
              .toBe((startup ? 1 : 0) + (expected ? (setup.reload ? 1 : 0) + vo.conns(setup).length : 0));
            for (const c of cases)
              expect.soft({ case: `${setup.name} / ${c.name}`, ...c.sim }).toEqual({ case: `${setup.name} / ${c.name}`, ...c.real });
            compared += cases.length;
          }
          if (vo.races)
            console.log(
              `versions-oracle: ${label}: ${vo.races} case(s) hit libpq's "could not send startup packet" race (compared without that line)`,
            );
          if (vo.retried.length) console.log(`versions-oracle: ${label}: run twice: ${vo.retried.join('; ')}`);
          // a run that compared nothing proves nothing
          expect(compared).toBeGreaterThan(40);
        } finally {
          vo.destroy();
        }
      },
      400_000,
    );
  }
});
