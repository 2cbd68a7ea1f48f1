//! Verification: signature with an algorithm bound to each key, then times, issuer and audience.

use std::sync::Arc;

use super::claims::{Claims, leeway_i64};
use super::error::TokenError;
use super::inspect::{Header, decode_segment, parse_claims, parse_header, split};
use super::keys::{Algorithm, Key, KeySet};
#[cfg(feature = "signing")]
use super::provider::ensure_installed;
use super::provider::signature_valid;

/// Default clock tolerance in seconds.
pub const DEFAULT_LEEWAY_SECONDS: u64 = 60;

/// A source of the current time in seconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// Now, in seconds since the epoch.
    fn now(&self) -> i64;
}

/// The operating system clock. Not available on `wasm32-unknown-unknown`, where the caller passes
/// a clock backed by `Date.now()`.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl Clock for SystemClock {
    fn now(&self) -> i64 {
        use std::time::{SystemTime, UNIX_EPOCH};
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(_) => 0,
        }
    }
}

/// A clock stopped at one instant, for tests and vectors.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

/// What verification checks beyond the signature. Every member has a default (60 s leeway,
/// `exp` required, any issuer, no audience); each surface lets callers leave members out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(
    feature = "wasm",
    derive(tsify::Tsify),
    serde(rename_all = "camelCase", default)
)]
pub struct VerifyOptions {
    /// Clock tolerance for `exp` and `nbf`, in whole seconds.
    #[cfg_attr(feature = "uniffi", uniffi(default = 60))]
    pub leeway_seconds: u64,
    /// Whether a token without `exp` is refused (`missing_claim`).
    #[cfg_attr(feature = "uniffi", uniffi(default = true))]
    pub require_exp: bool,
    /// The required `iss`, if any.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub issuer: Option<String>,
    /// The audience this verifier is; required in `aud` when set. A token carrying `aud` is refused
    /// when this is unset (RFC 7519 §4.1.3).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub audience: Option<String>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            leeway_seconds: DEFAULT_LEEWAY_SECONDS,
            require_exp: true,
            issuer: None,
            audience: None,
        }
    }
}

/// A token whose signature, times, issuer and audience were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    /// The header.
    pub header: Header,
    /// The verified claims.
    pub claims: Claims,
}

/// Verifies tokens against a key set.
#[derive(Clone)]
pub struct Verifier {
    keys: KeySet,
    options: VerifyOptions,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier over `keys` with `options`, reading the time from `clock`.
    pub fn new(keys: KeySet, options: VerifyOptions, clock: Arc<dyn Clock>) -> Verifier {
        // Verification does not need it; code that calls jsonwebtoken directly after building a
        // verifier (the benches) relies on it.
        #[cfg(feature = "signing")]
        ensure_installed();
        Verifier {
            keys,
            options,
            clock,
        }
    }

    /// A verifier with the operating system clock.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn with_system_clock(keys: KeySet, options: VerifyOptions) -> Verifier {
        Verifier::new(keys, options, Arc::new(SystemClock))
    }

    /// The keys this verifier trusts.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The options in force.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// Verifies `token` at the clock's current time.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.verify_at(token, self.clock.now())
    }

    /// Verifies `token` as if the time were `now` (seconds since the epoch).
    ///
    /// Order of checks: size and structure, header, algorithm and key (`algorithm_not_allowed`,
    /// `unknown_key_id`), signature, claims types, `exp`, `nbf`, `iss`, `aud`.
    pub fn verify_at(&self, token: &str, now: i64) -> Result<VerifiedToken, TokenError> {
        let segments = split(token)?;
        let header = parse_header(segments.header)?;
        let alg = Algorithm::from_name(&header.alg)
            .ok_or_else(|| TokenError::AlgorithmNotAllowed(header.alg.clone()))?;
        let verified = match header.kid.as_deref() {
            Some(kid) => {
                let key = self.keys.find(kid).ok_or(TokenError::UnknownKeyId)?;
                if key.algorithm() != alg {
                    return Err(TokenError::AlgorithmNotAllowed(header.alg.clone()));
                }
                signature_matches(key, &segments)?
            }
            None => {
                let mut candidates = self
                    .keys
                    .keys()
                    .iter()
                    .filter(|k| k.algorithm() == alg)
                    .peekable();
                if candidates.peek().is_none() {
                    return Err(TokenError::AlgorithmNotAllowed(header.alg.clone()));
                }
                let mut any = false;
                for key in candidates {
                    if signature_matches(key, &segments)? {
                        any = true;
                        break;
                    }
                }
                any
            }
        };
        if !verified {
            return Err(TokenError::InvalidSignature);
        }
        let claims = parse_claims(segments.payload)?;
        self.check_claims(&claims, now)?;
        Ok(VerifiedToken { header, claims })
    }

    fn check_claims(&self, claims: &Claims, now: i64) -> Result<(), TokenError> {
        let leeway = leeway_i64(self.options.leeway_seconds);
        match claims.exp {
            Some(exp) if now >= exp.saturating_add(leeway) => return Err(TokenError::Expired),
            None if self.options.require_exp => return Err(TokenError::MissingClaim("exp")),
            _ => {}
        }
        if let Some(nbf) = claims.nbf
            && now.saturating_add(leeway) < nbf
        {
            return Err(TokenError::NotYetValid);
        }
        if let Some(expected) = &self.options.issuer {
            match &claims.iss {
                None => return Err(TokenError::MissingClaim("iss")),
                Some(iss) if iss != expected => return Err(TokenError::InvalidIssuer),
                Some(_) => {}
            }
        }
        match (&self.options.audience, &claims.aud) {
            (Some(_), None) => return Err(TokenError::MissingClaim("aud")),
            (Some(expected), Some(aud)) if !aud.contains(expected) => {
                return Err(TokenError::InvalidAudience);
            }
            (None, Some(_)) => return Err(TokenError::InvalidAudience),
            _ => {}
        }
        Ok(())
    }
}

fn signature_matches(
    key: &Key,
    segments: &super::inspect::Segments<'_>,
) -> Result<bool, TokenError> {
    let signature = decode_segment(segments.signature)
        .map_err(|_| TokenError::Malformed("signature is not unpadded base64url"))?;
    Ok(signature_valid(
        key,
        segments.signing_input.as_bytes(),
        &signature,
    ))
}
