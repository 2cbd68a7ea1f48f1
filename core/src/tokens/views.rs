//! The records every surface returns for a token: declared here once, with the derives each
//! surface needs (`uniffi` feature: Swift/Kotlin/Python records; `wasm` feature: the TypeScript
//! interfaces). Field names are the JWT claim names (RFC 7519), camelCased by each surface.

use serde::Serialize;

use super::claims::{Audience, Claims};
use super::inspect::{Header, UnverifiedToken};
use super::verify::VerifiedToken;
use crate::json_lite::ObjectWriter;

/// What a token says about itself, read **without** verifying its signature: for showing who is
/// signed in or deciding when to refresh, never for granting access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct Inspection {
    /// The header's `alg`, exactly as written (it may name an algorithm verification refuses).
    pub alg: String,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// The header's `typ`, if any.
    pub typ: Option<String>,
    /// The `id` claim (the seed's user id).
    pub id: Option<i64>,
    /// The user id: `id`, or else `sub` when it is a decimal integer.
    pub user_id: Option<i64>,
    /// The `roles` claim as written (`["user", "admin"]`); none when absent.
    pub roles: Option<Vec<String>>,
    /// Issued at, seconds since the epoch.
    pub iat: Option<i64>,
    /// Not before, seconds since the epoch.
    pub nbf: Option<i64>,
    /// Expiry, seconds since the epoch.
    pub exp: Option<i64>,
    /// Issuer.
    pub iss: Option<String>,
    /// Subject.
    pub sub: Option<String>,
    /// Audiences (a single string becomes one element); none when absent.
    pub aud: Option<Vec<String>>,
    /// Token id.
    pub jti: Option<String>,
    /// Whether `exp` is past at the inspection time, without leeway (`false` without `exp`).
    pub expired: bool,
    /// Seconds until `exp` at the inspection time (negative once expired); none without `exp`.
    pub seconds_left: Option<i64>,
}

/// The claims of a token whose signature, times, issuer and audience were checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
pub struct VerifiedClaims {
    /// The header's `alg`.
    pub alg: String,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// The `id` claim (the seed's user id).
    pub id: Option<i64>,
    /// The user id: `id`, or else `sub` when it is a decimal integer.
    pub user_id: Option<i64>,
    /// The `roles` claim as written; none when absent.
    pub roles: Option<Vec<String>>,
    /// Issued at, seconds since the epoch.
    pub iat: Option<i64>,
    /// Not before, seconds since the epoch.
    pub nbf: Option<i64>,
    /// Expiry, seconds since the epoch.
    pub exp: Option<i64>,
    /// Issuer.
    pub iss: Option<String>,
    /// Subject.
    pub sub: Option<String>,
    /// Audiences (a single string becomes one element); none when absent.
    pub aud: Option<Vec<String>>,
    /// Token id.
    pub jti: Option<String>,
}

fn audience_list(aud: Option<Audience>) -> Option<Vec<String>> {
    aud.map(|aud| match aud {
        Audience::One(one) => vec![one],
        Audience::Many(all) => all,
    })
}

impl Inspection {
    /// The inspection of `token`, judging `expired` and `seconds_left` at `now`.
    pub fn at(token: UnverifiedToken, now: i64) -> Inspection {
        let UnverifiedToken { header, claims } = token;
        let Header { alg, kid, typ } = header;
        Inspection {
            alg,
            kid,
            typ,
            id: claims.id,
            user_id: claims.user_id(),
            expired: claims.is_expired_at(now, 0),
            seconds_left: claims.seconds_left(now),
            roles: claims.roles,
            iat: claims.iat,
            nbf: claims.nbf,
            exp: claims.exp,
            iss: claims.iss,
            sub: claims.sub,
            aud: audience_list(claims.aud),
            jti: claims.jti,
        }
    }
}

impl From<VerifiedToken> for VerifiedClaims {
    fn from(token: VerifiedToken) -> VerifiedClaims {
        let VerifiedToken { header, claims } = token;
        let user_id = claims.user_id();
        let Claims {
            id,
            roles,
            iat,
            nbf,
            exp,
            aud,
            iss,
            sub,
            jti,
        } = claims;
        VerifiedClaims {
            alg: header.alg,
            kid: header.kid,
            id,
            user_id,
            roles,
            iat,
            nbf,
            exp,
            iss,
            sub,
            aud: audience_list(aud),
            jti,
        }
    }
}

impl Inspection {
    /// The record as JSON text, exactly as serde_json writes it (camelCase names, `null` for
    /// absent values), without serde: what the WebAssembly build hands to `JSON.parse`.
    pub fn to_json(&self) -> String {
        let mut w = ObjectWriter::new();
        w.string("alg", &self.alg);
        w.optional_string("kid", self.kid.as_deref());
        w.optional_string("typ", self.typ.as_deref());
        w.optional_i64("id", self.id);
        w.optional_i64("userId", self.user_id);
        w.optional_strings("roles", self.roles.as_deref());
        w.optional_i64("iat", self.iat);
        w.optional_i64("nbf", self.nbf);
        w.optional_i64("exp", self.exp);
        w.optional_string("iss", self.iss.as_deref());
        w.optional_string("sub", self.sub.as_deref());
        w.optional_strings("aud", self.aud.as_deref());
        w.optional_string("jti", self.jti.as_deref());
        w.bool("expired", self.expired);
        w.optional_i64("secondsLeft", self.seconds_left);
        w.finish()
    }
}

impl VerifiedClaims {
    /// The record as JSON text, exactly as serde_json writes it (camelCase names, `null` for
    /// absent values), without serde: what the WebAssembly build hands to `JSON.parse`.
    pub fn to_json(&self) -> String {
        let mut w = ObjectWriter::new();
        w.string("alg", &self.alg);
        w.optional_string("kid", self.kid.as_deref());
        w.optional_i64("id", self.id);
        w.optional_i64("userId", self.user_id);
        w.optional_strings("roles", self.roles.as_deref());
        w.optional_i64("iat", self.iat);
        w.optional_i64("nbf", self.nbf);
        w.optional_i64("exp", self.exp);
        w.optional_string("iss", self.iss.as_deref());
        w.optional_string("sub", self.sub.as_deref());
        w.optional_strings("aud", self.aud.as_deref());
        w.optional_string("jti", self.jti.as_deref());
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::inspect;

    // {"alg":"HS256","typ":"JWT"}.{"id":1,"iat":1795701477,"exp":1795787877}.sig
    const SEED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MSwiaWF0IjoxNzk1NzAxNDc3LCJleHAiOjE3OTU3ODc4Nzd9.c2ln";

    #[test]
    fn inspection_serializes_camel_case_with_nulls() {
        let info = Inspection::at(inspect(SEED).unwrap(), 1_795_787_870);
        assert_eq!(
            serde_json::to_string(&info).unwrap(),
            r#"{"alg":"HS256","kid":null,"typ":"JWT","id":1,"userId":1,"roles":null,"iat":1795701477,"nbf":null,"exp":1795787877,"iss":null,"sub":null,"aud":null,"jti":null,"expired":false,"secondsLeft":7}"#
        );
    }

    #[test]
    fn inspection_is_expired_from_the_exp_second_on() {
        let t = inspect(SEED).unwrap();
        assert!(!Inspection::at(t.clone(), 1_795_787_876).expired);
        assert!(Inspection::at(t.clone(), 1_795_787_877).expired);
        assert_eq!(Inspection::at(t, 1_795_787_880).seconds_left, Some(-3));
    }

    #[test]
    fn verified_claims_take_user_id_from_a_numeric_sub_and_aud_as_a_list() {
        let token = VerifiedToken {
            header: Header {
                alg: "EdDSA".into(),
                kid: Some("k".into()),
                typ: None,
            },
            claims: Claims {
                sub: Some("42".into()),
                aud: Some(Audience::One("app".into())),
                ..Claims::default()
            },
        };
        let claims = VerifiedClaims::from(token);
        assert_eq!(claims.user_id, Some(42));
        assert_eq!(claims.aud, Some(vec!["app".to_owned()]));
        assert_eq!(claims.kid.as_deref(), Some("k"));
    }
}
