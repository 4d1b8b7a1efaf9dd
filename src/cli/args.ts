// Minimal option parsing shared by every command: `--flag`, `--key value`, `--key=value`,
// single-dash OpenSSL-style options (`-CAfile F`) and positionals. Unknown options are a
// UsageError (exit 2), never silently ignored.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  /** options that take a value */
  values?: string[];
  /** options that are plain flags */
  flags?: string[];
  /** options that may repeat (collected into arrays) */
  repeat?: string[];
}

export interface ParsedArgs {
  opts: Record<string, string | boolean | string[]>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: OptionSpec): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const flags = new Set(spec.flags ?? []);
  const repeat = new Set(spec.repeat ?? []);
  const opts: ParsedArgs['opts'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    if (flags.has(name)) {
      if (eq > 0) throw new UsageError(`option ${a.slice(0, eq)} takes no value`);
      opts[name] = true;
    } else if (values.has(name) || repeat.has(name)) {
      let v: string;
      if (eq > 0) v = a.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw new UsageError(`option ${a} needs a value`);
        v = argv[++i];
      }
      if (repeat.has(name)) opts[name] = [...((opts[name] as string[]) ?? []), v];
      else opts[name] = v;
    } else {
      throw new UsageError(`unknown option ${a}`);
    }
  }
  return { opts, positionals };
}
