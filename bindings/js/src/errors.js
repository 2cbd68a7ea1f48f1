// The package's one error class; its codes are listed in errors.d.ts.
export class AuthcoreError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'AuthcoreError';
    this.code = code;
  }
}
