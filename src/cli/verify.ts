// `pgtls verify`: a drop-in for `openssl verify` (OpenSSL 3.0): its options (parsed as
// apps/lib/opt.c parses them: `-opt`, `--opt`, `-opt=value`, options end at the first
// certificate name), its messages and exit codes (1 for usage and load errors, 2 when a
// certificate does not verify), `FILE: OK` and -show_chain on stdout, each error's subject
// line and `error N at D depth lookup: MESSAGE` on stderr. The trust store is OpenSSL's:
// -CAfile / -CApath / -CAstore, else the default file and directory (SSL_CERT_FILE,
// SSL_CERT_DIR) unless -no-CAfile / -no-CApath / -no-CAstore. pgtls's own extras:
// `-explain` prints every step of the decision, `-json` the structured result, `-profile
// rfc5280` the RFC 5280 profile. File reading and OpenSSL's load messages are verify-files.ts.

import { readFileSync, statSync } from 'node:fs';
import { formatNameOneline, formatNameRfc2253 } from '../x509/name.js';
import type { Certificate, Crl, Name } from '../x509/types.js';
import { verifyChain, type VerifyOptions, type VerifyResult } from '../path/validator.js';
import { dedupe } from '../path/store.js';
import { parseIpAsc } from '../path/hostname.js';
import { PURPOSE_NAMES, type Purpose } from '../path/purpose.js';
import { OPENSSL_VERIFY_FORGIVES } from '../path/context.js';
import { X509_V_ERR } from '../path/errors.js';
import { OID, oidShortName, oidLongName } from '../der/oids.js';
import {
  HashedDirLookup,
  LoadFailure,
  closeOverDirs,
  errLine,
  loadCaFile,
  loadCertBytes,
  loadCertFile,
  loadCertsFile,
  loadCrlsFile,
} from './verify-files.js';
import { policiesPrint } from './verify-policies.js';
import { signatureQueue } from './verify-queue.js';

/** Where the command writes; the tests capture it. */
interface VerifyIo {
  out(text: string): void;
  err(text: string): void;
  stdin(): Uint8Array;
  env: Record<string, string | undefined>;
}

// a reader that stops early (`| head`) closes the pipe: stop writing quietly, as console.log does
let pipesGuarded = false;
function write(stream: NodeJS.WriteStream, t: string): void {
  if (!pipesGuarded) {
    pipesGuarded = true;
    for (const s of [process.stdout, process.stderr])
      s.on('error', (e: NodeJS.ErrnoException) => void (e.code === 'EPIPE' || console.error(e.message)));
  }
  stream.write(t);
}

const processIo: VerifyIo = {
  out: (t) => write(process.stdout, t),
  err: (t) => write(process.stderr, t),
  stdin: () => new Uint8Array(readFileSync(0)),
  env: process.env,
};

const PROG = 'verify';

// apps/include/opt.h value types: '-' none, 's' string, '<' input file, '/' directory,
// ':' URI, 'n' int, 'M' intmax
type ValType = '-' | 's' | '<' | '/' | ':' | 'n' | 'M';

/** verify_options[] of apps/verify.c with OPT_V_OPTIONS and OPT_PROV_OPTIONS, then pgtls's extras */
const OPTIONS: Record<string, ValType> = {
  help: '-',
  engine: 's',
  verbose: '-',
  nameopt: 's',
  trusted: '<',
  CAfile: '<',
  CApath: '/',
  CAstore: ':',
  'no-CAfile': '-',
  'no-CApath': '-',
  'no-CAstore': '-',
  untrusted: '<',
  CRLfile: '<',
  crl_download: '-',
  show_chain: '-',
  policy: 's',
  purpose: 's',
  verify_name: 's',
  verify_depth: 'n',
  auth_level: 'n',
  attime: 'M',
  verify_hostname: 's',
  verify_email: 's',
  verify_ip: 's',
  ignore_critical: '-',
  issuer_checks: '-',
  crl_check: '-',
  crl_check_all: '-',
  policy_check: '-',
  explicit_policy: '-',
  inhibit_any: '-',
  inhibit_map: '-',
  x509_strict: '-',
  extended_crl: '-',
  use_deltas: '-',
  policy_print: '-',
  check_ss_sig: '-',
  trusted_first: '-',
  suiteB_128_only: '-',
  suiteB_128: '-',
  suiteB_192: '-',
  partial_chain: '-',
  no_alt_chains: '-',
  no_check_time: '-',
  allow_proxy_certs: '-',
  vfyopt: 's',
  'provider-path': 's',
  provider: 's',
  propquery: 's',
  // pgtls
  explain: '-',
  json: '-',
  profile: 's',
};

const HELP = `Usage: verify [options] [cert...]

General options:
 -help                 Display this summary
 -engine val           Use engine, possibly a hardware device
 -verbose              Print extra information about the operations being performed.
 -nameopt val          Certificate subject/issuer name printing options

Certificate chain options:
 -trusted infile       A file of trusted certificates
 -CAfile infile        A file of trusted certificates
 -CApath dir           A directory of files with trusted certificates
 -CAstore uri          URI to a store of trusted certificates
 -no-CAfile            Do not load the default trusted certificates file
 -no-CApath            Do not load trusted certificates from the default directory
 -no-CAstore           Do not load trusted certificates from the default certificates store
 -untrusted infile     A file of untrusted certificates
 -CRLfile infile       File containing one or more CRL's (in PEM format) to load
 -crl_download         Try downloading CRL information for certificates via their CDP entries
 -show_chain           Display information about the certificate chain

Validation options:
 -policy val           adds policy to the acceptable policy set
 -purpose val          certificate chain purpose
 -verify_name val      verification policy name
 -verify_depth int     chain depth limit
 -auth_level int       chain authentication security level
 -attime intmax        verification epoch time
 -verify_hostname val  expected peer hostname
 -verify_email val     expected peer email
 -verify_ip val        expected peer IP address
 -ignore_critical      permit unhandled critical extensions
 -issuer_checks        (deprecated)
 -crl_check            check leaf certificate revocation
 -crl_check_all        check full chain revocation
 -policy_check         perform rfc5280 policy checks
 -explicit_policy      set policy variable require-explicit-policy
 -inhibit_any          set policy variable inhibit-any-policy
 -inhibit_map          set policy variable inhibit-policy-mapping
 -x509_strict          disable certificate compatibility work-arounds
 -extended_crl         enable extended CRL features
 -use_deltas           use delta CRLs
 -policy_print         print policy processing diagnostics
 -check_ss_sig         check root CA self-signatures
 -trusted_first        search trust store first (default)
 -suiteB_128_only      Suite B 128-bit-only mode
 -suiteB_128           Suite B 128-bit mode allowing 192-bit algorithms
 -suiteB_192           Suite B 192-bit-only mode
 -partial_chain        accept chains anchored by intermediate trust-store CAs
 -no_alt_chains        (deprecated)
 -no_check_time        ignore certificate validity time
 -allow_proxy_certs    allow the use of proxy certificates
 -vfyopt val           Verification parameter in n:v form

Provider options:
 -provider-path val    Provider load path (must be before 'provider' argument if required)
 -provider val         Provider to load (can be specified multiple times)
 -propquery val        Property query used when fetching algorithms

Parameters:
 cert                  Certificate(s) to verify (optional; stdin used otherwise)

pgtls options:
 -explain              Print every step of the decision
 -json                 Print the structured result
 -profile val          openssl (default) or rfc5280

Recognized certificate chain purposes:
${PURPOSE_NAMES.map(([s, l]) => `  ${s.padEnd(15)}  ${l}`).join('\n')}
Recognized certificate policy names:
  default
  pkcs7
  smime_sign
  ssl_client
  ssl_server
`;

/** X509_VERIFY_PARAM_lookup's built-in table (x509_vpm.c default_table) */
const VERIFY_NAMES: Record<string, { purpose?: Purpose; depth?: number }> = {
  default: { depth: 100 },
  pkcs7: { purpose: 'smimesign' },
  smime_sign: { purpose: 'smimesign' },
  ssl_client: { purpose: 'sslclient' },
  ssl_server: { purpose: 'sslserver' },
};

/** -nameopt values (set_name_ex's table) and whether pgtls prints names that way */
const NAMEOPTS: Record<string, 'oneline' | 'rfc2253' | undefined> = {
  oneline: 'oneline',
  rfc2253: 'rfc2253',
  esc_2253: undefined,
  esc_2254: undefined,
  esc_ctrl: undefined,
  esc_msb: undefined,
  use_quote: undefined,
  utf8: undefined,
  ignore_type: undefined,
  show_type: undefined,
  dump_all: undefined,
  dump_nostr: undefined,
  dump_der: undefined,
  compat: undefined,
  sep_comma_plus: undefined,
  sep_comma_plus_space: undefined,
  sep_semi_plus_space: undefined,
  sep_multiline: undefined,
  dn_rev: undefined,
  nofname: undefined,
  sname: undefined,
  lname: undefined,
  align: undefined,
  oid: undefined,
  space_eq: undefined,
  dump_unknown: undefined,
  multiline: undefined,
  ca_default: undefined,
};

/** providers OpenSSL 3.0 on Debian loads: built in, or legacy.so in the modules directory */
const PROVIDERS = new Set(['default', 'base', 'null', 'legacy']);

/** The command ends with this exit code after printing these stderr lines. */
class Exit extends Error {
  constructor(
    readonly code: number,
    readonly lines: string[],
  ) {
    super(lines.join('\n'));
  }
}

const usageExit = (line: string) => new Exit(1, [line, `${PROG}: Use -help for summary.`]);

/** strtol/strtoimax with base 0 as opt_long/opt_intmax call them; undefined when OpenSSL refuses the text */
function cNumber(v: string, bits: number): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  if (!m) return undefined;
  const body = m[2];
  let n = /^0[xX]/.test(body) ? BigInt(body) : body.length > 1 && body[0] === '0' ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  if (m[1] === '-') n = -n;
  const max = (1n << BigInt(bits - 1)) - 1n;
  // LONG_MAX/LONG_MIN with ERANGE is a failure, whatever was written
  if (n >= max || n <= -max - 1n) return n === max || n === -max - 1n ? n : undefined;
  return n;
}

/** opt_number_error's message */
function numberError(v: string): string {
  const kind = /^0[xX]/.test(v) ? 'a hexadecimal' : v.startsWith('0') ? 'an octal' : 'a';
  return `${PROG}: Can't parse "${v}" as ${kind} number`;
}

/** atoi: what opt_verify does with -verify_depth and -auth_level after opt_int accepted them */
function atoi(v: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(v);
  if (!m) return 0;
  return Number(BigInt.asIntN(32, BigInt(m[1])));
}

/** OBJ_txt2obj(s, 0): a name OpenSSL knows, or a numeric OID */
function policyOid(s: string): string | undefined {
  if (/^[0-2](\.\d+)+$/.test(s)) {
    const arcs = s.split('.');
    if (arcs[0] !== '2' && Number(arcs[1]) >= 40) return undefined;
    return s;
  }
  for (const oid of Object.values(OID)) if (oidShortName(oid) === s || oidLongName(oid) === s) return oid;
  return undefined;
}

interface Settings {
  caFile?: string;
  caPath?: string;
  caStore?: string;
  noCaFile: boolean;
  noCaPath: boolean;
  noCaStore: boolean;
  untrusted?: Certificate[];
  trusted?: Certificate[];
  crls?: Crl[];
  showChain: boolean;
  verbose: boolean;
  explain: boolean;
  json: boolean;
  rfc5280: boolean;
  nameFormat: 'oneline' | 'rfc2253';
  vfyopts: string[];
  providerPath?: string;
  // X509_VERIFY_PARAM
  purpose?: Purpose;
  depth?: number;
  authLevel?: number;
  time?: Date;
  hostname?: string;
  email?: string;
  ip?: Uint8Array;
  policies: string[];
  flags: Set<string>;
}

function parse(argv: string[], io: VerifyIo): { s: Settings; files: string[] } | 'help' {
  const s: Settings = {
    noCaFile: false,
    noCaPath: false,
    noCaStore: false,
    showChain: false,
    verbose: false,
    explain: false,
    json: false,
    rfc5280: false,
    nameFormat: 'oneline',
    vfyopts: [],
    policies: [],
    flags: new Set(),
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) break;
    if (a === '--') {
      i++;
      break;
    }
    let name = a.slice(a.startsWith('--') ? 2 : 1);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (name === 'h') name = 'help';
    const type = Object.hasOwn(OPTIONS, name) ? OPTIONS[name] : undefined;
    if (type === undefined) throw usageExit(`${PROG}: Unknown option: -${name}`);
    if (type === '-') {
      if (value !== undefined) throw usageExit(`${PROG}: Option -${name} does not take a value`);
    } else if (value === undefined) {
      if (i + 1 >= argv.length) throw usageExit(`${PROG}: Option -${name} needs a value`);
      value = argv[++i];
    }
    if (type === '/') {
      let dir = false;
      try {
        dir = statIsDir(value!);
      } catch {
        dir = false;
      }
      if (!dir) throw usageExit(`${PROG}: Not a directory: ${value}`);
    }
    if (type === 'n') {
      const n = cNumber(value!, 64);
      if (n === undefined) throw usageExit(numberError(value!));
      if (n !== BigInt.asIntN(32, n)) throw usageExit(`${PROG}: Value "${value}" outside integer range`);
    }
    if (type === 'M' && cNumber(value!, 64) === undefined) throw usageExit(numberError(value!));
    if (name === 'help') return 'help';
    apply(s, name, value, io);
  }
  return { s, files: argv.slice(i) };
}

function statIsDir(p: string): boolean {
  // opt_isdir: stat() follows symbolic links
  return statSyncSafe(p)?.isDirectory() ?? false;
}

const statSyncSafe = (p: string) => {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
};

/** One option's effect, in command-line order (files named by -untrusted/-trusted/-CRLfile are read at once, as OpenSSL reads them). */
function apply(s: Settings, name: string, v: string | undefined, io: VerifyIo): void {
  const value = v ?? '';
  const load = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof LoadFailure) throw new Exit(1, e.lines);
      throw e;
    }
  };
  switch (name) {
    case 'verbose':
      s.verbose = true;
      return;
    case 'nameopt': {
      // set_name_ex: a comma-separated list of table names, each with an optional - or +
      const items = value.split(/[,\s]+/).filter((x) => x !== '');
      const known = items.length > 0 && items.every((x) => Object.hasOwn(NAMEOPTS, x.replace(/^[-+]/, '').toLowerCase()));
      if (!known) throw new Exit(1, []);
      const last = items[items.length - 1].replace(/^[-+]/, '').toLowerCase();
      const fmt = items.length === 1 ? NAMEOPTS[last] : undefined;
      if (!fmt) throw new Exit(1, [`pgtls verify: -nameopt ${value} is not supported (oneline and RFC2253 are)`]);
      s.nameFormat = fmt;
      return;
    }
    case 'engine': {
      const so = `/usr/lib/x86_64-linux-gnu/engines-3/${value}.so`;
      const dso = (f: string) => [
        errLine(
          '12800067',
          'DSO support routines',
          'dlfcn_load',
          'could not load the shared library',
          '../crypto/dso/dso_dlfcn.c:115',
          `filename(${f}): ${f}: cannot open shared object file: No such file or directory`,
        ),
        errLine('12800067', 'DSO support routines', 'DSO_load', 'could not load the shared library', '../crypto/dso/dso_lib.c:152'),
        errLine('13000084', 'engine routines', 'dynamic_load', 'dso not found', '../crypto/engine/eng_dyn.c:433'),
      ];
      throw new Exit(1, [
        `Invalid engine "${value}"`,
        ...dso(so),
        errLine('13000074', 'engine routines', 'ENGINE_by_id', 'no such engine', '../crypto/engine/eng_list.c:428', `id=${value}`),
        ...dso(`lib${value}.so`),
      ]);
    }
    case 'provider-path':
      s.providerPath = value;
      return;
    case 'provider': {
      if (PROVIDERS.has(value) && (value !== 'legacy' || s.providerPath === undefined)) return;
      const so = `${s.providerPath ?? io.env.OPENSSL_MODULES ?? '/usr/lib/x86_64-linux-gnu/ossl-modules'}/${value}.so`;
      throw new Exit(1, [
        `${PROG}: unable to load provider ${value}`,
        'Hint: use -provider-path option or OPENSSL_MODULES environment variable.',
        errLine(
          '12800067',
          'DSO support routines',
          'dlfcn_load',
          'could not load the shared library',
          '../crypto/dso/dso_dlfcn.c:115',
          `filename(${so}): ${so}: cannot open shared object file: No such file or directory`,
        ),
        errLine('12800067', 'DSO support routines', 'DSO_load', 'could not load the shared library', '../crypto/dso/dso_lib.c:152'),
        errLine(
          '07880025',
          'common libcrypto routines',
          'provider_init',
          'reason(524325)',
          '../crypto/provider_core.c:923',
          `name=${value}`,
        ),
      ]);
    }
    case 'propquery':
      return;
    case 'CAfile':
      s.caFile = value;
      return;
    case 'CApath':
      s.caPath = value;
      return;
    case 'CAstore':
      s.caStore = value;
      return;
    case 'no-CAfile':
      s.noCaFile = true;
      return;
    case 'no-CApath':
      s.noCaPath = true;
      return;
    case 'no-CAstore':
      s.noCaStore = true;
      return;
    case 'untrusted':
      s.untrusted = [...(s.untrusted ?? []), ...load(() => loadCertsFile(value, 'untrusted certificates'))];
      return;
    case 'trusted':
      s.noCaFile = s.noCaPath = s.noCaStore = true;
      s.trusted = [...(s.trusted ?? []), ...load(() => loadCertsFile(value, 'trusted certificates'))];
      return;
    case 'CRLfile':
      s.crls = [...(s.crls ?? []), ...load(() => loadCrlsFile(value))];
      return;
    case 'crl_download':
    case 'issuer_checks':
    case 'trusted_first':
    case 'no_alt_chains':
    case 'allow_proxy_certs':
    case 'extended_crl':
    case 'use_deltas':
      s.flags.add(name);
      return;
    case 'show_chain':
      s.showChain = true;
      return;
    case 'vfyopt':
      s.vfyopts.push(value);
      return;
    case 'explain':
      s.explain = true;
      return;
    case 'json':
      s.json = true;
      return;
    case 'profile':
      if (value !== 'openssl' && value !== 'rfc5280')
        throw new Exit(1, [`pgtls verify: -profile must be openssl or rfc5280, not ${value}`]);
      s.rfc5280 = value === 'rfc5280';
      return;
    // opt_verify
    case 'policy': {
      const oid = policyOid(value);
      if (!oid) throw new Exit(1, [`${PROG}: Invalid Policy ${value}`]);
      s.policies.push(oid);
      s.flags.add('policy_check');
      return;
    }
    case 'purpose': {
      const p = PURPOSE_NAMES.find(([sname]) => sname === value);
      if (!p) throw new Exit(1, [`${PROG}: Invalid purpose ${value}`]);
      s.purpose = p[0];
      return;
    }
    case 'verify_name': {
      const vn = Object.hasOwn(VERIFY_NAMES, value) ? VERIFY_NAMES[value] : undefined;
      if (!vn) throw new Exit(1, [`${PROG}: Invalid verify name ${value}`]);
      if (vn.purpose) s.purpose = vn.purpose;
      if (vn.depth !== undefined) s.depth = vn.depth;
      return;
    }
    case 'verify_depth': {
      const d = atoi(value);
      if (d >= 0) s.depth = d;
      return;
    }
    case 'auth_level': {
      const l = atoi(value);
      if (l >= 0) s.authLevel = l;
      return;
    }
    case 'attime': {
      // seconds since 1970; JavaScript dates end at +-8.64e15 ms
      const t = Number(cNumber(value, 64));
      s.time = new Date(Math.max(-8.64e15, Math.min(8.64e15, t * 1000)));
      return;
    }
    case 'verify_hostname':
      // X509_VERIFY_PARAM_set1_host with an empty name clears the list
      s.hostname = value === '' ? undefined : value;
      return;
    case 'verify_email':
      s.email = value;
      return;
    case 'verify_ip': {
      const ip = parseIpAsc(value);
      if (!ip) throw new Exit(1, []);
      s.ip = ip;
      return;
    }
    case 'explicit_policy':
    case 'inhibit_any':
    case 'inhibit_map':
      s.flags.add(name);
      s.flags.add('policy_check');
      return;
    default:
      s.flags.add(name);
  }
}

/** The trust store setup_verify builds: CA file, hashed directories, store */
interface Store {
  certs: Certificate[];
  crls: Crl[];
  dirs: HashedDirLookup[];
  notes: string[];
}

function setupStore(s: Settings, io: VerifyIo): Store {
  const store: Store = { certs: [], crls: [], dirs: [], notes: [] };
  const defaultDirs = () => (io.env.SSL_CERT_DIR ?? '/usr/lib/ssl/certs').split(':').filter((d) => d !== '');
  if (s.caFile !== undefined) {
    try {
      const f = loadCaFile(s.caFile);
      store.certs.push(...f.certs);
      store.crls.push(...f.crls);
    } catch (e) {
      if (e instanceof LoadFailure) throw new Exit(1, [`Error loading file ${s.caFile}`, ...e.lines]);
      throw e;
    }
  } else if (!s.noCaFile) {
    // the default file: a missing or unreadable one is no error
    try {
      const f = loadCaFile(io.env.SSL_CERT_FILE ?? '/usr/lib/ssl/cert.pem');
      store.certs.push(...f.certs);
      store.crls.push(...f.crls);
    } catch (e) {
      if (!(e instanceof LoadFailure)) throw e;
    }
  }
  if (s.caPath !== undefined) {
    const d = new HashedDirLookup(s.caPath);
    store.dirs.push(d);
    for (const n of d.unusedNames()) store.notes.push(`CApath: ${n} is never looked up (not named <hash>.N or <hash>.rN)`);
  } else if (!s.noCaPath) store.dirs.push(...defaultDirs().map((d) => new HashedDirLookup(d)));
  if (s.caStore !== undefined) {
    const uri = s.caStore.replace(/^file:(\/\/(?=\/))?/, '');
    const st = statSyncSafe(uri);
    if (!st) {
      throw new Exit(1, [
        `Error loading store URI ${s.caStore}`,
        errLine(
          '16000069',
          'STORE routines',
          'ossl_store_get0_loader_int',
          'unregistered scheme',
          '../crypto/store/store_register.c:237',
          'scheme=file',
        ),
        errLine(
          '80000002',
          'system library',
          'file_open',
          'No such file or directory',
          '../providers/implementations/storemgmt/file_store.c:266',
          `calling stat(${uri})`,
        ),
      ]);
    }
    if (st.isDirectory()) store.dirs.push(new HashedDirLookup(uri));
    else {
      try {
        store.certs.push(...loadCertsFile(uri, 'store'));
      } catch (e) {
        if (!(e instanceof LoadFailure)) throw e;
      }
      try {
        store.crls.push(...loadCrlsFile(uri));
      } catch (e) {
        if (!(e instanceof LoadFailure)) throw e;
      }
    }
  } else if (!s.noCaStore && !(s.caPath === undefined && !s.noCaPath)) {
    // the default store is the default directory (by_store.c), unless it is already a -CApath default
    store.dirs.push(...defaultDirs().map((d) => new HashedDirLookup(d)));
  }
  return store;
}

/** X509_V_FLAG_SUITEB_*: the flags combine (128_only | 192 is 128) */
function suiteB(flags: Set<string>): VerifyOptions['suiteB'] {
  const only = flags.has('suiteB_128_only') || flags.has('suiteB_128');
  const los192 = flags.has('suiteB_192') || flags.has('suiteB_128');
  return only && los192 ? '128' : only ? '128_only' : los192 ? '192' : undefined;
}

/**
 * -vfyopt as apps/lib/apps.c's do_x509_ctrl_string reads each value (the last one wins):
 * `distid[:ID]` sets the leaf's SM2 distinguishing ID to the text after the first colon
 * (none: empty); `hexdistid[:HEX]` to the octets OPENSSL_hexstr2buf makes of it (pairs of hex
 * digits, ':' between pairs; a bad or odd digit string makes it empty); any other name is a
 * parameter error.
 */
function vfyoptDistid(opts: string[]): { distid?: Uint8Array } | { bad: string } {
  let distid: Uint8Array | undefined;
  for (const o of opts) {
    const colon = o.indexOf(':');
    const name = colon < 0 ? o : o.slice(0, colon);
    const value = colon < 0 ? '' : o.slice(colon + 1);
    if (name === 'distid') distid = new TextEncoder().encode(value);
    else if (name === 'hexdistid') distid = hexstr2buf(value) ?? new Uint8Array(0);
    else return { bad: o };
  }
  return distid ? { distid } : {};
}

/** OPENSSL_hexstr2buf: hex digit pairs, ':' separators skipped between pairs; undefined on a bad or odd digit */
function hexstr2buf(s: string): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === ':') {
      i++;
      continue;
    }
    const pair = s.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return undefined;
    out.push(Number.parseInt(pair, 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

export async function run(argv: string[], io: VerifyIo = processIo): Promise<number> {
  const lines = (t: string[]) => {
    if (t.length) io.err(t.map((l) => `${l}\n`).join(''));
  };
  let parsed: ReturnType<typeof parse>;
  let store: Store;
  try {
    parsed = parse(argv, io);
    if (parsed === 'help') {
      io.err(HELP);
      return 0;
    }
    const { s } = parsed;
    if (s.trusted !== undefined && (s.caFile !== undefined || s.caPath !== undefined || s.caStore !== undefined)) {
      throw new Exit(1, [`${PROG}: Cannot use -trusted with -CAfile, -CApath or -CAstore`]);
    }
    store = setupStore(s, io);
  } catch (e) {
    if (e instanceof Exit) {
      lines(e.lines);
      return e.code;
    }
    throw e;
  }
  const { s, files } = parsed;
  const name = (n: Name) => (s.nameFormat === 'rfc2253' ? formatNameRfc2253(n) : formatNameOneline(n));
  let allOk = true;
  const jsonOut: unknown[] = [];
  for (const file of files.length ? files : [undefined]) {
    const label = file ?? 'stdin';
    let leaf: Certificate;
    try {
      leaf = file === undefined ? loadCertBytes(io.stdin()) : loadCertFile(file);
    } catch (e) {
      if (!(e instanceof LoadFailure)) throw e;
      lines(e.lines);
      allOk = false;
      continue;
    }
    const vfy = vfyoptDistid(s.vfyopts);
    if ('bad' in vfy) {
      lines([`parameter error "${vfy.bad}"`]);
      allOk = false;
      continue;
    }
    const trusted = s.trusted ?? store.certs;
    const untrusted = s.untrusted ?? [];
    const fromDirs = closeOverDirs(store.dirs, [leaf, ...untrusted, ...trusted]);
    const opts: VerifyOptions = {
      leaf,
      trusted: dedupe([...trusted, ...fromDirs.certs]),
      untrusted: s.untrusted,
      crls: [...store.crls, ...fromDirs.crls, ...(s.crls ?? [])],
      time: s.time,
      purpose: s.purpose,
      crlMode: s.flags.has('crl_check_all') ? 'all' : s.flags.has('crl_check') ? 'leaf' : 'none',
      maxDepth: s.depth,
      authLevel: s.authLevel ?? 0,
      profile: s.rfc5280 ? 'rfc5280' : 'openssl',
      hostname: s.hostname,
      email: s.email,
      ip: s.ip,
      x509Strict: s.flags.has('x509_strict') || s.rfc5280,
      partialChain: s.flags.has('partial_chain'),
      ignoreCritical: s.flags.has('ignore_critical'),
      noCheckTime: s.flags.has('no_check_time'),
      checkSsSig: s.flags.has('check_ss_sig'),
      policyCheck: s.flags.has('policy_check'),
      suiteB: suiteB(s.flags),
      policy: {
        ...(s.policies.length ? { initialPolicySet: s.policies } : {}),
        initialExplicitPolicy: s.flags.has('explicit_policy'),
        initialAnyPolicyInhibit: s.flags.has('inhibit_any'),
        initialPolicyMappingInhibit: s.flags.has('inhibit_map'),
      },
      callback: 'openssl-verify',
      ...(vfy.distid ? { distid: vfy.distid } : {}),
    };
    const result = verifyChain(opts, { subjectOf: (c) => name(c.subject) });
    if (!result.ok) allOk = false;
    if (s.json) {
      jsonOut.push(toJson(label, result, store.notes, name));
      continue;
    }
    if (s.explain) io.out(trace(result, store.notes, name));
    const err: string[] = [];
    for (const e of result.errors) {
      if (e.noCallback) continue;
      if (e.cert) err.push(name(e.cert.subject));
      err.push(`${e.crlPath ? '[CRL path] ' : ''}error ${e.code} at ${e.depth} depth lookup: ${e.message}`);
      // the callback prints the policy tree with this error, -policy_print or not
      if (e.code === X509_V_ERR.NO_EXPLICIT_POLICY) err.push(...policyLines(result));
    }
    // -policy_print (X509_V_FLAG_NOTIFY_POLICY): check_policy calls the callback with ok=2,
    // which prints the tree when no error came before
    if (s.flags.has('policy_print') && s.flags.has('policy_check') && result.ok && result.errors.length === 0)
      err.push(...policyLines(result));
    if (result.ok) {
      lines(err);
      let out = `${label}: OK\n`;
      if (s.showChain) {
        out += 'Chain:\n';
        const nu = result.numUntrusted ?? 0;
        result.chain.forEach((c, j) => {
          out += `depth=${j}: ${name(c.subject)}${j < nu ? ' (untrusted)' : ''}\n`;
        });
      }
      io.out(out);
    } else {
      err.push(`error ${label}: verification failed`);
      // X509_verify_cert returned 0 (an error the callback did not forgive): the queue is printed
      const last = result.errors.filter((e) => !e.noCallback).at(-1);
      if (last && !OPENSSL_VERIFY_FORGIVES.has(last.code)) {
        if (last.code === X509_V_ERR.CERT_SIGNATURE_FAILURE || last.code === X509_V_ERR.CRL_SIGNATURE_FAILURE)
          err.push(...signatureQueue(last, vfy.distid !== undefined && last.depth === 0));
      }
      lines(err);
    }
  }
  if (s.json) io.out(`${JSON.stringify(jsonOut.length === 1 ? jsonOut[0] : jsonOut, null, 2)}\n`);
  return allOk ? 0 : 2;
}

const policyLines = (r: VerifyResult): string[] => policiesPrint(r.policyReport).slice(0, -1).split('\n');

function trace(r: VerifyResult, notes: string[], name: (n: Name) => string): string {
  let out = '';
  for (const n of notes) out += `  note: ${n}\n`;
  for (const st of r.trace) {
    const where = st.depth !== undefined ? ` [depth ${st.depth}]` : '';
    out += `  ${st.result.toUpperCase().padEnd(4)} ${st.step}${where}${st.subject ? ` ${st.subject}` : ''}: ${st.detail}\n`;
  }
  out += `  chain: ${r.chain.map((c) => name(c.subject)).join('  <-  ')}\n`;
  return out;
}

function toJson(file: string, r: VerifyResult, notes: string[], name: (n: Name) => string): unknown {
  return {
    file,
    ok: r.ok,
    error: r.error ? { code: r.error.code, name: r.error.name, message: r.error.message, depth: r.error.depth } : undefined,
    errors: r.errors.map((e) => ({
      code: e.code,
      name: e.name,
      message: e.message,
      depth: e.depth,
      subject: e.cert ? name(e.cert.subject) : undefined,
    })),
    chain: r.chain.map((c) => name(c.subject)),
    trace: r.trace,
    notes,
    budgetExceeded: r.budgetExceeded,
  };
}
