//! The HS256 signing secret: configured (env or file), or generated once in the data directory.
//!
//! Rules, checked at start-up (fail closed):
//! - a configured secret is used only if it has at least 32 bytes and is not a published one
//!   ([`PUBLISHED_SECRETS`], e.g. the tutorial's `your-secret-key`): anyone who knows the secret
//!   can mint a token for any user id, admins included;
//! - a short or published secret is refused unless `--insecure-secret` (`AUTHD_INSECURE_SECRET`)
//!   opts in, for a migration that must keep old tokens valid; authd then starts with a warning.
//!   `--production` refuses that opt-in;
//! - with no secret configured: production mode refuses to start; with `DATABASE_URL` set authd
//!   refuses too (every instance must share one secret); the embedded mode generates 32 random
//!   bytes once, stores them base64url-encoded in `DATA_DIR/jwt-secret` (mode 0600) and reuses
//!   them on restart. The file's text (43 chars) is the secret, so it can be copied into
//!   `AUTHD_JWT_SECRET` elsewhere. The file appears atomically (written to a temporary file,
//!   synced, then hard-linked into place), so instances starting together agree on one secret.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::Path;

use authcore::tokens::{Key, MIN_HS256_SECRET_BYTES};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::config::{Config, ConfigError, JwtSecret};
use crate::private_files::{create_private_dir, create_private_file};

/// File name of the generated secret inside the data directory.
pub const GENERATED_SECRET_FILE: &str = "jwt-secret";

/// Secrets published in tutorials, READMEs and tools' defaults: refused like short ones.
pub const PUBLISHED_SECRETS: &[&str] = &[
    "your-secret-key",
    "bezkoder-secret-key",
    "your-256-bit-secret",
    "a-string-secret-at-least-256-bits-long",
    "secret",
    "secretkey",
    "secret-key",
    "my-secret-key",
    "mysecretkey",
    "jwt-secret",
    "jwtsecret",
    "changeme",
    "change-me",
    "supersecret",
    "shhhhh",
];

/// Why a configured secret is weak, if it is.
fn weakness(secret: &[u8]) -> Option<String> {
    if PUBLISHED_SECRETS.iter().any(|p| p.as_bytes() == secret) {
        return Some("is a published example secret".to_owned());
    }
    if secret.len() < MIN_HS256_SECRET_BYTES {
        return Some(format!(
            "has {} bytes, fewer than {MIN_HS256_SECRET_BYTES}",
            secret.len()
        ));
    }
    None
}

/// The signing key the configuration asks for, generating it in embedded mode when needed.
pub fn load_key(config: &Config) -> Result<Key, ConfigError> {
    let (secret, origin) = match &config.jwt_secret {
        JwtSecret::Value(bytes) => (bytes.clone(), "AUTHD_JWT_SECRET"),
        JwtSecret::File(path) => (read_secret_file(path)?, "--jwt-secret-file"),
        JwtSecret::Unset => {
            if config.production {
                return Err(ConfigError(
                    "production mode needs a configured JWT secret of at least 32 bytes: set \
                     AUTHD_JWT_SECRET (or JWT_SECRET) or --jwt-secret-file"
                        .to_owned(),
                ));
            }
            if config.database_url.is_some() {
                return Err(ConfigError(
                    "DATABASE_URL is set but no JWT secret is configured: every instance \
                     sharing the database must verify the same tokens, so set \
                     AUTHD_JWT_SECRET (or JWT_SECRET) or --jwt-secret-file"
                        .to_owned(),
                ));
            }
            let secret = generated_secret(&config.data_dir)?;
            return Key::hs256(&secret).map_err(|e| ConfigError(format!("JWT secret: {e}")));
        }
    };
    if secret.is_empty() {
        return Err(ConfigError(format!(
            "the JWT secret from {origin} is empty"
        )));
    }
    let Some(why) = weakness(&secret) else {
        return Key::hs256(&secret).map_err(|e| ConfigError(format!("JWT secret: {e}")));
    };
    if config.production || !config.insecure_secret {
        return Err(ConfigError(format!(
            "the JWT secret from {origin} {why}: anyone who knows or guesses it can forge any \
             user's token. Use at least {MIN_HS256_SECRET_BYTES} random bytes (e.g. \
             `openssl rand -base64 32`; users keep their passwords and sign in again), or, to \
             keep old tokens valid during a migration, start with --insecure-secret \
             (AUTHD_INSECURE_SECRET=1; refused with --production)"
        )));
    }
    tracing::warn!(
        "INSECURE: the JWT secret from {origin} {why}; started only because of \
         --insecure-secret. Anyone who knows or guesses it can forge any user's token, admins \
         included. Replace it (see README, \"Moving off the tutorial secret\")"
    );
    Key::hs256_legacy(&secret).map_err(|e| ConfigError(format!("JWT secret: {e}")))
}

/// The file's bytes without a trailing newline.
fn read_secret_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
    let mut bytes = Zeroizing::new(fs::read(path).map_err(|e| {
        ConfigError(format!(
            "cannot read the JWT secret file {}: {e}",
            path.display()
        ))
    })?);
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    warn_if_readable_by_others(path);
    Ok(bytes)
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            path = %path.display(),
            "the JWT secret file is accessible to group or others; chmod 600 it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// The secret of `DATA_DIR/jwt-secret`, creating the file first if absent. Racing starts agree
/// on one secret: each writes a private temporary file and hard-links it to the final name;
/// the link fails for all but the first, which then read the winner's complete file.
fn generated_secret(data_dir: &Path) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
    create_private_dir(data_dir).map_err(|e| {
        ConfigError(format!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        ))
    })?;
    let path = data_dir.join(GENERATED_SECRET_FILE);
    if !path.exists() {
        publish_new_secret(data_dir, &path)?;
    }
    crate::private_files::ensure_private_file(&path, false)
        .map_err(|e| ConfigError(format!("cannot restrict {}: {e}", path.display())))?;
    let secret = read_secret_file(&path)?;
    if secret.len() < MIN_HS256_SECRET_BYTES {
        return Err(ConfigError(format!(
            "{} holds fewer than {MIN_HS256_SECRET_BYTES} bytes; delete it to generate a new \
             secret (this invalidates issued tokens)",
            path.display()
        )));
    }
    Ok(secret)
}

/// Writes a fresh secret to a temporary file and links it to `path` unless `path` exists by then.
fn publish_new_secret(data_dir: &Path, path: &Path) -> Result<(), ConfigError> {
    let mut raw = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(raw.as_mut_slice())
        .map_err(|e| ConfigError(format!("cannot generate a JWT secret: {e}")))?;
    let text = Zeroizing::new(URL_SAFE_NO_PAD.encode(raw.as_slice()));
    let mut nonce = [0u8; 9];
    getrandom::getrandom(&mut nonce)
        .map_err(|e| ConfigError(format!("cannot generate a JWT secret: {e}")))?;
    let suffix = URL_SAFE_NO_PAD.encode(nonce);
    let temp = data_dir.join(format!(
        ".{GENERATED_SECRET_FILE}.{}.{suffix}",
        std::process::id()
    ));
    let written = create_private_file(&temp)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
        })
        .map_err(|e| ConfigError(format!("cannot write {}: {e}", temp.display())));
    let linked = written.and_then(|()| match fs::hard_link(&temp, path) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated a new JWT secret");
            sync_dir(data_dir);
            Ok(())
        }
        // Another instance published theirs a moment ago: use it.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(ConfigError(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    });
    if let Err(e) = fs::remove_file(&temp) {
        tracing::warn!(path = %temp.display(), error = %e, "temporary secret file not removed");
    }
    linked
}

/// Makes the new directory entry durable (best effort).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(error = %e, "data directory not synced");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> Config {
        Config {
            data_dir: dir.to_path_buf(),
            ..Config::default()
        }
    }

    #[test]
    fn embedded_mode_generates_a_private_secret_once_and_reuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        load_key(&config(&data)).unwrap();
        let path = data.join(GENERATED_SECRET_FILE);
        let first = fs::read(&path).unwrap();
        assert_eq!(first.len(), 43);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        load_key(&config(&data)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), first);
    }

    #[test]
    fn database_url_without_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config {
            database_url: Some("mysql://root@127.0.0.1/x".into()),
            ..config(dir.path())
        };
        assert!(load_key(&c).unwrap_err().0.contains("DATABASE_URL"));
    }

    #[test]
    fn production_refuses_short_and_missing_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Config {
            production: true,
            ..config(dir.path())
        };
        assert!(load_key(&c).unwrap_err().0.contains("production"));
        c.jwt_secret = JwtSecret::Value(Zeroizing::new(b"your-secret-key".to_vec()));
        assert!(load_key(&c).unwrap_err().0.contains("published"));
        c.jwt_secret = JwtSecret::Value(Zeroizing::new(vec![7u8; 32]));
        assert!(load_key(&c).is_ok());
    }

    #[test]
    fn short_or_published_secrets_are_refused_without_the_opt_in() {
        let dir = tempfile::tempdir().unwrap();
        let published = Zeroizing::new(b"a-string-secret-at-least-256-bits-long".to_vec());
        for (secret, why) in [
            (Zeroizing::new(b"your-secret-key".to_vec()), "published"),
            (Zeroizing::new(vec![b'k'; 31]), "31 bytes"),
            (published, "published"),
        ] {
            let mut c = Config {
                jwt_secret: JwtSecret::Value(secret),
                ..config(dir.path())
            };
            let err = load_key(&c).unwrap_err().0;
            assert!(
                err.contains(why) && err.contains("--insecure-secret"),
                "{err}"
            );
            c.insecure_secret = true;
            assert!(load_key(&c).is_ok());
        }
    }

    #[test]
    fn racing_starts_agree_on_one_generated_secret() {
        for _ in 0..200 {
            let dir = tempfile::tempdir().unwrap();
            let data = dir.path().join("data");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    let (data, barrier) = (data.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        generated_secret(&data).map(|s| s.to_vec())
                    })
                })
                .collect();
            let secrets: Vec<Vec<u8>> = threads
                .into_iter()
                .map(|t| t.join().unwrap().unwrap())
                .collect();
            assert!(secrets.iter().all(|s| s.len() == 43 && *s == secrets[0]));
            let names: Vec<_> = fs::read_dir(&data)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(
                names,
                [GENERATED_SECRET_FILE],
                "no temporary file left behind"
            );
        }
    }

    #[test]
    fn secret_file_loses_its_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        fs::write(&path, "0123456789abcdef0123456789abcdef\n").unwrap();
        let bytes = read_secret_file(&path).unwrap();
        assert_eq!(bytes.as_slice(), b"0123456789abcdef0123456789abcdef");
    }
}
