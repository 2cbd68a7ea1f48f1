package authcore

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import java.util.Base64
import java.util.concurrent.atomic.AtomicInteger

/** An unsigned-looking JWT expiring [secondsLeft] from now: enough for inspection and refresh. */
fun tokenExpiringIn(secondsLeft: Long, id: Long = 1): String {
    val b64 = Base64.getUrlEncoder().withoutPadding()
    val now = System.currentTimeMillis() / 1000
    val header = b64.encodeToString("""{"alg":"HS256","typ":"JWT"}""".toByteArray())
    val payload = b64.encodeToString("""{"id":$id,"roles":["user"],"iat":$now,"exp":${now + secondsLeft}}""".toByteArray())
    return "$header.$payload.${b64.encodeToString("sig".toByteArray())}"
}

fun signinJson(access: String, refresh: String? = "r1"): String {
    val refreshPart = if (refresh == null) "" else ""","refreshToken":"$refresh""""
    return """{"id":1,"username":"zkoder","email":"user@bezkoder.com","roles":["ROLE_USER","ROLE_MODERATOR"],"accessToken":"$access"$refreshPart}"""
}

/** Answers refreshes with [access] after [delayMs], counting calls. */
class CountingRefresher(private val access: String, private val delayMs: Long = 0) : Refresher {
    val calls = AtomicInteger()
    val bodies = java.util.concurrent.ConcurrentLinkedQueue<String>()

    override fun refresh(body: String): String {
        calls.incrementAndGet()
        bodies.add(body)
        Thread.sleep(delayMs)
        return """{"accessToken":"$access","refreshToken":"r2"}"""
    }
}

class SessionTests(private val h: Harness) {
    fun run() {
        h.test("session round trip through SharedPreferences") {
            val prefs = MapSharedPreferences()
            val access = tokenExpiringIn(3600)
            AuthSession(SharedPreferencesTokenStore(prefs)).use { s ->
                val user = s.saveSigninResponse(signinJson(access))
                assertEq(user.username, "zkoder", "username")
                assertEq(user.roles, listOf("ROLE_USER", "ROLE_MODERATOR"), "roles")
            }
            assertTrue(prefs.contains("authcore.session"), "stored under authcore.session")
            // A new session object (an app restart) reads the stored session back.
            AuthSession(SharedPreferencesTokenStore(prefs)).use { s ->
                assertEq(s.currentUser()?.email, "user@bezkoder.com", "email")
                assertEq(s.accessToken(), access, "access token")
                assertTrue(s.hasRole("moderator") && s.hasRole("ROLE_USER") && !s.hasRole("admin"), "roles")
                assertEq(s.needsRefresh(60), false, "needs refresh")
                assertEq(s.refreshRequestBody(), """{"refreshToken":"r1"}""", "refresh body")
                val headers = s.headers(HeaderStyle.BOTH).map { it.name to it.value }
                assertEq(headers, listOf("x-access-token" to access, "Authorization" to "Bearer $access"), "headers")
                assertEq(s.headers(HeaderStyle.BEARER).size, 1, "bearer only")
                val next = tokenExpiringIn(7200)
                s.saveRefreshResponse("""{"accessToken":"$next"}""")
                assertEq(s.accessToken(), next, "refreshed token")
                assertEq(s.refreshRequestBody(), """{"refreshToken":"r1"}""", "refresh token kept")
                s.signOut()
                assertEq(s.isSignedIn(), false, "signed out")
            }
            assertTrue(!prefs.contains("authcore.session"), "sign out clears the store")
        }

        h.test("SharedPreferences values are encrypted with the cipher") {
            val prefs = MapSharedPreferences()
            val cipher = object : ValueCipher {
                override fun encrypt(plaintext: String) = "enc:" + plaintext.reversed()
                override fun decrypt(stored: String) = stored.removePrefix("enc:").reversed()
            }
            AuthSession(SharedPreferencesTokenStore(prefs, cipher)).use { s ->
                s.saveSigninResponse(signinJson(tokenExpiringIn(3600)))
            }
            assertTrue(prefs.values.getValue("authcore.session").startsWith("enc:"), "stored encrypted")
            AuthSession(SharedPreferencesTokenStore(prefs, cipher)).use { s ->
                assertEq(s.currentUser()?.id, 1L, "decrypted user")
            }
            val broken = object : ValueCipher {
                override fun encrypt(plaintext: String) = plaintext
                override fun decrypt(stored: String): String = throw IllegalStateException("key invalidated")
            }
            AuthSession(SharedPreferencesTokenStore(prefs, broken)).use { s ->
                assertThrows<AuthcoreException.Store>("cipher_failed") { s.currentUser() }
            }
        }

        h.test("single-flight: concurrent freshAccessToken calls trigger one refresh") {
            AuthSession(memoryTokenStore()).use { s ->
                s.saveSigninResponse(signinJson(tokenExpiringIn(10)))
                val fresh = tokenExpiringIn(3600, id = 1)
                val refresher = CountingRefresher(fresh, delayMs = 300)
                val callers = 16
                val tokens = runBlocking {
                    (1..callers).map { async(Dispatchers.IO) { s.freshAccessToken(refresher, 60) } }.awaitAll()
                }
                assertEq(refresher.calls.get(), 1, "refresh calls")
                assertEq(refresher.bodies.toList(), listOf("""{"refreshToken":"r1"}"""), "refresh body")
                assertEq(tokens.toSet(), setOf(fresh), "every caller got the new token")
                assertEq(s.refreshRequestBody(), """{"refreshToken":"r2"}""", "rotated refresh token")
                // Now fresh: no further refresh.
                assertEq(s.freshAccessToken(refresher, 60), fresh, "fresh token")
                assertEq(refresher.calls.get(), 1, "refresh calls after")
            }
        }

        h.test("single-flight (suspend): concurrent freshAccessTokenAsync calls trigger one refresh") {
            AuthSession(memoryTokenStore()).use { s ->
                s.saveSigninResponse(signinJson(tokenExpiringIn(10)))
                val fresh = tokenExpiringIn(3600)
                val calls = AtomicInteger()
                val refresher = object : AsyncRefresher {
                    override suspend fun refresh(body: String): String {
                        calls.incrementAndGet()
                        delay(300)
                        return """{"accessToken":"$fresh","refreshToken":"r2"}"""
                    }
                }
                // One thread (runBlocking's event loop): the callers suspend, none blocks.
                val tokens = runBlocking {
                    (1..32).map { async { s.freshAccessTokenAsync(refresher, 60) } }.awaitAll()
                }
                assertEq(calls.get(), 1, "refresh calls")
                assertEq(tokens.toSet(), setOf(fresh), "every caller got the new token")
            }
        }

        h.test("two sessions over one store (app + extension) refresh once") {
            // One SharedPreferences file, one AuthSession in the app and one in the extension.
            val prefs = MapSharedPreferences()
            val app = AuthSession(SharedPreferencesTokenStore(prefs))
            val extension = AuthSession(SharedPreferencesTokenStore(prefs))
            app.saveSigninResponse(signinJson(tokenExpiringIn(10)))
            val stale = extension.accessToken() // the extension has read the stale session
            val fresh = tokenExpiringIn(3600)
            val refresher = CountingRefresher(fresh)
            assertEq(app.freshAccessToken(refresher, 60), fresh, "app refreshed")
            // The extension re-reads the store: the rotated session is adopted, not refreshed again
            // (a second refresh with the retired r1 would trip authd's reuse detection).
            assertEq(extension.freshAccessToken(refresher, 60), fresh, "extension adopts")
            assertEq(refresher.calls.get(), 1, "one refresh call for both sessions")
            assertTrue(stale != fresh, "the extension had the stale token before")
            assertEq(extension.refreshRequestBody(), """{"refreshToken":"r2"}""", "rotated refresh token")
            app.close()
            extension.close()
        }

        h.test("single-flight: waiters share the refresher's error") {
            AuthSession(memoryTokenStore()).use { s ->
                s.saveSigninResponse(signinJson(tokenExpiringIn(10)))
                val calls = AtomicInteger()
                val callers = 8
                val started = java.util.concurrent.CountDownLatch(callers)
                val refresher = object : Refresher {
                    override fun refresh(body: String): String {
                        calls.incrementAndGet()
                        // Fail only once every caller is under way (and a little more), so none
                        // arrives after the failure and starts a second refresh.
                        started.await(5, java.util.concurrent.TimeUnit.SECONDS)
                        Thread.sleep(300)
                        throw AuthcoreException.Refresh("http_403", "refresh token revoked")
                    }
                }
                val codes = runBlocking {
                    (1..callers).map {
                        async(Dispatchers.IO) {
                            started.countDown()
                            try {
                                s.freshAccessToken(refresher, 60); "ok"
                            } catch (e: AuthcoreException) {
                                e.code
                            }
                        }
                    }.awaitAll()
                }
                assertEq(calls.get(), 1, "refresh calls")
                // A caller that starts after the refusal finds the session signed out.
                assertEq(codes.toSet() - "not_signed_in", setOf("http_403"), "codes")
                // authd refused the refresh (a revoked family, a disabled account): signed out.
                assertEq(s.isSignedIn(), false, "signed in after http_403")
                assertThrows<AuthcoreException.Session>("not_signed_in") { s.freshAccessToken(refresher, 60) }
                assertEq(calls.get(), 1, "refresh calls after sign-out")
            }
        }

        h.test("an access token rejected with 401 signs out") {
            AuthSession(memoryTokenStore()).use { s ->
                s.saveSigninResponse(signinJson(tokenExpiringIn(3600)))
                s.handleUnauthorized()
                assertEq(s.isSignedIn(), false, "signed in after handleUnauthorized")
                assertThrows<AuthcoreException.Session>("not_signed_in") {
                    s.freshAccessToken(CountingRefresher("x"), 60)
                }
            }
        }

        h.test("errors carry stable codes") {
            assertThrows<AuthcoreException.Token>("malformed") { inspectToken("abc") }
            assertThrows<AuthcoreException.Token>("token_too_large") { isExpired("a".repeat(9000), 0UL) }
            assertThrows<AuthcoreException.Key>("weak_secret") { TokenVerifier.fromHs256Secret(ByteArray(4), VerifyOptions()) }
            assertThrows<AuthcoreException.Key>("invalid_jwks") { TokenVerifier.fromJwks("{", VerifyOptions()) }
            AuthSession(memoryTokenStore()).use { s ->
                assertThrows<AuthcoreException.Session>("not_signed_in") { s.headers(HeaderStyle.BOTH) }
                assertThrows<AuthcoreException.Session>("invalid_response") { s.saveSigninResponse("[]") }
                s.saveSigninResponse(signinJson(tokenExpiringIn(10), refresh = null))
                assertThrows<AuthcoreException.Session>("no_refresh_token") {
                    s.freshAccessToken(CountingRefresher("x"), 60)
                }
            }
            val prefs = MapSharedPreferences().apply { failCommits = true }
            AuthSession(SharedPreferencesTokenStore(prefs)).use { s ->
                assertThrows<AuthcoreException.Store>("write_failed") { s.saveSigninResponse(signinJson(tokenExpiringIn(60))) }
            }
            AuthSession(memoryTokenStore()).use { s ->
                s.saveSigninResponse(signinJson(tokenExpiringIn(10)))
                val crashing = object : Refresher {
                    override fun refresh(body: String): String = throw java.io.IOException("connection reset")
                }
                assertThrows<AuthcoreException.Callback>("unexpected_callback_error") { s.freshAccessToken(crashing, 60) }
            }
            val e = try {
                inspectToken("a.b"); null
            } catch (e: AuthcoreException) {
                e
            }
            assertTrue(e != null && e.detail.isNotEmpty() && e.message!!.contains("malformed"), "detail and message")
        }

        h.test("inspection helpers") {
            val token = tokenExpiringIn(120, id = 42)
            val info = inspectToken(token)
            assertEq(info.userId, 42L, "user id")
            assertEq(info.expired, false, "expired")
            assertTrue(info.secondsLeft!! in 100..120, "seconds left")
            assertEq(isExpired(token, 0UL), false, "not expired")
            assertEq(isExpired(tokenExpiringIn(-5), 0UL), true, "expired")
            assertEq(isExpired(tokenExpiringIn(-5), 60UL), false, "within leeway")
            assertEq(hasRole(token, "user"), true, "has role")
            assertEq(hasRole(token, "admin"), false, "lacks role")
            assertEq(authorities(listOf("admin", "user", "nobody")), listOf("ROLE_USER", "ROLE_ADMIN"), "authorities")
        }
    }
}
