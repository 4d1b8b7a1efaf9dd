import { describe, expect, it } from 'vitest';
import { defaultSecurityLevel } from '../../src/crypto/index.js';
import { cipherSecurityLevel } from '../../src/pg/server/startup.js';
import { securityLevelOption, UsageError } from '../../src/cli/args.js';

// The security level as an input: its default per OpenSSL build, @SECLEVEL in ssl_ciphers,
// and the CLI option (the behaviour itself is checked against PostgreSQL 15 in
// startup-fidelity-oracle.test.ts).

describe('security level inputs', () => {
  it('defaults: Debian OpenSSL 3 builds 2, OpenSSL 1.1 builds 1', () => {
    expect(['3.0', '3.2', '4.0', '1.1'].map(defaultSecurityLevel)).toEqual([2, 2, 2, 1]);
  });

  it('@SECLEVEL=n in a cipher string: the last one, one digit 0..5', () => {
    expect(cipherSecurityLevel('HIGH:MEDIUM:+3DES:!aNULL')).toBeUndefined();
    expect(cipherSecurityLevel('DEFAULT:@SECLEVEL=0')).toBe(0);
    expect(cipherSecurityLevel('@SECLEVEL=3:HIGH:@SECLEVEL=1')).toBe(1);
  });

  it('--security-level takes 0..5 and nothing else', () => {
    expect(securityLevelOption({})).toBeUndefined();
    expect(securityLevelOption({ 'security-level': '0' })).toBe(0);
    expect(securityLevelOption({ 'security-level': '5' })).toBe(5);
    for (const bad of ['6', '-1', '1.5', 'two', '']) expect(() => securityLevelOption({ 'security-level': bad })).toThrow(UsageError);
  });
});
