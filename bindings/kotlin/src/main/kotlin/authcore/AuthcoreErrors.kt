// Hand-written (not generated): conveniences over the generated AuthcoreException.
package authcore

/**
 * The stable error code of any [AuthcoreException] (`expired`, `invalid_signature`,
 * `not_signed_in`, …), the same string the Rust core, the server and the JS bindings use.
 */
val AuthcoreException.code: String
    get() = when (this) {
        is AuthcoreException.Token -> code
        is AuthcoreException.Key -> code
        is AuthcoreException.Session -> code
        is AuthcoreException.Store -> code
        is AuthcoreException.Refresh -> code
        is AuthcoreException.Callback -> code
    }

/** The human-readable detail of any [AuthcoreException]. */
val AuthcoreException.detail: String
    get() = when (this) {
        is AuthcoreException.Token -> detail
        is AuthcoreException.Key -> detail
        is AuthcoreException.Session -> detail
        is AuthcoreException.Store -> detail
        is AuthcoreException.Refresh -> detail
        is AuthcoreException.Callback -> detail
    }
