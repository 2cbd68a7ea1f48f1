/** Every code an `AuthcoreError` can carry. The core's codes cross every binding unchanged. */
export type AuthcoreErrorCode =
  // Tokens (inspect, verify)
  | 'token_too_large'
  | 'malformed'
  | 'invalid_claims'
  | 'unsupported_header'
  | 'algorithm_not_allowed'
  | 'unknown_key_id'
  | 'invalid_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_claim'
  | 'invalid_issuer'
  | 'invalid_audience'
  // Keys (Verifier constructors)
  | 'invalid_key'
  | 'weak_secret'
  | 'invalid_jwks'
  | 'unsupported_key'
  | 'duplicate_key_id'
  // Session
  | 'invalid_response'
  | 'invalid_session'
  | 'no_refresh_token'
  // This binding
  | 'invalid_argument'
  | 'not_signed_in'
  | 'session_changed';

/** The one error class of the package; `code` says what failed. */
export declare class AuthcoreError extends Error {
  constructor(code: AuthcoreErrorCode, message: string);
  readonly name: 'AuthcoreError';
  readonly code: AuthcoreErrorCode;
}
