//! The session machine's decisions, with two machines over one store standing for an app and its
//! extension (or two tabs).

use super::*;
use crate::tokens::{Claims, Key, TokenSigner};

fn token(id: i64, exp: i64) -> String {
    let claims = Claims {
        id: Some(id),
        exp: Some(exp),
        ..Claims::default()
    };
    TokenSigner::new(Key::hs256_legacy(b"k").unwrap())
        .unwrap()
        .sign(&claims)
        .unwrap()
}

fn signin(id: i64, exp: i64, refresh: &str) -> String {
    format!(
        r#"{{"id":{id},"username":"u{id}","email":"u{id}@x.io","roles":["ROLE_USER"],"accessToken":"{}","refreshToken":"{refresh}"}}"#,
        token(id, exp)
    )
}

fn refreshed(id: i64, exp: i64, refresh: &str) -> String {
    format!(
        r#"{{"accessToken":"{}","refreshToken":"{refresh}"}}"#,
        token(id, exp)
    )
}

/// A signed-in store: the machine that signed in, and the stored text.
fn signed_in(exp: i64) -> (SessionMachine, String) {
    let mut m = SessionMachine::new();
    let (_, stored) = m.sign_in(&signin(1, exp, "r1")).unwrap();
    (m, stored)
}

#[test]
fn a_fresh_token_is_ready_and_a_stale_one_leads_one_flight_that_others_join() {
    let (mut m, stored) = signed_in(1_000);
    assert_eq!(
        m.fresh(Some(&stored), 900, 60).unwrap(),
        Fresh::Ready(token(1, 1_000))
    );
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!("expected to lead")
    };
    assert_eq!(m.fresh(Some(&stored), 950, 60).unwrap(), Fresh::Join(id));
    assert_eq!(
        m.refresh_body(id, Some(&stored), 950, 60).unwrap(),
        Refresh::Send(r#"{"refreshToken":"r1"}"#.to_owned())
    );
    let landing = m
        .land(id, Some(&stored), &refreshed(1, 5_000, "r2"))
        .unwrap();
    assert_eq!(landing.access_token, token(1, 5_000));
    assert!(!m.in_flight(id));
    assert_eq!(
        m.fresh(Some(&landing.stored), 950, 60).unwrap(),
        Fresh::Ready(token(1, 5_000))
    );
}

#[test]
fn a_session_rotated_by_another_process_is_adopted_instead_of_refreshed_again() {
    let (_, stored) = signed_in(1_000);
    let mut app = SessionMachine::new();
    let mut extension = SessionMachine::new();
    // Both see the stale token and each leads its own (in-process) flight.
    let Fresh::Lead(app_flight) = app.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!()
    };
    let Fresh::Lead(ext_flight) = extension.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!()
    };
    // The app refreshes first and writes the rotated session.
    let Refresh::Send(_) = app
        .refresh_body(app_flight, Some(&stored), 950, 60)
        .unwrap()
    else {
        panic!()
    };
    let written = app
        .land(app_flight, Some(&stored), &refreshed(1, 5_000, "r2"))
        .unwrap()
        .stored;
    // The extension re-reads the store before refreshing, and adopts it.
    assert_eq!(
        extension
            .refresh_body(ext_flight, Some(&written), 950, 60)
            .unwrap(),
        Refresh::Adopt(token(1, 5_000))
    );
    assert!(!extension.in_flight(ext_flight));
}

#[test]
fn a_rotated_session_that_is_stale_again_is_refreshed_with_its_newest_refresh_token() {
    let (mut m, stored) = signed_in(1_000);
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!()
    };
    let mut other = SessionMachine::new();
    let rotated = other
        .apply_refresh(Some(&stored), &refreshed(1, 960, "r2"), None)
        .unwrap()
        .stored;
    assert_eq!(
        m.refresh_body(id, Some(&rotated), 950, 60).unwrap(),
        Refresh::Send(r#"{"refreshToken":"r2"}"#.to_owned())
    );
}

#[test]
fn a_refresh_does_not_land_after_a_sign_out_or_another_users_sign_in() {
    let (mut m, stored) = signed_in(1_000);
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!()
    };
    m.sign_out();
    let e = m.land(id, None, &refreshed(1, 5_000, "r2")).unwrap_err();
    assert_eq!(e.code(), "session_changed");

    // Another process signs out, or in as someone else, during the refresh.
    let (mut m, stored) = signed_in(1_000);
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!()
    };
    let other_user = SessionMachine::new()
        .sign_in(&signin(2, 9_000, "x"))
        .unwrap()
        .1;
    let e = m.land(id, Some(&other_user), &refreshed(1, 5_000, "r2"));
    assert_eq!(e.unwrap_err().code(), "session_changed");
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!()
    };
    let e = m.refresh_body(id, None, 950, 60).unwrap_err();
    assert_eq!(e.code(), "not_signed_in");
    assert!(!m.in_flight(id));
}

#[test]
fn a_new_sign_in_does_not_join_the_flight_of_the_previous_session() {
    let (mut m, stored) = signed_in(1_000);
    let Fresh::Lead(old) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!()
    };
    let (_, again) = m.sign_in(&signin(1, 1_000, "r9")).unwrap();
    let Fresh::Lead(new) = m.fresh(Some(&again), 950, 60).unwrap() else {
        panic!("a stale flight must not be joined")
    };
    assert_ne!(old, new);
    let e = m.land(old, Some(&again), &refreshed(1, 5_000, "r2"));
    assert_eq!(e.unwrap_err().code(), "session_changed");
    assert!(
        m.in_flight(new),
        "the stale leader must not end the new flight"
    );
}

#[test]
fn signed_out_unreadable_and_refresh_tokenless_sessions_fail_with_their_codes() {
    let mut m = SessionMachine::new();
    assert_eq!(m.fresh(None, 0, 60).unwrap_err().code(), "not_signed_in");
    assert_eq!(
        m.fresh(Some("{"), 0, 60).unwrap_err().code(),
        "not_signed_in",
        "an unreadable stored session counts as signed out"
    );
    let seed = format!(
        r#"{{"id":1,"username":"u","email":"e@x.io","roles":[],"accessToken":"{}"}}"#,
        token(1, 10)
    );
    let (_, stored) = m.sign_in(&seed).unwrap();
    assert_eq!(
        m.fresh(Some(&stored), 5, 60).unwrap_err().code(),
        "no_refresh_token"
    );
    assert!(!m.needs_refresh(None, 0, 60).unwrap());
    let e = m.apply_refresh(None, &refreshed(1, 5, "r"), Some(1));
    assert_eq!(e.unwrap_err().code(), "session_changed");
}

#[test]
fn an_access_token_rejected_with_401_signs_out_and_a_flight_under_way_will_not_land() {
    let (mut m, stored) = signed_in(1_000);
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!("expected to lead")
    };
    m.access_rejected();
    // The binding removed the stored value.
    assert!(matches!(
        m.fresh(None, 950, 60),
        Err(SessionError::NotSignedIn)
    ));
    assert!(matches!(
        m.land(id, Some(&stored), &refreshed(1, 5_000, "r2")),
        Err(SessionError::Changed)
    ));
}

#[test]
fn a_refresh_refused_with_401_or_403_signs_out_other_failures_do_not() {
    for (code, signs_out) in [
        ("http_401", true),
        ("http_403", true),
        ("http_500", false),
        ("network", false),
    ] {
        let (mut m, stored) = signed_in(1_000);
        let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
            panic!("expected to lead")
        };
        assert_eq!(
            m.refresh_failed(id, Some(&stored), code),
            signs_out,
            "{code}"
        );
        assert!(!m.in_flight(id));
        // The flight ended: the next call leads a new one.
        let Fresh::Lead(next) = m.fresh(Some(&stored), 950, 60).unwrap() else {
            panic!("expected to lead")
        };
        assert!(m.refresh_body(next, Some(&stored), 950, 60).is_ok());
    }
}

#[test]
fn a_refused_refresh_keeps_a_session_that_changed_meanwhile() {
    // Another process refreshed the same user's session: its new tokens stay.
    let (mut m, stored) = signed_in(1_000);
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!("expected to lead")
    };
    let mut other = SessionMachine::new();
    let rotated = other
        .apply_refresh(Some(&stored), &refreshed(1, 5_000, "r2"), None)
        .unwrap()
        .stored;
    assert!(!m.refresh_failed(id, Some(&rotated), "http_401"));
    // Another user signed in meanwhile: kept too.
    let (mut m, stored) = signed_in(1_000);
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!("expected to lead")
    };
    let (_, second) = SessionMachine::new()
        .sign_in(&signin(2, 5_000, "s1"))
        .unwrap();
    assert!(!m.refresh_failed(id, Some(&second), "http_403"));
    // This machine signed in again meanwhile: the old flight's refusal does not sign it out.
    let (mut m, stored) = signed_in(1_000);
    let Fresh::Lead(id) = m.fresh(Some(&stored), 950, 60).unwrap() else {
        panic!("expected to lead")
    };
    let (_, again) = m.sign_in(&signin(1, 1_000, "r9")).unwrap();
    assert!(!m.refresh_failed(id, Some(&again), "http_401"));
}
