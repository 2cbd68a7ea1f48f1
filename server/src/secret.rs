//! The HS256 signing secret: configured (env or file), or generated once in the data directory.
//!
//! Rules, checked at start-up:
//! - configured secrets of at least 32 bytes are used as they are ([`Key::hs256`]);
//! - shorter ones (the tutorial's `your-secret-key`, so its tokens stay valid) are accepted with a
//!   warning ([`Key::hs256_legacy`]), except in production mode, which refuses them;
//! - with no secret configured: production mode refuses to start; with `DATABASE_URL` set authd
//!   refuses too (every instance must share one secret); the embedded mode generates 32 random
//!   bytes once, stores them base64url-encoded in `DATA_DIR/jwt-secret` (mode 0600) and reuses
//!   them on restart. The file's text (43 chars) is the secret, so it can be copied into
//!   `AUTHD_JWT_SECRET` elsewhere.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::Path;

use authcore::tokens::{Key, MIN_HS256_SECRET_BYTES};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use crate::config::{Config, ConfigError, JwtSecret};

/// File name of the generated secret inside the data directory.
pub const GENERATED_SECRET_FILE: &str = "jwt-secret";

/// The signing key the configuration asks for, generating it in embedded mode when needed.
pub fn load_key(config: &Config) -> Result<Key, ConfigError> {
    let (secret, origin) = match &config.jwt_secret {
        JwtSecret::Value(bytes) => (bytes.clone(), "AUTHD_JWT_SECRET"),
        JwtSecret::File(path) => (read_secret_file(path)?, "--jwt-secret-file"),
        JwtSecret::Unset => {
            if config.production {
                return Err(ConfigError(
                    "production mode needs a JWT secret of at least 32 bytes: set \
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
            return generated_key(&config.data_dir);
        }
    };
    if secret.is_empty() {
        return Err(ConfigError(format!(
            "the JWT secret from {origin} is empty"
        )));
    }
    if secret.len() >= MIN_HS256_SECRET_BYTES {
        return Key::hs256(&secret).map_err(|e| ConfigError(format!("JWT secret: {e}")));
    }
    if config.production {
        return Err(ConfigError(format!(
            "production mode needs a JWT secret of at least {MIN_HS256_SECRET_BYTES} bytes; \
             the one from {origin} has {}",
            secret.len()
        )));
    }
    tracing::warn!(
        bytes = secret.len(),
        "the JWT secret from {origin} is shorter than {MIN_HS256_SECRET_BYTES} bytes: accepted \
         for compatibility with existing tokens, but anyone who can guess it can forge any \
         user's token; refused with --production"
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

/// Reads `DATA_DIR/jwt-secret`, creating it first if absent (two racing starts agree on one).
fn generated_key(data_dir: &Path) -> Result<Key, ConfigError> {
    create_private_dir(data_dir)?;
    let path = data_dir.join(GENERATED_SECRET_FILE);
    if !path.exists() {
        let mut raw = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(raw.as_mut_slice())
            .map_err(|e| ConfigError(format!("cannot generate a JWT secret: {e}")))?;
        let text = Zeroizing::new(URL_SAFE_NO_PAD.encode(raw.as_slice()));
        match create_private_file(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| ConfigError(format!("cannot write {}: {e}", path.display())))?;
                tracing::info!(path = %path.display(), "generated a new JWT secret");
            }
            // Another instance created it a moment ago: use theirs.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(ConfigError(format!(
                    "cannot create {}: {e}",
                    path.display()
                )));
            }
        }
    }
    let secret = read_secret_file(&path)?;
    if secret.len() < MIN_HS256_SECRET_BYTES {
        return Err(ConfigError(format!(
            "{} holds fewer than {MIN_HS256_SECRET_BYTES} bytes; delete it to generate a new \
             secret (this invalidates issued tokens)",
            path.display()
        )));
    }
    Key::hs256(&secret).map_err(|e| ConfigError(format!("JWT secret: {e}")))
}

fn create_private_dir(dir: &Path) -> Result<(), ConfigError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| {
        ConfigError(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    })
}

fn create_private_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
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
        assert!(load_key(&c).unwrap_err().0.contains("at least 32 bytes"));
        c.jwt_secret = JwtSecret::Value(Zeroizing::new(vec![7u8; 32]));
        assert!(load_key(&c).is_ok());
    }

    #[test]
    fn short_secret_is_accepted_outside_production() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config {
            jwt_secret: JwtSecret::Value(Zeroizing::new(b"your-secret-key".to_vec())),
            ..config(dir.path())
        };
        assert!(load_key(&c).is_ok());
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
