// Hand-written (not generated): the token records are declared once in the Rust core and generated
// into package `authcore.core`; these aliases let apps use them from package `authcore` with the
// rest of the API.
package authcore

/** What a token says about itself, read without verifying it (`inspectToken`). */
typealias Inspection = authcore.core.Inspection

/** The claims of a verified token (`TokenVerifier.verify`). */
typealias VerifiedClaims = authcore.core.VerifiedClaims

/** What `TokenVerifier` checks beyond the signature; every member has a default. */
typealias VerifyOptions = authcore.core.VerifyOptions
