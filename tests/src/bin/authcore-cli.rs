//! `authcore-cli`: a tiny command line over the authcore core, for interop tests from other
//! languages (`tests/node/interop.mjs` runs it with `child_process`).
//!
//! ```text
//! authcore-cli sign --secret S --id N --iat T [--ttl SECONDS] [--roles user,admin]
//! authcore-cli verify --secret S --now T [--leeway SECONDS] [--allow-no-exp] TOKEN
//! authcore-cli inspect [--now T] TOKEN
//! authcore-cli hash [--cost C]            < password
//! authcore-cli verify-password HASH       < password
//! ```
//!
//! - Secrets are UTF-8 HS256 secrets of any non-empty length (the seed's is 15 bytes), so the legacy
//!   HS256 constructor is used. `--ttl` defaults to 86400 (the seed's), `--leeway` to 60,
//!   `--cost` to 10.
//! - Passwords are read from standard input **byte for byte** (no newline is stripped) and must be
//!   UTF-8.
//! - Success: the result on stdout (a token, a hash, `true`/`false`, or the claims as JSON in the
//!   vectors' `claims_view` shape, plus header fields for `inspect`), exit status 0.
//! - A core error: its stable code (`expired`, `password_too_long`, …) on stdout, exit status 1.
//! - A usage error: a message on stderr, exit status 2.

use std::io::Read as _;
use std::process::ExitCode;
use std::sync::Arc;

use authcore::Role;
use authcore::passwords::{self, PasswordHasher};
use authcore::tokens::{
    Claims, FixedClock, Key, KeySet, TokenSigner, Verifier, VerifyOptions, inspect,
};
use authcore_tests::vectors::{claims_view, inspect_view};

/// How a command ended.
enum Failure {
    /// A core error with its stable code.
    Core(&'static str),
    /// Bad arguments or input.
    Usage(String),
}

type Outcome = Result<String, Failure>;

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

/// Flags (`--name value` or bare `--switch`) and positional arguments.
struct Args {
    flags: Vec<(String, Option<String>)>,
    positional: Vec<String>,
}

/// Switches that take no value.
const SWITCHES: &[&str] = &["--allow-no-exp"];

impl Args {
    fn parse(raw: impl Iterator<Item = String>) -> Result<Args, Failure> {
        let mut flags = Vec::new();
        let mut positional = Vec::new();
        let mut raw = raw.peekable();
        while let Some(arg) = raw.next() {
            if SWITCHES.contains(&arg.as_str()) {
                flags.push((arg, None));
            } else if arg.starts_with("--") {
                let value = raw
                    .next()
                    .ok_or_else(|| usage(format!("{arg} needs a value")))?;
                flags.push((arg, Some(value)));
            } else {
                positional.push(arg);
            }
        }
        Ok(Args { flags, positional })
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn switch(&self, name: &str) -> bool {
        self.flags.iter().any(|(n, _)| n == name)
    }

    fn required(&self, name: &str) -> Result<&str, Failure> {
        self.value(name)
            .ok_or_else(|| usage(format!("missing {name}")))
    }

    fn number<T: std::str::FromStr>(&self, name: &str, default: Option<T>) -> Result<T, Failure> {
        match (self.value(name), default) {
            (Some(text), _) => text
                .parse()
                .map_err(|_| usage(format!("{name} must be a number, got {text:?}"))),
            (None, Some(default)) => Ok(default),
            (None, None) => Err(usage(format!("missing {name}"))),
        }
    }

    fn only_positional(&self, what: &str) -> Result<&str, Failure> {
        match self.positional.as_slice() {
            [one] => Ok(one),
            _ => Err(usage(format!("expected exactly one {what}"))),
        }
    }

    /// Refuses flags the command does not know.
    fn allow(&self, known: &[&str]) -> Result<(), Failure> {
        match self
            .flags
            .iter()
            .find(|(n, _)| !known.contains(&n.as_str()))
        {
            Some((name, _)) => Err(usage(format!("unknown option {name}"))),
            None => Ok(()),
        }
    }
}

fn secret_key(args: &Args) -> Result<Key, Failure> {
    Key::hs256_legacy(args.required("--secret")?.as_bytes()).map_err(|e| Failure::Core(e.code()))
}

fn sign(args: &Args) -> Outcome {
    args.allow(&["--secret", "--id", "--iat", "--ttl", "--roles"])?;
    let mut claims = Claims::for_user(
        args.number("--id", None)?,
        args.number("--iat", None)?,
        args.number("--ttl", Some(86_400))?,
    );
    if let Some(list) = args.value("--roles") {
        let roles = list
            .split(',')
            .filter(|name| !name.is_empty())
            .map(|name| Role::from_name(name).ok_or_else(|| usage(format!("unknown role {name}"))))
            .collect::<Result<Vec<Role>, Failure>>()?;
        claims = claims.with_roles(&roles);
    }
    let signer = TokenSigner::new(secret_key(args)?).map_err(|e| Failure::Core(e.code()))?;
    signer.sign(&claims).map_err(|e| Failure::Core(e.code()))
}

fn verify(args: &Args) -> Outcome {
    args.allow(&["--secret", "--now", "--leeway", "--allow-no-exp"])?;
    let token = args.only_positional("TOKEN")?;
    let options = VerifyOptions {
        leeway_seconds: args.number("--leeway", Some(60))?,
        require_exp: !args.switch("--allow-no-exp"),
        ..VerifyOptions::default()
    };
    let now = args.number("--now", None)?;
    let verifier = Verifier::new(
        KeySet::single(secret_key(args)?),
        options,
        Arc::new(FixedClock(now)),
    );
    let verified = verifier
        .verify(token)
        .map_err(|e| Failure::Core(e.code()))?;
    Ok(claims_view(verified).to_string())
}

fn inspect_token(args: &Args) -> Outcome {
    args.allow(&["--now"])?;
    let token = args.only_positional("TOKEN")?;
    let now = args.number("--now", Some(0))?;
    let unverified = inspect(token).map_err(|e| Failure::Core(e.code()))?;
    Ok(inspect_view(unverified, now, 0).to_string())
}

fn read_password() -> Result<String, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| usage(format!("reading stdin: {e}")))?;
    String::from_utf8(bytes).map_err(|_| usage("the password on stdin is not UTF-8"))
}

fn hash(args: &Args) -> Outcome {
    args.allow(&["--cost"])?;
    if !args.positional.is_empty() {
        return Err(usage("hash reads the password from stdin"));
    }
    let hasher = PasswordHasher::new(args.number("--cost", Some(passwords::DEFAULT_COST))?)
        .map_err(|e| Failure::Core(e.code()))?;
    hasher
        .hash(&read_password()?)
        .map_err(|e| Failure::Core(e.code()))
}

fn verify_password(args: &Args) -> Outcome {
    args.allow(&[])?;
    let hash = args.only_positional("HASH")?;
    let matches =
        passwords::verify(&read_password()?, hash).map_err(|e| Failure::Core(e.code()))?;
    Ok(matches.to_string())
}

const USAGE: &str =
    "usage: authcore-cli sign|verify|inspect|hash|verify-password … (see the source's doc comment)";

fn main() -> ExitCode {
    let mut raw = std::env::args().skip(1);
    let command = raw.next();
    let outcome = Args::parse(raw).and_then(|args| match command.as_deref() {
        Some("sign") => sign(&args),
        Some("verify") => verify(&args),
        Some("inspect") => inspect_token(&args),
        Some("hash") => hash(&args),
        Some("verify-password") => verify_password(&args),
        _ => Err(usage(USAGE)),
    });
    match outcome {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(Failure::Core(code)) => {
            println!("{code}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("authcore-cli: {msg}");
            ExitCode::from(2)
        }
    }
}
