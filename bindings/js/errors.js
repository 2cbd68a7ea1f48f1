/**
 * The one error class of the package. `code` is the stable code of the Rust core (`expired`,
 * `invalid_signature`, `algorithm_not_allowed`, `malformed`, …) or one of the binding codes
 * `invalid_argument`, `not_signed_in`, `session_changed`.
 */
export class AuthcoreError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'AuthcoreError';
    /** @type {string} */
    this.code = code;
  }
}
