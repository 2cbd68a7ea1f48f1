//! `AuthSession`: the signed-in state kept in a Web Storage–like object and the headers to send.
//! The decisions (what a signin or refresh response means, when to refresh, who refreshes, whether
//! another tab already did, what a sign-out means for a refresh in flight) are the core's
//! `SessionMachine`; this module reads and writes the storage. `freshAccessToken` is the package's
//! `session.js`, a subclass that only orchestrates the promise and the cross-tab lock (js-sys
//! futures would cost ~6 KB gz).

use authcore::text::concat;
use std::cell::RefCell;

use authcore::session::{
    Fresh, HeaderStyle, Refresh, STORAGE_KEY, Session, SessionError, SessionMachine, SessionUser,
};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::args::{whole_number_arg, whole_seconds};
use crate::clock;
use crate::error::BindingError;
use crate::json::{json_text, options_object, string_arg, string_member};

/// Refresh when the access token has this many seconds left or fewer, unless told otherwise.
pub const DEFAULT_MIN_TTL_SECONDS: i64 = 60;

#[wasm_bindgen(typescript_custom_section)]
const TS_SESSION: &str = r#"
/** Where a session is kept: `localStorage`, `sessionStorage`, a `MemoryStorage`, or any object like them. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Options of `new AuthSession`. Unknown keys are refused (`invalid_argument`). */
export interface AuthSessionOptions {
  /** The storage key (default `"authcore.session"`). */
  storageKey?: string;
}

/** The signed-in user, as authd's signin response describes it. */
export interface SessionUser {
  /**
   * `users.id`, exactly: a `number` for every id within `Number.MAX_SAFE_INTEGER` (2^53 - 1), a
   * `bigint` beyond, where a number would round it (the stored session keeps it exact either way).
   */
  id: number | bigint;
  username: string;
  email: string;
  /** Authorities as authd returns them: `ROLE_USER`, `ROLE_MODERATOR`, `ROLE_ADMIN`. */
  roles: string[];
}

/** authd's `POST /api/auth/signin` response body, as `JSON.parse` gives it. */
export interface SigninResponse extends Omit<SessionUser, "id"> {
  id: number;
  accessToken: string;
  refreshToken?: string;
}

/** authd's `POST /api/auth/refreshtoken` response body. */
export interface RefreshResponse {
  accessToken: string;
  refreshToken?: string;
}

/** Which headers carry the access token: both (default), only `x-access-token`, or only `Authorization: Bearer`. */
export type HeaderStyle = "both" | "accessToken" | "bearer";

/**
 * Performs the refresh call: receives the JSON request body (`{"refreshToken":"…"}`) and resolves
 * to the response body, as text or parsed. Rejecting rejects every waiting `freshAccessToken` call;
 * rejecting with an error whose `status` is authd's 401 or 403 (or whose `code` is `http_401` or
 * `http_403`) also signs the session out.
 */
export type RefreshFn = (body: string) => Promise<string | RefreshResponse> | string | RefreshResponse;
"#;

#[wasm_bindgen]
extern "C" {
    /// Any object with Web Storage's `getItem`, `setItem` and `removeItem`.
    #[wasm_bindgen(typescript_type = "StorageLike")]
    pub type StorageLike;

    #[wasm_bindgen(method, structural, catch, js_name = getItem)]
    fn get_item(this: &StorageLike, key: &str) -> Result<Option<String>, JsValue>;

    #[wasm_bindgen(method, structural, catch, js_name = setItem)]
    fn set_item(this: &StorageLike, key: &str, value: &str) -> Result<(), JsValue>;

    #[wasm_bindgen(method, structural, catch, js_name = removeItem)]
    fn remove_item(this: &StorageLike, key: &str) -> Result<(), JsValue>;
}

/// The header style named by a JS string.
fn header_style(name: Option<&str>) -> Result<HeaderStyle, String> {
    match name {
        None | Some("both") => Ok(HeaderStyle::Both),
        Some("accessToken") => Ok(HeaderStyle::AccessToken),
        Some("bearer") => Ok(HeaderStyle::Bearer),
        Some(other) => Err(concat(&[
            "header style must be \"both\", \"accessToken\" or \"bearer\", not \"",
            other,
            "\"",
        ])),
    }
}

/// A signed-in session kept in a storage object (`localStorage`, `sessionStorage`, a
/// `MemoryStorage`). Every read goes to the storage, so sessions sharing one storage (tabs of one
/// origin) agree; the decisions are the core's `SessionMachine`, the same the phones use. No
/// `RefCell` borrow is ever held across a call into JS.
#[wasm_bindgen]
pub struct AuthSession {
    storage: StorageLike,
    key: String,
    machine: RefCell<SessionMachine>,
}

impl AuthSession {
    fn stored(&self) -> Result<Option<String>, BindingError> {
        Ok(self.storage.get_item(&self.key)?)
    }

    fn write(&self, stored: &str) -> Result<(), BindingError> {
        Ok(self.storage.set_item(&self.key, stored)?)
    }

    /// The stored session, read now; `None` when signed out (or unreadable).
    fn current(&self) -> Result<Option<Session>, BindingError> {
        let stored = self.stored()?;
        Ok(self.machine.borrow_mut().current(stored.as_deref())?)
    }

    fn signed_in(&self) -> Result<Session, BindingError> {
        Ok(self.current()?.ok_or(SessionError::NotSignedIn)?)
    }
}

/// A step of `freshAccessToken` as a plain one-member object: `{token}`, `{join}`, `{lead}` or
/// `{body}`.
fn step(name: &str, value: JsValue) -> Result<JsValue, BindingError> {
    let object = Object::new();
    Reflect::set(&object, &JsValue::from_str(name), &value)?;
    Ok(object.into())
}

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The user as a plain object, its `id` exact: a number within ±`MAX_SAFE_INTEGER`, else a
/// `BigInt` (JSON would round it to the nearest double).
fn user_js(user: &SessionUser) -> Result<JsValue, BindingError> {
    // The same object either way: `to_json` writes serde_json's text (checked in the core).
    #[cfg(feature = "small-json")]
    let object = crate::json::json_to_js(&user.to_json())?;
    #[cfg(not(feature = "small-json"))]
    let object = crate::json::to_js(user)?;
    if user.id.unsigned_abs() > MAX_SAFE_INTEGER {
        Reflect::set(&object, &JsValue::from_str("id"), &JsValue::from(user.id))?;
    }
    Ok(object)
}

/// A flight id as a JS number (ids count up from 0; far below 2^53).
fn flight_js(id: u64) -> JsValue {
    #[allow(clippy::cast_precision_loss)]
    JsValue::from_f64(id as f64)
}

fn min_ttl(min_ttl_seconds: Option<f64>) -> Result<i64, BindingError> {
    Ok(whole_number_arg(min_ttl_seconds, "minTtlSeconds")?.unwrap_or(DEFAULT_MIN_TTL_SECONDS))
}

/// A flight id from JS (a small whole number the machine handed out).
fn flight_id(id: f64) -> Result<u64, BindingError> {
    whole_seconds(id, "flight").map_err(BindingError::invalid)
}

#[wasm_bindgen]
impl AuthSession {
    /// A session over `storage`, under the key `options.storageKey` (default `authcore.session`).
    ///
    /// Throws `AuthcoreError` `invalid_argument` when `storage` lacks `getItem`, `setItem` or
    /// `removeItem`, or `options` is not `AuthSessionOptions`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        storage: StorageLike,
        #[wasm_bindgen(unchecked_optional_param_type = "AuthSessionOptions")] options: JsValue,
    ) -> Result<AuthSession, BindingError> {
        for method in ["getItem", "setItem", "removeItem"] {
            let member = Reflect::get(&storage, &JsValue::from_str(method))
                .map_err(|_| BindingError::invalid("storage is not an object"))?;
            if !member.is_function() {
                return Err(BindingError::invalid(concat(&[
                    "storage has no ",
                    method,
                    " method",
                ])));
            }
        }
        let key = match options_object(&options, "options", &["storageKey"])? {
            Some(options) => string_member(options, "storageKey")?,
            None => None,
        }
        .unwrap_or_else(|| STORAGE_KEY.to_owned());
        Ok(AuthSession {
            storage,
            key,
            machine: RefCell::new(SessionMachine::new()),
        })
    }

    /// Stores the session of authd's signin response (JSON text or the parsed object) and returns
    /// the signed-in user. Replaces any previous session.
    ///
    /// Throws `AuthcoreError` `invalid_response` for a body that is not a signin response; storage
    /// errors (a full quota) are rethrown as they are.
    #[wasm_bindgen(js_name = saveSigninResponse, unchecked_return_type = "SessionUser")]
    pub fn save_signin_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | SigninResponse")] response: JsValue,
    ) -> Result<JsValue, BindingError> {
        let text = json_text(&response, "signin response")?;
        let (session, stored) = self.machine.borrow_mut().sign_in(&text)?;
        self.write(&stored)?;
        user_js(&session.user)
    }

    /// Stores the tokens of authd's refresh response (JSON text or the parsed object), keeping the
    /// user and, when the response has none, the refresh token. Returns the new access token.
    ///
    /// With `forUserId` (a whole number or a bigint, as `user.id` gives it), the response is stored
    /// only if that user is still the one signed in; otherwise it is discarded with
    /// `session_changed` (signed out or another user signed in while the refresh was in flight).
    /// `session.js` passes it here as a bigint, range-checked.
    ///
    /// Throws `AuthcoreError` `not_signed_in`, `session_changed`, `invalid_response`, or
    /// `invalid_argument` for a `forUserId` that is not a whole number in the 64-bit range.
    #[wasm_bindgen(js_name = saveRefreshResponse)]
    pub fn save_refresh_response(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | RefreshResponse")] response: JsValue,
        #[wasm_bindgen(js_name = forUserId, unchecked_optional_param_type = "number | bigint")]
        for_user: Option<i64>,
    ) -> Result<String, BindingError> {
        let text = json_text(&response, "refresh response")?;
        let stored = self.stored()?;
        let landing =
            self.machine
                .borrow_mut()
                .apply_refresh(stored.as_deref(), &text, for_user)?;
        self.write(&landing.stored)?;
        Ok(landing.access_token)
    }

    /// The signed-in user, or null.
    #[wasm_bindgen(getter, unchecked_return_type = "SessionUser | null")]
    pub fn user(&self) -> Result<JsValue, BindingError> {
        match self.current()? {
            Some(session) => user_js(&session.user),
            None => Ok(JsValue::NULL),
        }
    }

    /// The access token to send, or null when signed out. It may be expired: see `needsRefresh`
    /// and `freshAccessToken`.
    #[wasm_bindgen(getter, js_name = accessToken, unchecked_return_type = "string | null")]
    pub fn access_token(&self) -> Result<JsValue, BindingError> {
        Ok(self
            .current()?
            .map_or(JsValue::NULL, |s| JsValue::from(s.access_token)))
    }

    /// The headers that carry the access token: `{"x-access-token": t, "Authorization": "Bearer t"}`
    /// by default. Pass it as `fetch(url, { headers })`.
    ///
    /// Throws `AuthcoreError` `not_signed_in` when signed out (or the stored session is
    /// unreadable), as on every surface; `invalid_argument` for an unknown style.
    #[wasm_bindgen(unchecked_return_type = "Record<string, string>")]
    pub fn headers(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "HeaderStyle")] style: Option<String>,
    ) -> Result<JsValue, BindingError> {
        let style = header_style(style.as_deref()).map_err(BindingError::invalid)?;
        let headers = Object::new();
        for (name, value) in self.signed_in()?.headers(style) {
            Reflect::set(&headers, &JsValue::from(name), &JsValue::from(value))?;
        }
        Ok(headers.into())
    }

    /// Whether the access token expires within `minTtlSeconds` (default 60), carries no `exp`, or
    /// cannot be read. False when signed out: there is nothing to refresh.
    #[wasm_bindgen(js_name = needsRefresh)]
    pub fn needs_refresh(
        &self,
        #[wasm_bindgen(js_name = minTtlSeconds, unchecked_optional_param_type = "number")]
        min_ttl_seconds: Option<f64>,
    ) -> Result<bool, BindingError> {
        let min_ttl = min_ttl(min_ttl_seconds)?;
        let stored = self.stored()?;
        Ok(self
            .machine
            .borrow_mut()
            .needs_refresh(stored.as_deref(), clock::now(), min_ttl)?)
    }

    /// Whether the signed-in user holds `role`, by name (`admin`) or authority (`ROLE_ADMIN`).
    /// False when signed out.
    #[wasm_bindgen(js_name = hasRole)]
    pub fn has_role(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] role: JsValue,
    ) -> Result<bool, BindingError> {
        let role = string_arg(&role, "role")?;
        Ok(self.current()?.is_some_and(|s| s.has_role(&role)))
    }

    /// The body of `POST /api/auth/refreshtoken` (`{"refreshToken":"…"}`), whatever the access
    /// token's time left: ask `needsRefresh(minTtlSeconds)` first. To refresh yourself, then
    /// `saveRefreshResponse`; `freshAccessToken` does both, once per origin.
    ///
    /// Throws `AuthcoreError` `not_signed_in`, or `no_refresh_token` when authd issued none.
    #[wasm_bindgen(js_name = refreshRequestBody)]
    pub fn refresh_request_body(&self) -> Result<String, BindingError> {
        Ok(self.signed_in()?.refresh_request_body()?)
    }

    /// Signs out: removes the stored session. A `freshAccessToken` refresh still in flight then
    /// rejects with `session_changed` instead of storing its tokens.
    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(&self) -> Result<(), BindingError> {
        self.machine.borrow_mut().sign_out();
        Ok(self.storage.remove_item(&self.key)?)
    }

    /// Reports that authd answered a request carrying this session's access token with 401 (the
    /// token was revoked, or the account disabled): signs out like `signOut`, so a later
    /// `freshAccessToken` rejects with `not_signed_in`.
    #[wasm_bindgen(js_name = handleUnauthorized)]
    pub fn handle_unauthorized(&self) -> Result<(), BindingError> {
        self.machine.borrow_mut().access_rejected();
        Ok(self.storage.remove_item(&self.key)?)
    }

    /// `freshAccessToken`'s first step (package-internal): `{token}` when fresh enough, `{join}`
    /// with the flight under way, or `{lead}` with a new flight.
    #[wasm_bindgen(js_name = beginRefresh, skip_typescript)]
    pub fn begin_refresh(&self, min_ttl_seconds: Option<f64>) -> Result<JsValue, BindingError> {
        let min_ttl = min_ttl(min_ttl_seconds)?;
        let stored = self.stored()?;
        let fresh = self
            .machine
            .borrow_mut()
            .fresh(stored.as_deref(), clock::now(), min_ttl)?;
        match fresh {
            Fresh::Ready(token) => step("token", JsValue::from(token)),
            Fresh::Join(id) => step("join", flight_js(id)),
            Fresh::Lead(id) => step("lead", flight_js(id)),
        }
    }

    /// The leader's step once it holds the cross-tab lock (package-internal): re-reads the
    /// storage; `{token}` when another tab refreshed meanwhile, or `{body}` to send.
    #[wasm_bindgen(js_name = refreshBody, skip_typescript)]
    pub fn refresh_body(
        &self,
        flight: f64,
        min_ttl_seconds: Option<f64>,
    ) -> Result<JsValue, BindingError> {
        let (id, min_ttl) = (flight_id(flight)?, min_ttl(min_ttl_seconds)?);
        let stored = self.stored()?;
        let next =
            self.machine
                .borrow_mut()
                .refresh_body(id, stored.as_deref(), clock::now(), min_ttl)?;
        match next {
            Refresh::Adopt(token) => step("token", JsValue::from(token)),
            Refresh::Send(body) => step("body", JsValue::from(body)),
        }
    }

    /// Lands authd's refresh response for a flight (package-internal): re-reads the storage,
    /// writes the refreshed session, returns the new access token.
    #[wasm_bindgen(js_name = landRefresh, skip_typescript)]
    pub fn land_refresh(&self, flight: f64, response: JsValue) -> Result<String, BindingError> {
        let id = flight_id(flight)?;
        let text = json_text(&response, "refresh response");
        let stored = self.stored();
        let landing = match (text, stored) {
            (Ok(text), Ok(stored)) => self.machine.borrow_mut().land(id, stored.as_deref(), &text),
            (Err(e), _) | (_, Err(e)) => {
                self.machine.borrow_mut().end(id);
                return Err(e);
            }
        }?;
        self.write(&landing.stored)?;
        Ok(landing.access_token)
    }

    /// Ends a flight that did not land (package-internal). `failed` is the refresh call's error
    /// code (`http_<status>`) when it failed: authd's 401 or 403 signs the session out.
    #[wasm_bindgen(js_name = endRefresh, skip_typescript)]
    pub fn end_refresh(&self, flight: f64, failed: Option<String>) -> Result<(), BindingError> {
        let id = flight_id(flight)?;
        let stored = self.stored().ok().flatten();
        let code = failed.unwrap_or_default();
        if self
            .machine
            .borrow_mut()
            .refresh_failed(id, stored.as_deref(), &code)
        {
            self.storage.remove_item(&self.key)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_style_defaults_to_both_and_refuses_unknown_names() {
        assert_eq!(header_style(None), Ok(HeaderStyle::Both));
        assert_eq!(header_style(Some("bearer")), Ok(HeaderStyle::Bearer));
        assert_eq!(
            header_style(Some("accessToken")),
            Ok(HeaderStyle::AccessToken)
        );
        assert_eq!(
            header_style(Some("Bearer")),
            Err(format!(
                "header style must be \"both\", \"accessToken\" or \"bearer\", not \"{}\"",
                "Bearer"
            ))
        );
    }
}
