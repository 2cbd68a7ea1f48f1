//! SMTP settings of reset and verification mail (`AUTHD_SMTP_*`).

use lettre::message::Mailbox;
use zeroize::Zeroizing;

use super::error::ConfigError;

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// STARTTLS on a plain connection (port 587).
    StartTls,
    /// Implicit TLS (port 465).
    Tls,
    /// No TLS (loopback hosts only: tests, a local relay).
    None,
}

/// Reset mail settings.
#[derive(Clone)]
pub struct ResetMailConfig {
    /// SMTP host.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// SMTP user and password (`AUTHD_SMTP_PASSWORD`, env only), when the relay wants a login.
    pub credentials: Option<(String, Zeroizing<String>)>,
    /// Connection security.
    pub security: SmtpSecurity,
    /// `From:` address.
    pub from: String,
    /// The link sent, with `{token}` replaced by the token.
    pub link_template: String,
    /// Lifetime of a reset token, in seconds.
    pub ttl_seconds: i64,
    /// The email verification link sent at signup, with `{token}` replaced by the token.
    pub verify_link_template: String,
}

impl std::fmt::Debug for ResetMailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResetMailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("security", &self.security)
            .field("from", &self.from)
            .field("link_template", &self.link_template)
            .field("ttl_seconds", &self.ttl_seconds)
            .field("verify_link_template", &self.verify_link_template)
            .finish()
    }
}

impl ResetMailConfig {
    /// The settings from their flags; `Ok(None)` without a host (reset mail disabled).
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        host: Option<String>,
        port: Option<u16>,
        user: Option<String>,
        password: Option<String>,
        security: &str,
        from: Option<String>,
        link_template: String,
        ttl_seconds: u64,
        verify_link_template: String,
    ) -> Result<Option<ResetMailConfig>, ConfigError> {
        let Some(host) = host.filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let security = match security.trim().to_ascii_lowercase().as_str() {
            "starttls" => SmtpSecurity::StartTls,
            "tls" => SmtpSecurity::Tls,
            "none" => SmtpSecurity::None,
            other => {
                return Err(ConfigError(format!(
                    "AUTHD_SMTP_TLS: {other:?} is not starttls, tls or none"
                )));
            }
        };
        if security == SmtpSecurity::None && !is_loopback(&host) {
            return Err(ConfigError(
                "AUTHD_SMTP_TLS=none is only allowed to a loopback host".to_owned(),
            ));
        }
        let from = from.ok_or_else(|| {
            ConfigError("AUTHD_SMTP_FROM is required with AUTHD_SMTP_HOST".to_owned())
        })?;
        from.parse::<Mailbox>()
            .map_err(|_| ConfigError("AUTHD_SMTP_FROM is not an email address".to_owned()))?;
        if !link_template.contains("{token}") {
            return Err(ConfigError(
                "AUTHD_RESET_LINK_TEMPLATE must contain {token}".to_owned(),
            ));
        }
        if !verify_link_template.contains("{token}") {
            return Err(ConfigError(
                "AUTHD_VERIFY_LINK_TEMPLATE must contain {token}".to_owned(),
            ));
        }
        if !(60..=86_400).contains(&ttl_seconds) {
            return Err(ConfigError(
                "AUTHD_RESET_TOKEN_TTL_SECONDS must be between 60 and 86400".to_owned(),
            ));
        }
        let port = port.unwrap_or(match security {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::StartTls | SmtpSecurity::None => 587,
        });
        let credentials = match (user, password) {
            (Some(user), Some(password)) => Some((user, Zeroizing::new(password))),
            (None, None) => None,
            _ => {
                return Err(ConfigError(
                    "AUTHD_SMTP_USER and AUTHD_SMTP_PASSWORD go together".to_owned(),
                ));
            }
        };
        Ok(Some(ResetMailConfig {
            host,
            port,
            credentials,
            security,
            from,
            link_template,
            ttl_seconds: i64::try_from(ttl_seconds).unwrap_or(900),
            verify_link_template,
        }))
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
