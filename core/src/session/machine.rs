//! One session's state machine: which stored session is current, whether to refresh, who refreshes
//! (single flight), what a landed refresh writes, and what a sign-in or sign-out means for a refresh
//! under way. No I/O: a binding reads and writes its store and calls authd, and feeds what it read
//! here. Both bindings (UniFFI, wasm) drive this one machine, so phones and browsers decide alike.
//!
//! Another process (an app extension) or tab may rotate the tokens in the shared store at any time.
//! So every decision takes the stored text as just read, and a refresh leader re-reads the store
//! once it may refresh (after any cross-process lock): if the stored session is no longer the one
//! the refresh was for and is fresh, it is adopted instead of refreshing again.

use super::{Session, SessionError};

/// What a caller that wants a fresh access token does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fresh {
    /// The stored access token has more than the minimum time left: use it.
    Ready(String),
    /// A refresh of this session is under way: wait for flight `id` to land.
    Join(u64),
    /// Lead flight `id`: take any cross-process lock, re-read the store, then call
    /// [`SessionMachine::refresh_body`].
    Lead(u64),
}

/// What a refresh leader does after re-reading the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// Another process or tab refreshed first: use this access token, no refresh call. The flight
    /// is over.
    Adopt(String),
    /// POST this body to authd's refresh endpoint, then [`SessionMachine::land`] the response.
    Send(String),
}

/// A landed refresh: write `stored` under the storage key, then use `access_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    /// The session's stored form to write.
    pub stored: String,
    /// The new access token.
    pub access_token: String,
}

/// The refresh under way.
#[derive(Debug, Clone)]
struct Flight {
    id: u64,
    /// The sign-in epoch it started in.
    epoch: u64,
    /// The user it refreshes for.
    user_id: i64,
    /// The access token it replaces: a stored session with another one was refreshed elsewhere.
    access_token: String,
}

/// The state one binding session keeps in memory. Holds no tokens beyond the parse cache and the
/// flight; the store stays the truth.
#[derive(Debug, Default)]
pub struct SessionMachine {
    /// The last stored text parsed, with its session (so unchanged text is not parsed again).
    parsed: Option<(String, Session)>,
    /// Bumped by every sign-in and sign-out through this machine.
    epoch: u64,
    flight: Option<Flight>,
    next_flight: u64,
}

impl SessionMachine {
    /// A machine with nothing read yet.
    pub fn new() -> SessionMachine {
        SessionMachine::default()
    }

    /// The session stored as `stored` (the store's value as just read): `None` when signed out.
    /// A stored value that cannot be read (another program's data, a torn write) counts as signed
    /// out, on every surface: it cannot be used, and the next sign-in replaces it.
    pub fn current(&mut self, stored: Option<&str>) -> Result<Option<Session>, SessionError> {
        let Some(text) = stored else {
            self.parsed = None;
            return Ok(None);
        };
        if let Some((seen, session)) = &self.parsed
            && seen == text
        {
            return Ok(Some(session.clone()));
        }
        self.parsed = Session::from_json(text)
            .ok()
            .map(|session| (text.to_owned(), session));
        Ok(self.parsed.as_ref().map(|(_, session)| session.clone()))
    }

    /// [`current`](Self::current), failing with `not_signed_in` when signed out.
    pub fn signed_in(&mut self, stored: Option<&str>) -> Result<Session, SessionError> {
        self.current(stored)?.ok_or(SessionError::NotSignedIn)
    }

    /// Signs in with authd's signin response: returns the session and its stored form to write.
    /// A refresh under way will not land.
    pub fn sign_in(&mut self, response: &str) -> Result<(Session, String), SessionError> {
        let session = Session::from_signin_response(response)?;
        let stored = session.to_json();
        self.epoch = self.epoch.wrapping_add(1);
        self.parsed = Some((stored.clone(), session.clone()));
        Ok((session, stored))
    }

    /// Signs out: the binding removes the stored value. A refresh under way will not land.
    pub fn sign_out(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        self.parsed = None;
    }

    /// authd answered a protected route with 401: the access token was revoked (a password
    /// change, a sign-out everywhere) or the account disabled. Signs out like
    /// [`sign_out`](Self::sign_out): the binding removes the stored value.
    pub fn access_rejected(&mut self) {
        self.sign_out();
    }

    /// Ends flight `id`, whose refresh call failed with `code` (the binding's error code, `http_401`
    /// for an HTTP status). Returns whether that failure signs out: authd answered 401 or 403 (the
    /// refresh token's family was revoked, the account disabled) and the store, as re-read in
    /// `stored`, still holds the session the flight refreshed. The binding then removes the
    /// stored value.
    pub fn refresh_failed(&mut self, id: u64, stored: Option<&str>, code: &str) -> bool {
        let signs_out = refresh_rejected(code)
            && self.flight_for(id).is_ok_and(|flight| {
                self.current(stored).ok().flatten().is_some_and(|s| {
                    s.user.id == flight.user_id && s.access_token == flight.access_token
                })
            });
        self.end(id);
        if signs_out {
            self.sign_out();
        }
        signs_out
    }

    /// Applies a refresh response the app fetched itself (outside any flight) to the stored
    /// session; returns what to write. When `for_user` is given, only that user's session is
    /// updated (`session_changed` otherwise).
    pub fn apply_refresh(
        &mut self,
        stored: Option<&str>,
        response: &str,
        for_user: Option<i64>,
    ) -> Result<Landing, SessionError> {
        let current = match (self.current(stored)?, for_user) {
            (None, None) => return Err(SessionError::NotSignedIn),
            (None, Some(_)) => return Err(SessionError::Changed),
            (Some(s), Some(id)) if s.user.id != id => return Err(SessionError::Changed),
            (Some(s), _) => s,
        };
        self.write(current.with_refresh_response(response)?)
    }

    /// Whether the stored session's access token expires within `min_ttl_seconds` at `now` (false
    /// when signed out).
    pub fn needs_refresh(
        &mut self,
        stored: Option<&str>,
        now: i64,
        min_ttl_seconds: i64,
    ) -> Result<bool, SessionError> {
        Ok(self
            .current(stored)?
            .is_some_and(|s| s.needs_refresh(now, min_ttl_seconds)))
    }

    /// The first step towards an access token with more than `min_ttl_seconds` left at `now`:
    /// ready, join the flight under way, or lead a new one. Fails with `not_signed_in`,
    /// `invalid_session` or `no_refresh_token`.
    pub fn fresh(
        &mut self,
        stored: Option<&str>,
        now: i64,
        min_ttl_seconds: i64,
    ) -> Result<Fresh, SessionError> {
        let session = self.signed_in(stored)?;
        if !session.needs_refresh(now, min_ttl_seconds) {
            return Ok(Fresh::Ready(session.access_token));
        }
        // A flight from before a sign-in or sign-out will not land: lead a new one.
        if let Some(flight) = &self.flight
            && flight.epoch == self.epoch
        {
            return Ok(Fresh::Join(flight.id));
        }
        session.refresh_request_body()?;
        let id = self.next_flight;
        self.next_flight = id.wrapping_add(1);
        self.flight = Some(Flight {
            id,
            epoch: self.epoch,
            user_id: session.user.id,
            access_token: session.access_token,
        });
        Ok(Fresh::Lead(id))
    }

    /// For the leader of flight `id`, with the store as re-read after any cross-process lock:
    /// adopt a session another process or tab refreshed meanwhile, or the body to send. Ends the
    /// flight when adopting or failing (`not_signed_in`, `session_changed`, `no_refresh_token`).
    pub fn refresh_body(
        &mut self,
        id: u64,
        stored: Option<&str>,
        now: i64,
        min_ttl_seconds: i64,
    ) -> Result<Refresh, SessionError> {
        let step = self.refresh_step(id, stored, now, min_ttl_seconds);
        if !matches!(step, Ok(Refresh::Send(_))) {
            self.end(id);
        }
        step
    }

    fn refresh_step(
        &mut self,
        id: u64,
        stored: Option<&str>,
        now: i64,
        min_ttl_seconds: i64,
    ) -> Result<Refresh, SessionError> {
        let flight = self.flight_for(id)?;
        let session = self.current(stored)?.ok_or(SessionError::NotSignedIn)?;
        if session.user.id != flight.user_id {
            return Err(SessionError::Changed);
        }
        if session.access_token != flight.access_token
            && !session.needs_refresh(now, min_ttl_seconds)
        {
            return Ok(Refresh::Adopt(session.access_token));
        }
        Ok(Refresh::Send(session.refresh_request_body()?))
    }

    /// Lands authd's refresh `response` for flight `id`, with the store as re-read just before:
    /// what to write. Ends the flight. Fails with `session_changed` when this machine signed in or
    /// out meanwhile, or the store now holds another user (or none: another process signed out),
    /// and with `invalid_response`.
    pub fn land(
        &mut self,
        id: u64,
        stored: Option<&str>,
        response: &str,
    ) -> Result<Landing, SessionError> {
        let landing = self.landing(id, stored, response);
        self.end(id);
        landing
    }

    fn landing(
        &mut self,
        id: u64,
        stored: Option<&str>,
        response: &str,
    ) -> Result<Landing, SessionError> {
        let flight = self.flight_for(id)?;
        let current = self.current(stored)?;
        let current = match current {
            Some(s) if s.user.id == flight.user_id => s,
            _ => return Err(SessionError::Changed),
        };
        self.write(current.with_refresh_response(response)?)
    }

    /// Ends flight `id` without a landing (the refresh call failed or was abandoned).
    pub fn end(&mut self, id: u64) {
        if self.flight.as_ref().is_some_and(|f| f.id == id) {
            self.flight = None;
        }
    }

    /// Whether flight `id` is still under way.
    pub fn in_flight(&self, id: u64) -> bool {
        self.flight.as_ref().is_some_and(|f| f.id == id)
    }

    /// The flight `id`, unless it ended or a sign-in/out happened since it started.
    fn flight_for(&self, id: u64) -> Result<Flight, SessionError> {
        match &self.flight {
            Some(f) if f.id == id && f.epoch == self.epoch => Ok(f.clone()),
            _ => Err(SessionError::Changed),
        }
    }

    fn write(&mut self, next: Session) -> Result<Landing, SessionError> {
        let stored = next.to_json();
        let access_token = next.access_token.clone();
        self.parsed = Some((stored.clone(), next));
        Ok(Landing {
            stored,
            access_token,
        })
    }
}

/// Whether a refresh that failed with `code` means authd no longer accepts the session: HTTP 401
/// or 403 (`http_401`, `http_403`).
pub fn refresh_rejected(code: &str) -> bool {
    matches!(code, "http_401" | "http_403")
}

#[cfg(test)]
#[cfg(feature = "signing")]
mod tests;
