use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, mpsc};
use std::thread;
use std::time::Duration;

use authcore::tokens::{Claims, Key, TokenSigner};

use super::*;
use crate::store::memory_token_store;

fn token(seconds_left: i64) -> String {
    let now = SystemClock.now();
    token_expiring(now, now + seconds_left)
}

fn token_expiring(iat: i64, exp: i64) -> String {
    let claims = Claims {
        id: Some(1),
        iat: Some(iat),
        exp: Some(exp),
        ..Claims::default()
    };
    TokenSigner::new(Key::hs256_legacy(b"test").unwrap())
        .unwrap()
        .sign(&claims)
        .unwrap()
}

fn signin_json(access: &str, refresh: Option<&str>) -> String {
    let refresh = refresh
        .map(|r| format!(r#","refreshToken":"{r}""#))
        .unwrap_or_default();
    format!(
        r#"{{"id":1,"username":"zkoder","email":"z@example.com","roles":["ROLE_USER","ROLE_ADMIN"],"accessToken":"{access}"{refresh}}}"#
    )
}

fn signed_in(seconds_left: i64) -> AuthSession {
    let s = AuthSession::new(memory_token_store());
    s.save_signin_response(signin_json(&token(seconds_left), Some("r1")))
        .unwrap();
    s
}

/// Answers every refresh with a token valid for an hour, counting calls. It answers once
/// `wait_for` callers wait for it on `session` (or after 5 s), or after `delay` when there is no
/// `wait_for`.
struct SlowRefresher {
    calls: AtomicUsize,
    delay: Duration,
    fail: bool,
    access: String,
    wait_for: Mutex<Option<(Arc<AuthSession>, usize)>>,
}

impl SlowRefresher {
    fn new(delay_ms: u64, fail: bool) -> Arc<SlowRefresher> {
        Arc::new(SlowRefresher {
            calls: AtomicUsize::new(0),
            delay: Duration::from_millis(delay_ms),
            fail,
            access: token(3600),
            wait_for: Mutex::new(None),
        })
    }

    fn answering_once_joined(session: &Arc<AuthSession>, waiters: usize, fail: bool) -> Arc<Self> {
        let r = SlowRefresher::new(0, fail);
        *r.wait_for.lock().unwrap() = Some((session.clone(), waiters));
        r
    }
}

impl Refresher for SlowRefresher {
    fn refresh(&self, body: String) -> Result<String, AuthcoreError> {
        assert_eq!(body, r#"{"refreshToken":"r1"}"#);
        self.calls.fetch_add(1, Ordering::SeqCst);
        thread::sleep(self.delay);
        if let Some((session, waiters)) = self.wait_for.lock().unwrap().take() {
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while session.waiting() < waiters && std::time::Instant::now() < deadline {
                thread::sleep(Duration::from_millis(5));
            }
        }
        if self.fail {
            return Err(AuthcoreError::Refresh {
                code: "http_503".into(),
                detail: "authd unavailable".into(),
            });
        }
        Ok(format!(
            r#"{{"accessToken":"{}","refreshToken":"r2"}}"#,
            self.access
        ))
    }
}

fn call_concurrently(
    session: &Arc<AuthSession>,
    refresher: &Arc<SlowRefresher>,
    callers: usize,
) -> Vec<Result<String, AuthcoreError>> {
    let start = Arc::new(Barrier::new(callers));
    let handles: Vec<_> = (0..callers)
        .map(|_| {
            let (session, refresher, start) = (session.clone(), refresher.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                session.fresh_access_token(refresher, 60)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn concurrent_callers_on_an_expiring_session_share_one_refresh() {
    let session = Arc::new(signed_in(10));
    let refresher = SlowRefresher::answering_once_joined(&session, 7, false);
    let results = call_concurrently(&session, &refresher, 8);
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
    for r in results {
        assert_eq!(r.unwrap(), refresher.access);
    }
    assert_eq!(
        session.access_token().unwrap(),
        Some(refresher.access.clone())
    );
    assert!(session.refresh_request_body().unwrap().contains("r2"));
}

#[test]
fn waiters_receive_the_leaders_error_and_a_later_call_retries() {
    let session = Arc::new(signed_in(10));
    let refresher = SlowRefresher::answering_once_joined(&session, 5, true);
    let results = call_concurrently(&session, &refresher, 6);
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
    for r in results {
        assert_eq!(r.unwrap_err().code(), "http_503");
    }
    let again = session.fresh_access_token(refresher.clone(), 60);
    assert_eq!(again.unwrap_err().code(), "http_503");
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_fresh_token_is_returned_without_refreshing() {
    let session = signed_in(3600);
    let refresher = SlowRefresher::new(0, false);
    let access = session.fresh_access_token(refresher.clone(), 60).unwrap();
    assert_eq!(Some(access), session.access_token().unwrap());
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 0);
}

/// Blocks inside `refresh` until told to go on, so a test can act mid-flight.
struct GatedRefresher {
    entered: Mutex<mpsc::Sender<()>>,
    proceed: Mutex<mpsc::Receiver<()>>,
}

impl Refresher for GatedRefresher {
    fn refresh(&self, _body: String) -> Result<String, AuthcoreError> {
        self.entered.lock().unwrap().send(()).unwrap();
        self.proceed.lock().unwrap().recv().unwrap();
        Ok(format!(r#"{{"accessToken":"{}"}}"#, token(3600)))
    }
}

#[test]
fn a_refresh_landing_after_sign_out_is_not_applied() {
    let session = Arc::new(signed_in(10));
    let (entered_tx, entered_rx) = mpsc::channel();
    let (proceed_tx, proceed_rx) = mpsc::channel();
    let refresher = Arc::new(GatedRefresher {
        entered: Mutex::new(entered_tx),
        proceed: Mutex::new(proceed_rx),
    });
    let leader = {
        let session = session.clone();
        thread::spawn(move || session.fresh_access_token(refresher, 60))
    };
    entered_rx.recv().unwrap();
    // The lock is free while the refresher runs: other calls go through.
    session.sign_out().unwrap();
    proceed_tx.send(()).unwrap();
    let outcome = leader.join().unwrap();
    // The same code as the JS package: the session the refresh was for is gone.
    assert_eq!(outcome.unwrap_err().code(), "session_changed");
    assert!(!session.is_signed_in().unwrap());
}

#[test]
fn two_sessions_over_one_store_refresh_once_and_the_second_adopts_the_rotation() {
    // An app and its extension: one store, one `AuthSession` each.
    let store = memory_token_store();
    let app = AuthSession::new(store.clone());
    app.save_signin_response(signin_json(&token(10), Some("r1")))
        .unwrap();
    let extension = AuthSession::new(store.clone());
    let stale = extension.access_token().unwrap();
    let refresher = SlowRefresher::new(0, false);
    let fresh = app.fresh_access_token(refresher.clone(), 60).unwrap();
    assert_ne!(Some(fresh.clone()), stale);
    // The extension read the stale session before; it reads the store again and needs no refresh.
    assert_eq!(
        extension.fresh_access_token(refresher.clone(), 60).unwrap(),
        fresh
    );
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
    assert_eq!(extension.access_token().unwrap(), Some(fresh));
}

/// A refresher for one session that, before answering, lets another session over the same store
/// complete its own refresh first (the other process won the race).
struct LosingRefresher {
    other: Arc<AuthSession>,
    other_refresher: Arc<SlowRefresher>,
    calls: AtomicUsize,
}

impl Refresher for LosingRefresher {
    fn refresh(&self, _body: String) -> Result<String, AuthcoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.other
            .fresh_access_token(self.other_refresher.clone(), 60)
            .unwrap();
        Ok(format!(r#"{{"accessToken":"{}"}}"#, token(7200)))
    }
}

#[test]
fn a_session_rotated_by_another_session_during_the_refresh_check_is_adopted() {
    let store = memory_token_store();
    let app = Arc::new(AuthSession::new(store.clone()));
    app.save_signin_response(signin_json(&token(10), Some("r1")))
        .unwrap();
    let extension = AuthSession::new(store.clone());
    // The extension leads a flight; before it sends, the app rotates the stored session.
    extension.needs_refresh(60).unwrap();
    app.save_refresh_response(format!(
        r#"{{"accessToken":"{}","refreshToken":"r2"}}"#,
        token(3600)
    ))
    .unwrap();
    let refresher = SlowRefresher::new(0, false);
    let got = extension.fresh_access_token(refresher.clone(), 60).unwrap();
    assert_eq!(Some(got), app.access_token().unwrap());
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 0);

    // The other way round: the app wins while the extension's refresh call is under way; the
    // extension's response (a newer pair) still lands, for the same user.
    let app_refresher = SlowRefresher::new(0, false);
    app.save_refresh_response(format!(
        r#"{{"accessToken":"{}","refreshToken":"r1"}}"#,
        token(10)
    ))
    .unwrap();
    let losing = Arc::new(LosingRefresher {
        other: app.clone(),
        other_refresher: app_refresher.clone(),
        calls: AtomicUsize::new(0),
    });
    let got = extension.fresh_access_token(losing.clone(), 60).unwrap();
    assert_eq!(Some(got), extension.access_token().unwrap());
    assert_eq!(app_refresher.calls.load(Ordering::SeqCst), 1);
    assert_eq!(losing.calls.load(Ordering::SeqCst), 1);
}

/// A store whose `get` calls back into its session (a bug in an app's store).
struct ReentrantStore {
    inner: Arc<dyn TokenStore>,
    session: Mutex<Option<Arc<AuthSession>>>,
}

impl TokenStore for ReentrantStore {
    fn get(&self, key: String) -> Result<Option<String>, AuthcoreError> {
        if let Some(session) = self.session.lock().unwrap().take() {
            let e = session.current_user().unwrap_err();
            assert_eq!(e.code(), "store_reentered");
        }
        self.inner.get(key)
    }
    fn set(&self, key: String, value: String) -> Result<(), AuthcoreError> {
        self.inner.set(key, value)
    }
    fn remove(&self, key: String) -> Result<(), AuthcoreError> {
        self.inner.remove(key)
    }
}

#[test]
fn a_store_calling_back_into_its_session_gets_an_error_not_a_deadlock() {
    let store = Arc::new(ReentrantStore {
        inner: memory_token_store(),
        session: Mutex::new(None),
    });
    let session = Arc::new(AuthSession::new(store.clone()));
    *store.session.lock().unwrap() = Some(session.clone());
    assert_eq!(session.current_user().unwrap(), None);
    assert!(store.session.lock().unwrap().is_none(), "the callback ran");
}

#[test]
fn session_round_trips_through_the_store() {
    let store = memory_token_store();
    let access = token(3600);
    let first = AuthSession::new(store.clone());
    let user = first
        .save_signin_response(signin_json(&access, Some("r1")))
        .unwrap();
    assert_eq!((user.id, user.username.as_str()), (1, "zkoder"));

    let second = AuthSession::new(store.clone());
    assert_eq!(second.current_user().unwrap(), Some(user));
    assert!(second.has_role("admin".into()).unwrap());
    assert!(!second.has_role("moderator".into()).unwrap());
    assert!(!second.needs_refresh(60).unwrap());
    let headers = second.headers(HeaderStyle::Both).unwrap();
    assert_eq!(headers[0].name, "x-access-token");
    assert_eq!(headers[1].value, format!("Bearer {access}"));

    second.sign_out().unwrap();
    assert_eq!(store.get(STORAGE_KEY.into()).unwrap(), None);
    assert_eq!(
        second.headers(HeaderStyle::Bearer).unwrap_err().code(),
        "not_signed_in"
    );
    // The core's answer (SessionMachine::needs_refresh), as on npm: nothing to refresh.
    assert!(!second.needs_refresh(60).unwrap());
}

/// A clock the test sets.
struct TestClock(std::sync::atomic::AtomicI64);

impl SessionClock for TestClock {
    fn now_seconds(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[test]
fn an_injected_clock_decides_needs_refresh_and_fresh_access_token() {
    let now = SystemClock.now();
    let clock = Arc::new(TestClock(now.into()));
    let session = AuthSession::with_clock(memory_token_store(), clock.clone());
    let access = token_expiring(now, now + 120);
    session
        .save_signin_response(signin_json(&access, Some("r1")))
        .unwrap();
    let refresher = SlowRefresher::new(0, false);

    // exp - now = 61 > 60: fresh.
    clock.0.store(now + 59, Ordering::SeqCst);
    assert!(!session.needs_refresh(60).unwrap());
    assert_eq!(
        session.fresh_access_token(refresher.clone(), 60).unwrap(),
        access
    );
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 0);

    // exp - now = 60 <= 60: refresh, although the system clock says 120 s are left.
    clock.0.store(now + 60, Ordering::SeqCst);
    assert!(session.needs_refresh(60).unwrap());
    let refreshed = session.fresh_access_token(refresher.clone(), 60).unwrap();
    assert_ne!(refreshed, access);
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn unreadable_stored_session_counts_as_signed_out_and_is_cleared_by_sign_out() {
    // The core's one policy, the same in the JS package.
    let store = memory_token_store();
    store.set(STORAGE_KEY.into(), "{not json".into()).unwrap();
    let session = AuthSession::new(store.clone());
    assert_eq!(session.current_user().unwrap(), None);
    assert_eq!(
        session.headers(HeaderStyle::Both).unwrap_err().code(),
        "not_signed_in"
    );
    session.sign_out().unwrap();
    assert_eq!(store.get(STORAGE_KEY.into()).unwrap(), None);
}

#[test]
fn signin_without_refresh_token_cannot_refresh() {
    let session = AuthSession::new(memory_token_store());
    session
        .save_signin_response(signin_json(&token(10), None))
        .unwrap();
    let refresher = SlowRefresher::new(0, false);
    let e = session
        .fresh_access_token(refresher.clone(), 60)
        .unwrap_err();
    assert_eq!(e.code(), "no_refresh_token");
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 0);
}

struct BrokenStore;

impl TokenStore for BrokenStore {
    fn get(&self, _key: String) -> Result<Option<String>, AuthcoreError> {
        Ok(None)
    }
    fn set(&self, _key: String, _value: String) -> Result<(), AuthcoreError> {
        Err(AuthcoreError::Store {
            code: "disk_full".into(),
            detail: "no space".into(),
        })
    }
    fn remove(&self, _key: String) -> Result<(), AuthcoreError> {
        Ok(())
    }
}

#[test]
fn store_failures_surface_with_the_stores_code_and_nothing_is_saved() {
    let session = AuthSession::new(Arc::new(BrokenStore));
    let e = session
        .save_signin_response(signin_json(&token(10), Some("r1")))
        .unwrap_err();
    assert_eq!(e.code(), "disk_full");
    assert!(!session.is_signed_in().unwrap());
}

#[test]
fn garbage_signin_and_refresh_responses_are_rejected() {
    let session = AuthSession::new(memory_token_store());
    let e = session.save_signin_response("[]".into()).unwrap_err();
    assert_eq!(e.code(), "invalid_response");
    assert_eq!(
        session
            .save_refresh_response("{}".into())
            .unwrap_err()
            .code(),
        "not_signed_in"
    );
    let session = signed_in(10);
    assert_eq!(
        session
            .save_refresh_response("{}".into())
            .unwrap_err()
            .code(),
        "invalid_response"
    );
}

/// Panics inside `refresh` once told to, after signalling that it started.
struct PanickingRefresher {
    entered: Mutex<mpsc::Sender<()>>,
    proceed: Mutex<mpsc::Receiver<()>>,
}

impl Refresher for PanickingRefresher {
    fn refresh(&self, _body: String) -> Result<String, AuthcoreError> {
        self.entered.lock().unwrap().send(()).unwrap();
        self.proceed.lock().unwrap().recv().unwrap();
        panic!("refresher bug");
    }
}

#[test]
fn waiters_are_released_with_refresh_aborted_when_the_leader_unwinds() {
    let session = Arc::new(signed_in(10));
    let (entered_tx, entered_rx) = mpsc::channel();
    let (proceed_tx, proceed_rx) = mpsc::channel();
    let refresher = Arc::new(PanickingRefresher {
        entered: Mutex::new(entered_tx),
        proceed: Mutex::new(proceed_rx),
    });
    let leader = {
        let (session, refresher) = (session.clone(), refresher.clone());
        thread::spawn(move || session.fresh_access_token(refresher, 60))
    };
    entered_rx.recv().unwrap();
    let waiter = {
        let session = session.clone();
        thread::spawn(move || session.fresh_access_token(refresher, 60))
    };
    // Give the waiter time to join the flight; if it comes late it leads a flight of its own,
    // which panics too, and the assertion below still holds.
    thread::sleep(Duration::from_millis(100));
    proceed_tx.send(()).unwrap();
    drop(proceed_tx);
    assert!(leader.join().is_err());
    // A waiter that came too late led its own flight and panicked too: nothing hangs either way.
    if let Ok(outcome) = waiter.join() {
        assert_eq!(outcome.unwrap_err().code(), "refresh_aborted");
    }
    assert!(session.is_signed_in().unwrap());
}

/// Runs a future to completion on this thread (the tests need no runtime).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    struct Unpark(thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// A future-based switch: `opened()` completes once `open()` was called.
#[derive(Default)]
struct Gate {
    state: Mutex<(bool, Vec<std::task::Waker>)>,
}

impl Gate {
    fn open(&self) {
        let mut s = self.state.lock().unwrap();
        s.0 = true;
        s.1.drain(..).for_each(std::task::Waker::wake);
    }

    async fn opened(&self) {
        std::future::poll_fn(|cx| {
            let mut s = self.state.lock().unwrap();
            if s.0 {
                std::task::Poll::Ready(())
            } else {
                s.1.push(cx.waker().clone());
                std::task::Poll::Pending
            }
        })
        .await
    }
}

/// Answers once its gate opens, counting calls.
struct GatedAsyncRefresher {
    calls: AtomicUsize,
    gate: Gate,
    access: String,
}

#[async_trait::async_trait]
impl AsyncRefresher for GatedAsyncRefresher {
    async fn refresh(&self, _body: String) -> Result<String, AuthcoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.gate.opened().await;
        Ok(format!(r#"{{"accessToken":"{}"}}"#, self.access))
    }
}

#[test]
fn async_and_blocking_callers_share_one_refresh() {
    let session = Arc::new(signed_in(10));
    let refresher = Arc::new(GatedAsyncRefresher {
        calls: AtomicUsize::new(0),
        gate: Gate::default(),
        access: token(3600),
    });
    let leader = {
        let (session, refresher) = (session.clone(), refresher.clone());
        thread::spawn(move || block_on(session.fresh_access_token_async(refresher, 60)))
    };
    while refresher.calls.load(Ordering::SeqCst) == 0 {
        thread::sleep(Duration::from_millis(5));
    }
    let async_waiters: Vec<_> = (0..3)
        .map(|_| {
            let (session, refresher) = (session.clone(), refresher.clone());
            thread::spawn(move || block_on(session.fresh_access_token_async(refresher, 60)))
        })
        .collect();
    let blocking_waiters: Vec<_> = (0..3)
        .map(|_| {
            let session = session.clone();
            // Never called: the flight under way answers these callers.
            let unused = SlowRefresher::new(0, true);
            thread::spawn(move || session.fresh_access_token(unused, 60))
        })
        .collect();
    while session.waiting() < 6 {
        thread::sleep(Duration::from_millis(5));
    }
    refresher.gate.open();
    let all = std::iter::once(leader)
        .chain(async_waiters)
        .chain(blocking_waiters);
    for handle in all {
        assert_eq!(handle.join().unwrap().unwrap(), refresher.access);
    }
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
}

#[test]
fn cancelling_the_leading_future_releases_waiters_with_refresh_aborted() {
    let session = Arc::new(signed_in(10));
    let refresher = Arc::new(GatedAsyncRefresher {
        calls: AtomicUsize::new(0),
        gate: Gate::default(),
        access: token(3600),
    });
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut leader = Box::pin(session.fresh_access_token_async(refresher.clone(), 60));
    assert!(leader.as_mut().poll(&mut cx).is_pending());
    let waiter = {
        let session = session.clone();
        thread::spawn(move || session.fresh_access_token(SlowRefresher::new(0, true), 60))
    };
    while session.waiting() < 1 {
        thread::sleep(Duration::from_millis(5));
    }
    drop(leader);
    let outcome = waiter.join().unwrap();
    assert_eq!(outcome.unwrap_err().code(), "refresh_aborted");
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
}

/// Refuses every refresh with `code`, counting calls.
struct RefusingRefresher {
    code: &'static str,
    calls: AtomicUsize,
}

impl Refresher for RefusingRefresher {
    fn refresh(&self, _body: String) -> Result<String, AuthcoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(AuthcoreError::Refresh {
            code: self.code.into(),
            detail: "refused".into(),
        })
    }
}

#[test]
fn a_refresh_refused_with_401_or_403_signs_out() {
    for code in ["http_401", "http_403"] {
        let session = signed_in(10);
        let refresher = Arc::new(RefusingRefresher {
            code,
            calls: AtomicUsize::new(0),
        });
        let err = session.fresh_access_token(refresher.clone(), 60);
        assert_eq!(err.unwrap_err().code(), code);
        assert!(!session.is_signed_in().unwrap(), "{code}");
        let again = session.fresh_access_token(refresher.clone(), 60);
        assert_eq!(again.unwrap_err().code(), "not_signed_in");
        assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn an_async_refresh_refused_with_403_signs_out() {
    struct Refusing;
    #[async_trait::async_trait]
    impl AsyncRefresher for Refusing {
        async fn refresh(&self, _body: String) -> Result<String, AuthcoreError> {
            Err(AuthcoreError::Refresh {
                code: "http_403".into(),
                detail: "account disabled".into(),
            })
        }
    }
    let session = signed_in(10);
    let err = block_on(session.fresh_access_token_async(Arc::new(Refusing), 60));
    assert_eq!(err.unwrap_err().code(), "http_403");
    assert!(!session.is_signed_in().unwrap());
}

#[test]
fn an_access_token_rejected_with_401_signs_out() {
    let session = signed_in(3600);
    session.handle_unauthorized().unwrap();
    assert!(!session.is_signed_in().unwrap());
    let refresher = SlowRefresher::new(0, false);
    let err = session.fresh_access_token(refresher.clone(), 60);
    assert_eq!(err.unwrap_err().code(), "not_signed_in");
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 0);
}
