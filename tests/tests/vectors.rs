//! Runs every vector of `tests/vectors/vectors.json` against the Rust core.
//!
//! Each test walks a whole section and reports every mismatch at once (name, case and both
//! results), so one run shows everything that disagrees.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, OnceLock};

use authcore::passwords;
use authcore::tokens::{Claims, FixedClock, TokenSigner, Verifier, VerifyOptions, inspect};
use authcore::validation::{SignupRules, validate_signin, validate_signup};
use authcore_tests::vectors::{
    CoreBug, Vectors, claims_view, default_path, inspect_view, load, signin_view, signup_view,
    with_aud_as_list,
};
use serde_json::{Value, json};

fn vectors() -> &'static Vectors {
    static VECTORS: OnceLock<Vectors> = OnceLock::new();
    VECTORS.get_or_init(|| load(&default_path()).unwrap_or_else(|e| panic!("{e}")))
}

/// Fails with every collected mismatch.
fn report(section: &str, total: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} of {total} {section} checks disagree with vectors.json:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Compares an outcome with the expectation, honouring a `core_bug` marker (see README).
fn check(
    what: String,
    expected: &Value,
    actual: &Value,
    core_bug: Option<&CoreBug>,
    failures: &mut Vec<String>,
) {
    match core_bug {
        None if actual == expected => {}
        None => failures.push(format!("{what}: expected {expected} got {actual}")),
        Some(_) if actual == expected => failures.push(format!(
            "{what}: gives the expected {expected} although marked core_bug: the bug is fixed, remove the marker"
        )),
        Some(bug) if outcome_kind(actual) == bug.actual => {
            eprintln!("known core bug, {what}: {} ({})", bug.actual, bug.note);
        }
        Some(bug) => failures.push(format!(
            "{what}: expected {expected}, known core bug gives {}, got {actual}",
            bug.actual
        )),
    }
}

/// `"ok"` or the error code of an outcome.
fn outcome_kind(outcome: &Value) -> &str {
    match outcome.get("error").and_then(Value::as_str) {
        Some(code) => code,
        None => "ok",
    }
}

/// `Ok(view)` or `Err(code)` as one JSON value for comparison and messages.
fn outcome<T, E>(
    result: Result<T, E>,
    view: impl Fn(&T) -> Value,
    code: impl Fn(&E) -> &'static str,
) -> Value {
    match result {
        Ok(v) => json!({ "ok": view(&v) }),
        Err(e) => json!({ "error": code(&e) }),
    }
}

#[test]
fn every_section_has_vectors_and_names_are_unique() {
    let v = vectors();
    let sections = [
        ("keys", v.keys.len()),
        ("tokens", v.tokens.len()),
        (
            "verify cases",
            v.tokens.iter().map(|t| t.verify.len()).sum(),
        ),
        ("sign", v.sign.len()),
        ("passwords", v.passwords.len()),
        ("signup", v.signup.len()),
        ("signin", v.signin.len()),
    ];
    for (section, count) in sections {
        assert!(count > 0, "vectors.json has no {section}");
    }
    let mut names = std::collections::BTreeSet::new();
    let all = v
        .tokens
        .iter()
        .map(|t| format!("tokens/{}", t.name))
        .chain(v.sign.iter().map(|s| format!("sign/{}", s.name)))
        .chain(v.passwords.iter().map(|p| format!("passwords/{}", p.name)))
        .chain(v.signup.iter().map(|s| format!("signup/{}", s.name)))
        .chain(v.signin.iter().map(|s| format!("signin/{}", s.name)));
    for name in all {
        assert!(names.insert(name.clone()), "duplicate vector {name}");
    }
}

#[test]
fn every_key_spec_builds_or_is_refused_as_it_says() {
    let v = vectors();
    assert!(
        v.keys.values().any(|spec| spec.refused.is_some()),
        "the corpus has keys that must be refused"
    );
    let failures: Vec<String> = v
        .keys
        .iter()
        .filter_map(|(name, spec)| spec.check().err().map(|e| format!("key {name}: {e}")))
        .collect();
    report("key", v.keys.len(), &failures);
}

#[test]
fn token_vectors_inspect_as_expected() {
    let v = vectors();
    let mut failures = Vec::new();
    for t in &v.tokens {
        let case = &t.inspect;
        let expected = match (&case.result, &case.error) {
            (Some(result), None) => json!({ "ok": with_aud_as_list(result.clone()) }),
            (None, Some(code)) => json!({ "error": code }),
            _ => {
                failures.push(format!(
                    "{}: inspect needs exactly one of result, error",
                    t.name
                ));
                continue;
            }
        };
        let actual = outcome(
            inspect(&t.token),
            |u| inspect_view(u.clone(), case.now, case.leeway),
            |e| e.code(),
        );
        check(
            format!("{} inspect", t.name),
            &expected,
            &actual,
            case.core_bug.as_ref(),
            &mut failures,
        );
    }
    report("inspect", v.tokens.len(), &failures);
}

#[test]
fn token_vectors_verify_as_expected() {
    let v = vectors();
    let mut failures = Vec::new();
    let mut total = 0;
    for t in &v.tokens {
        for (i, case) in t.verify.iter().enumerate() {
            total += 1;
            let keys = match v.key_set(&case.keys) {
                Ok(keys) => keys,
                Err(e) => {
                    failures.push(format!("{} verify[{i}]: {e}", t.name));
                    continue;
                }
            };
            let options = VerifyOptions {
                leeway_seconds: case.leeway,
                require_exp: case.require_exp,
                issuer: case.issuer.clone(),
                audience: case.audience.clone(),
            };
            let verifier = Verifier::new(keys, options, Arc::new(FixedClock(case.now)));
            let expected = if case.result == "ok" {
                match &case.claims {
                    Some(claims) => json!({ "ok": with_aud_as_list(claims.clone()) }),
                    None => {
                        failures.push(format!("{} verify[{i}]: ok without claims", t.name));
                        continue;
                    }
                }
            } else {
                json!({ "error": case.result })
            };
            let actual = outcome(
                verifier.verify(&t.token),
                |verified| claims_view(verified.clone()),
                |e| e.code(),
            );
            check(
                format!(
                    "{} verify[{i}] (keys {:?}, now {}, leeway {})",
                    t.name, case.keys, case.now, case.leeway
                ),
                &expected,
                &actual,
                case.core_bug.as_ref(),
                &mut failures,
            );
        }
    }
    report("verify", total, &failures);
}

#[test]
fn sign_vectors_are_minted_byte_for_byte() {
    let v = vectors();
    let mut failures = Vec::new();
    for s in &v.sign {
        let key = v
            .keys
            .get(&s.key)
            .ok_or_else(|| format!("no key named {}", s.key))
            .and_then(|spec| spec.to_keys())
            .and_then(|keys| keys.into_iter().next().ok_or_else(|| "no key".to_owned()));
        let claims: Result<Claims, String> =
            serde_json::from_value(s.claims.clone()).map_err(|e| e.to_string());
        let token = key.and_then(|key| {
            let signer = TokenSigner::new(key).map_err(|e| e.code().to_owned())?;
            signer.sign(&claims?).map_err(|e| e.code().to_owned())
        });
        match token {
            Ok(token) if token == s.token => {}
            Ok(token) => failures.push(format!(
                "{}: signed\n  {token}\nexpected\n  {}",
                s.name, s.token
            )),
            Err(e) => failures.push(format!("{}: {e}", s.name)),
        }
    }
    report("sign", v.sign.len(), &failures);
}

#[test]
fn password_vectors_verify_and_rehash_as_expected() {
    let v = vectors();
    let mut failures = Vec::new();
    let mut total = 0;
    for p in &v.passwords {
        total += 1;
        let actual = match passwords::verify(&p.password, &p.hash) {
            Ok(matches) => json!(matches),
            Err(e) => json!(e.code()),
        };
        if actual != p.verify {
            failures.push(format!(
                "{}: verify expected {} got {actual}",
                p.name, p.verify
            ));
        }
        for (cost, expected) in &p.needs_rehash_at_cost {
            total += 1;
            let Ok(cost) = cost.parse::<u32>() else {
                failures.push(format!("{}: cost {cost:?} is not a number", p.name));
                continue;
            };
            let actual = passwords::needs_rehash(&p.hash, cost);
            if actual != *expected {
                failures.push(format!(
                    "{}: needs_rehash at cost {cost} expected {expected} got {actual}",
                    p.name
                ));
            }
        }
    }
    report("password", total, &failures);
}

#[test]
fn signup_vectors_validate_as_expected() {
    let v = vectors();
    let rules = SignupRules::default();
    let mut failures = Vec::new();
    for s in &v.signup {
        let expected = expected_body_outcome(&s.result, &s.request);
        let actual = outcome(validate_signup(&s.body, &rules), signup_view, |e| e.code());
        if actual != expected {
            failures.push(format!("{}: expected {expected} got {actual}", s.name));
        }
    }
    report("signup", v.signup.len(), &failures);
}

#[test]
fn signin_vectors_validate_as_expected() {
    let v = vectors();
    let mut failures = Vec::new();
    for s in &v.signin {
        let expected = expected_body_outcome(&s.result, &s.request);
        let actual = outcome(validate_signin(&s.body), signin_view, |e| e.code());
        if actual != expected {
            failures.push(format!("{}: expected {expected} got {actual}", s.name));
        }
    }
    report("signin", v.signin.len(), &failures);
}

fn expected_body_outcome(result: &str, request: &Option<Value>) -> Value {
    if result == "ok" {
        json!({ "ok": request })
    } else {
        json!({ "error": result })
    }
}
