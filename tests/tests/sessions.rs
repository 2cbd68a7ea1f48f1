//! Replays every scenario of `tests/vectors/sessions.json` on the core's `SessionMachine`, driven
//! the way the bindings drive it (a store read before every decision, the single-flight steps of
//! `fresh_access_token`), with each step's `now` as the clock.
//!
//! `cargo test -p authcore-tests --test sessions -- --nocapture` prints the counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use authcore::session::{Fresh, HeaderStyle, Refresh, SessionError, SessionMachine};
use authcore_tests::sessions::{Outcome, Scenario, Step, default_path, load};
use serde_json::{Value, json};

/// One binding session over one store: the machine and the stored value.
#[derive(Default)]
struct Client {
    machine: SessionMachine,
    store: Option<String>,
}

fn code(e: SessionError) -> String {
    e.code().to_owned()
}

fn arg<'a, T>(value: &'a Option<T>, what: &str) -> Result<&'a T, String> {
    value.as_ref().ok_or_else(|| format!("step has no {what}"))
}

impl Client {
    /// Runs one step; `sent` collects the refresh bodies. `Err(Err(reason))` is a broken step.
    fn run(&mut self, step: &Step, sent: &mut Vec<String>) -> Result<Outcome, String> {
        let store = self.store.clone();
        let stored = store.as_deref();
        Ok(match step.op.as_str() {
            "signin" => self
                .machine
                .sign_in(arg(&step.response, "response")?)
                .map(|(session, text)| {
                    self.store = Some(text);
                    user_view(&session.user)
                })
                .map_err(code),
            "user" => self
                .machine
                .current(stored)
                .map(|s| s.map_or(Value::Null, |s| user_view(&s.user)))
                .map_err(code),
            "signed_in" => self
                .machine
                .current(stored)
                .map(|s| json!(s.is_some()))
                .map_err(code),
            "access_token" => self
                .machine
                .current(stored)
                .map(|s| s.map_or(Value::Null, |s| json!(s.access_token)))
                .map_err(code),
            "stored" => Ok(json!(self.store)),
            "headers" => {
                let style = match arg(&step.style, "style")?.as_str() {
                    "access_token" => HeaderStyle::AccessToken,
                    "bearer" => HeaderStyle::Bearer,
                    "both" => HeaderStyle::Both,
                    other => return Err(format!("unknown header style {other}")),
                };
                self.machine
                    .signed_in(stored)
                    .map(|s| json!(s.headers(style)))
                    .map_err(code)
            }
            "has_role" => {
                let role = arg(&step.role, "role")?;
                self.machine
                    .current(stored)
                    .map(|s| json!(s.is_some_and(|s| s.has_role(role))))
                    .map_err(code)
            }
            "needs_refresh" => self
                .machine
                .needs_refresh(
                    stored,
                    *arg(&step.now, "now")?,
                    *arg(&step.min_ttl, "min_ttl")?,
                )
                .map(|b| json!(b))
                .map_err(code),
            "refresh_body" => self
                .machine
                .signed_in(stored)
                .and_then(|s| s.refresh_request_body())
                .map(|b| json!(b))
                .map_err(code),
            "apply_refresh" => self
                .machine
                .apply_refresh(stored, arg(&step.response, "response")?, None)
                .map(|landing| {
                    self.store = Some(landing.stored);
                    Value::Null
                })
                .map_err(code),
            "fresh_access_token" => self.fresh(step, sent)?,
            "handle_unauthorized" => {
                self.machine.access_rejected();
                self.store = None;
                Ok(Value::Null)
            }
            "sign_out" => {
                self.machine.sign_out();
                self.store = None;
                Ok(Value::Null)
            }
            "write" => {
                self.store = step.stored.clone();
                Ok(Value::Null)
            }
            other => return Err(format!("unknown op {other}")),
        })
    }

    /// What another process or this session does at `at`, if the step says so.
    fn concurrent(&mut self, step: &Step, at: &str) -> Result<(), String> {
        let Some(c) = step.concurrent.as_ref().filter(|c| c.at == at) else {
            return Ok(());
        };
        match (&c.write, c.this_session.as_deref()) {
            (Some(value), None) => self.store = value.clone(),
            (None, Some("sign_out")) => {
                self.machine.sign_out();
                self.store = None;
            }
            _ => return Err(format!("concurrent at {at}: need write or this_session")),
        }
        Ok(())
    }

    /// `fresh_access_token` as the bindings run it: decide, re-read, call, land or fail.
    fn fresh(&mut self, step: &Step, sent: &mut Vec<String>) -> Result<Outcome, String> {
        let now = *arg(&step.now, "now")?;
        let min_ttl = *arg(&step.min_ttl, "min_ttl")?;
        let id = match self.machine.fresh(self.store.as_deref(), now, min_ttl) {
            Ok(Fresh::Ready(token)) => return Ok(Ok(json!(token))),
            Ok(Fresh::Join(id)) => {
                return Err(format!("joined flight {id} in a sequential script"));
            }
            Ok(Fresh::Lead(id)) => id,
            Err(e) => return Ok(Err(code(e))),
        };
        self.concurrent(step, "before_leader_reads")?;
        let store = self.store.clone();
        let body = match self
            .machine
            .refresh_body(id, store.as_deref(), now, min_ttl)
        {
            Ok(Refresh::Adopt(token)) => return Ok(Ok(json!(token))),
            Ok(Refresh::Send(body)) => body,
            Err(e) => return Ok(Err(code(e))),
        };
        sent.push(body);
        self.concurrent(step, "during_refresh_call")?;
        let answer = step.refresh.as_ref().map_or_else(
            || Err("unexpected_refresh".to_owned()),
            |r| match (&r.response, &r.fail) {
                (Some(text), None) => Ok(text.clone()),
                (None, Some(fail)) => Err(fail.clone()),
                _ => Err("refresh: need response or fail".to_owned()),
            },
        );
        let store = self.store.clone();
        let outcome = match answer {
            Ok(text) => match self.machine.land(id, store.as_deref(), &text) {
                Ok(landing) => {
                    self.store = Some(landing.stored);
                    Ok(json!(landing.access_token))
                }
                Err(e) => Err(code(e)),
            },
            Err(fail) => {
                if self.machine.refresh_failed(id, store.as_deref(), &fail) {
                    self.store = None;
                }
                Err(fail)
            }
        };
        self.machine.end(id);
        Ok(outcome)
    }
}

fn user_view(user: &authcore::session::SessionUser) -> Value {
    json!({ "id": user.id, "username": user.username, "email": user.email, "roles": user.roles })
}

fn show(outcome: &Outcome) -> String {
    match outcome {
        Ok(v) => format!("ok {v}"),
        Err(code) => format!("error {code}"),
    }
}

/// Replays one scenario; the first step that disagrees fails it.
fn replay(scenario: &Scenario) -> Result<usize, String> {
    let mut client = Client::default();
    for (i, step) in scenario.steps.iter().enumerate() {
        let mut sent = Vec::new();
        let got = client
            .run(step, &mut sent)
            .map_err(|e| format!("{} step {i} ({}): {e}", scenario.name, step.op))?;
        let want = step.expected();
        if got != want {
            return Err(format!(
                "{} step {i} ({}): expected {}, got {}",
                scenario.name,
                step.op,
                show(&want),
                show(&got)
            ));
        }
        let want_sent = step.sent.clone().unwrap_or_default();
        if sent != want_sent {
            return Err(format!(
                "{} step {i} ({}): refresh bodies sent {sent:?}, expected {want_sent:?}",
                scenario.name, step.op
            ));
        }
    }
    Ok(scenario.steps.len())
}

#[test]
fn every_session_scenario_replays_on_the_core_machine() {
    let vectors = load(&default_path()).unwrap_or_else(|e| panic!("{e}"));
    let mut names = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    let mut steps = 0;
    for scenario in &vectors.scenarios {
        assert!(names.insert(&scenario.name), "duplicate {}", scenario.name);
        assert!(
            matches!(scenario.clock.as_str(), "any" | "injected"),
            "{}: clock {}",
            scenario.name,
            scenario.clock
        );
        match replay(scenario) {
            Ok(n) => steps += n,
            Err(e) => failures.push(e),
        }
    }
    let total = vectors.scenarios.len();
    eprintln!(
        "sessions (core): {} of {total} scenarios passed ({steps} steps), {} failed",
        total - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} session scenarios disagree with sessions.json:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
