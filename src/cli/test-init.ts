// `pgtls test --init --pgdata DIR`: writes pgtls-test.yaml in the working directory from what
// the setup does today (src/conformance/init.ts) and says where; never overwrites one
// without --force.

import { existsSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { relative, resolve } from 'node:path';
import { initExpectations } from '../conformance/init.js';
import { nodeFs } from '../pg/fs-node.js';
import { DEFAULT_LOCALE_DIR, nodeCatalogLoader, nodeLocaleInstalled } from '../pg/i18n/catalogs-node.js';
import { type ParsedArgs, timeOption, UsageError } from './args.js';
import { dataDirectory, fileError } from './fs-errors.js';

const INIT_FILE = 'pgtls-test.yaml';

export async function init(opts: ParsedArgs['opts']): Promise<number> {
  if (!opts.pgdata) throw new UsageError('--init needs --pgdata DIR');
  const pgdata = dataDirectory('pgdata', String(opts.pgdata));
  const out = resolve(INIT_FILE);
  if (existsSync(out) && !opts.force) throw new UsageError(`${out} exists: pass --force to overwrite it`);
  const me = userInfo();
  const fs = nodeFs();
  const at = timeOption(opts);
  // relative when it lies below the working directory (a repository), else absolute
  const below = relative(process.cwd(), pgdata);
  const rel = below === '' ? '.' : below.startsWith('..') ? pgdata : below;
  const { text, report, cases } = initExpectations(
    {
      base: {
        fs,
        clientUser: { uid: me.uid, gids: [me.gid] },
        osUser: me.username,
        catalogs: nodeCatalogLoader(DEFAULT_LOCALE_DIR),
        localeInstalled: nodeLocaleInstalled(),
      },
      pgdata,
      pgdataAsWritten: rel,
      dir: process.cwd(),
      hosts: (opts.host as string[] | undefined) ?? [],
      at,
    },
    fs,
  );
  if (!report.starts) throw new UsageError(`--pgdata ${opts.pgdata}: the server would not start:\n${report.fatal}`);
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw fileError(e, out, 'write', 'openssl');
  }
  console.log(
    `Wrote ${out}: ${cases} connection expectation(s) from what ${pgdata} does today. Edit it, then run: pgtls test ${INIT_FILE}`,
  );
  return 0;
}
