//! Password reset mail over SMTP (`lettre`): settings ([`ResetMailConfig`], `AUTHD_SMTP_*` and
//! `AUTHD_RESET_*`) and the [`ResetMailer`] that sends one message per request, off the request
//! path, through a bounded number of concurrent sends.
//!
//! Without `AUTHD_SMTP_HOST` (and `AUTHD_SMTP_FROM`) reset mail is disabled: authd logs it at
//! start and the reset routes answer 501. Plain SMTP (`AUTHD_SMTP_TLS=none`) is only allowed to a
//! loopback host; otherwise STARTTLS (default, port 587) or implicit TLS (`tls`, port 465).
//! The same mailer sends the email verification link (`AUTHD_VERIFY_LINK_TEMPLATE`).

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Body;
use lettre::message::Mailbox;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::Semaphore;

use crate::config::ConfigError;
use crate::config::mail::{ResetMailConfig, SmtpSecurity};

/// Most reset requests being worked on (lookup, store, send) at once; beyond, requests are
/// answered the same but dropped (logged).
pub const MAX_PENDING: usize = 64;
/// Lifetime of an email verification token, in seconds (24 h).
pub const VERIFY_TTL_SECONDS: i64 = 86_400;
/// Upper bound of one SMTP conversation.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// Sends reset mail.
pub struct ResetMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    link_template: String,
    verify_link_template: String,
    /// Lifetime of a reset token, in seconds.
    pub ttl_seconds: i64,
    /// Bounds the requests being worked on.
    pub pending: Arc<Semaphore>,
}

impl ResetMailer {
    /// The mailer of `config` (no connection is made until the first send).
    pub fn new(config: &ResetMailConfig) -> Result<ResetMailer, ConfigError> {
        let failed = |e: lettre::transport::smtp::Error| ConfigError(format!("SMTP settings: {e}"));
        let builder = match config.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(failed)?
            }
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(failed)?
            }
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            }
        };
        let mut builder = builder.port(config.port).timeout(Some(SEND_TIMEOUT));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.to_string()));
        }
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|_| ConfigError("AUTHD_SMTP_FROM is not an email address".to_owned()))?;
        Ok(ResetMailer {
            transport: builder.build(),
            from,
            link_template: config.link_template.clone(),
            verify_link_template: config.verify_link_template.clone(),
            ttl_seconds: config.ttl_seconds,
            pending: Arc::new(Semaphore::new(MAX_PENDING)),
        })
    }

    /// Sends the reset link with `token` to `to`. Errors are described without the token.
    pub async fn send(&self, to: &str, token: &str) -> Result<(), String> {
        let link = self.link_template.replace("{token}", token);
        let minutes = self.ttl_seconds / 60;
        // Lines under 75 chars keep the mail 7bit (when the link is that short too); lettre turns
        // the line ends into CRLF.
        let body = format!(
            "Someone asked to reset the password of your account.\n\n\
             To choose a new password, open this link within {minutes} minutes\n\
             (it works once):\n\
             {link}\n\n\
             If it was not you, ignore this message:\n\
             your password stays as it is.\n"
        );
        self.deliver(to, "Reset your password", body).await
    }

    /// Sends the email verification link with `token` to `to` (valid [`VERIFY_TTL_SECONDS`]).
    pub async fn send_verification(&self, to: &str, token: &str) -> Result<(), String> {
        let link = self.verify_link_template.replace("{token}", token);
        let hours = VERIFY_TTL_SECONDS / 3600;
        let body = format!(
            "An account was signed up with this email address.\n\n\
             To confirm the address, open this link within {hours} hours\n\
             (it works once):\n\
             {link}\n\n\
             If it was not you, ignore this message.\n"
        );
        self.deliver(to, "Verify your email address", body).await
    }

    /// Sends one plain text message. Errors are described without the body.
    async fn deliver(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| "recipient is not an address".to_owned())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            // 7bit keeps the link as is (quoted-printable would turn `=` into `=3D`); a line
            // too long for 7bit falls back to lettre's choice.
            .body(
                Body::new_with_encoding(body.clone(), ContentTransferEncoding::SevenBit)
                    .unwrap_or_else(|_| Body::new(body)),
            )
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("smtp: {e}"))
    }
}
