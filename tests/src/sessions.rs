//! The schema of `tests/vectors/sessions.json` (documented in `tests/vectors/README.md`): scripted
//! client sessions every session surface replays, and the judging rule shared by the Rust runner.
//!
//! Every struct denies unknown fields, so a generator change this schema does not know fails
//! loudly instead of being skipped.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The schema version this crate reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionVectors {
    /// Schema version; must equal [`SCHEMA_VERSION`].
    pub schema: u32,
    /// What the file is.
    pub description: String,
    /// The wall-clock window in which every `clock: "any"` scenario gives its answers.
    pub any_time: AnyTime,
    /// The scenarios, each replayed on a new session over an empty store.
    pub scenarios: Vec<Scenario>,
}

/// A closed range of Unix times.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnyTime {
    /// First second of the window.
    pub from: i64,
    /// Last second of the window.
    pub to: i64,
}

/// One scripted session.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique name.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// `any`: the answers hold at any time in `any_time`; `injected`: they hold only at the steps'
    /// `now`. Every runner sets the session's clock to each step's `now` either way.
    pub clock: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One operation on the session (or its store) and its expected outcome.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The operation (see the README's table).
    pub op: String,
    /// `signin`, `apply_refresh`: the response body as text.
    #[serde(default)]
    pub response: Option<String>,
    /// `headers`: `access_token`, `bearer` or `both`.
    #[serde(default)]
    pub style: Option<String>,
    /// `has_role`: the role asked about.
    #[serde(default)]
    pub role: Option<String>,
    /// Clocked operations: the time.
    #[serde(default)]
    pub now: Option<i64>,
    /// Clocked operations: the minimum time left.
    #[serde(default)]
    pub min_ttl: Option<i64>,
    /// `fresh_access_token`: what the refresh call answers; `null`: it must not be called.
    #[serde(default)]
    pub refresh: Option<RefreshCall>,
    /// `fresh_access_token`: what happens elsewhere meanwhile.
    #[serde(default)]
    pub concurrent: Option<Concurrent>,
    /// `write`: the value another process stores (`null`: it removes the value).
    #[serde(default)]
    pub stored: Option<String>,
    /// `"ok"` or the expected error code.
    pub result: String,
    /// With `"ok"`: the expected value (`null` for operations without one).
    #[serde(default)]
    pub value: Value,
    /// `fresh_access_token`: the bodies the refresh call must receive, in order.
    #[serde(default)]
    pub sent: Option<Vec<String>>,
    /// Why the step exists.
    #[serde(default)]
    pub note: Option<String>,
}

/// The refresh call's answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshCall {
    /// The response body (text).
    #[serde(default)]
    pub response: Option<String>,
    /// The failure's code (`http_401`, `network`, …).
    #[serde(default)]
    pub fail: Option<String>,
}

/// Something another process, or this session, does during `fresh_access_token`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concurrent {
    /// `before_leader_reads` or `during_refresh_call`.
    pub at: String,
    /// Another process writes this value (`null`: removes it).
    #[serde(default, deserialize_with = "present")]
    pub write: Option<Option<String>>,
    /// This session does this (`sign_out`).
    #[serde(default)]
    pub this_session: Option<String>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// An outcome as the file writes it: `Ok(value)` or `Err(code)`.
pub type Outcome = Result<Value, String>;

impl Step {
    /// The outcome this step expects, the same on every surface.
    pub fn expected(&self) -> Outcome {
        if self.result == "ok" {
            Ok(self.value.clone())
        } else {
            Err(self.result.clone())
        }
    }
}

/// The path of `sessions.json` in this repository.
pub fn default_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join("sessions.json")
}

/// Reads and parses a sessions file, checking its schema version and that it has scenarios.
pub fn load(path: &Path) -> Result<SessionVectors, String> {
    let vectors: SessionVectors = crate::vectors::read_json(path)?;
    if vectors.schema != SCHEMA_VERSION {
        return Err(format!(
            "{}: schema {} (this runner reads {SCHEMA_VERSION})",
            path.display(),
            vectors.schema
        ));
    }
    if vectors.scenarios.is_empty() {
        return Err(format!("{}: no scenarios", path.display()));
    }
    Ok(vectors)
}
