// A scenario as a shell script that writes its data directory and client HOME byte for byte
// (modes included) and prints the `pgtls simulate` command that reproduces the page's
// verdict. The page simulates at SCENARIO_DIR, so the default directory gives the very paths
// psql's messages name.

import type { ScenarioFile } from './build.js';
import { SCENARIO_DIR, type Scenario } from './model.js';

type Versions = Pick<Scenario, 'pgVersion' | 'opensslVersion'>;
/** The version options, always written out so the command does not depend on the CLI's defaults. */
const versionArgs = (v: Versions) => `--pg-version ${v.pgVersion} --openssl-version ${v.opensslVersion}`;

/** One shell word, single-quoted. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The pgtls command line for a scenario at dir. */
export function simulateCommand(conninfo: string, v: Versions, dir = SCENARIO_DIR): string {
  return `pgtls simulate ${versionArgs(v)} --pgdata ${dir}/data --home ${dir}/home ${shq(conninfo)}`;
}

export function exportScript(files: ScenarioFile[], conninfo: string, v: Versions, name: string): string {
  const out = [
    '#!/bin/sh',
    `# pgtls scenario "${name.replace(/[\n"]/g, ' ')}", exported from the pgtls teaching page.`,
    `# Usage: sh pgtls-scenario.sh [DIR]   (default ${SCENARIO_DIR}: the paths psql's messages name)`,
    '# Then run the command it prints. For a real PostgreSQL, copy DIR/data into an initdb-made data directory.',
    'set -e',
    `D="\${1:-${SCENARIO_DIR}}"`,
    'mkdir -p "$D/data" "$D/home/.postgresql"',
  ];
  for (const f of files) {
    const target = `"$D/${f.path}"`;
    if (typeof f.text === 'string') out.push(`printf '%s' ${shq(f.text)} > ${target}`);
    else {
      let bin = '';
      for (const b of f.text) bin += String.fromCharCode(b);
      out.push(`printf '%s' '${btoa(bin)}' | base64 -d > ${target}`);
    }
    out.push(`chmod ${f.mode.toString(8).padStart(4, '0')} ${target}`);
  }
  out.push(`echo "pgtls simulate ${versionArgs(v)} --pgdata $D/data --home $D/home ${shq(conninfo).replace(/["$`\\]/g, '\\$&')}"`, '');
  return out.join('\n');
}
