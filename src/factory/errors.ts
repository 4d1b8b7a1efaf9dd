// The factory's one error type: a spec it cannot encode (an unknown name, a bad IP address,
// a missing key for an extension that needs one). Wrong-on-purpose values are not errors.

export class FactoryError extends Error {
  override readonly name = 'FactoryError';
}
