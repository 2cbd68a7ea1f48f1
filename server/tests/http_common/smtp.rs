//! A real SMTP server for the mail tests: Python's aiosmtpd from PyPI (in target/venv-aiosmtpd,
//! see `smtp_venv.sh`) on 127.0.0.1, writing each message into a maildir.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// aiosmtpd on a free port of 127.0.0.1, writing each message into a maildir.
pub struct Smtp {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    /// Starts it (making the venv first when missing).
    pub async fn start() -> Smtp {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_venv.sh");
        let out = Command::new("bash").arg(script).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let python = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("mail");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Smtp {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    /// The delivered messages so far.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    }

    /// Waits for the `n`th message and returns the (sorted) last message and the token of its
    /// link starting with `link`.
    pub async fn token(&self, n: usize, link: &str) -> (String, String) {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                let mut tokens: Vec<(String, String)> = messages
                    .iter()
                    .map(|m| (m.clone(), token_in(m, link)))
                    .collect();
                tokens.sort();
                return tokens.pop().unwrap();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no mail arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The token following `link` in `message`.
pub fn token_in(message: &str, link: &str) -> String {
    let at = message
        .find(link)
        .unwrap_or_else(|| panic!("no link in {message}"));
    message[at + link.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
