package authcore

import org.json.JSONArray
import org.json.JSONObject
import java.io.File
import java.util.Base64

/**
 * Runs the token vectors of tests/vectors/vectors.json (schema: tests/vectors/README.md) through
 * the generated bindings: `tokens[].inspect`, `tokens[].verify[]`, and the `sign` vectors' tokens,
 * which must verify with their key and decode to their claims, and the `keys` marked `refused`,
 * which must fail with that code. A case with `core_bug` expects the
 * core's current result (`core_bug.actual`), exactly as the Rust test does.
 *
 * `passwords`, `signup` and `signin` are server-side (bcrypt, request validation) and not part of
 * the mobile surface.
 */
class VectorTests(private val h: Harness, vectorsPath: String) {
    private val root = JSONObject(File(vectorsPath).readText())
    private val keys = root.getJSONObject("keys")
    var knownCoreBugs = 0
        private set

    fun run() {
        assertEq(root.getInt("schema"), 1, "vectors schema")
        val tokens = root.getJSONArray("tokens")
        for (i in 0 until tokens.length()) {
            val v = tokens.getJSONObject(i)
            val name = v.getString("name")
            val token = v.getString("token")
            h.test("vector $name inspect") { inspectCase(token, v.getJSONObject("inspect")) }
            val cases = v.getJSONArray("verify")
            for (j in 0 until cases.length()) {
                h.test("vector $name verify[$j]") { verifyCase(token, cases.getJSONObject(j)) }
            }
        }
        val signs = root.getJSONArray("sign")
        for (i in 0 until signs.length()) {
            val v = signs.getJSONObject(i)
            h.test("vector sign ${v.getString("name")}") { signCase(v) }
        }
        // Keys every surface must refuse (`refused`), with exactly that code.
        val refused = keys.keySet().filter { keys.getJSONObject(it).has("refused") }.sorted()
        h.test("vector keys: the corpus has keys that must be refused") {
            assertEq(refused.isNotEmpty(), true, "refused keys")
        }
        for (name in refused) {
            val code = keys.getJSONObject(name).getString("refused")
            h.test("vector key $name refused with $code") {
                assertThrows<AuthcoreException.Key>(code) {
                    TokenVerifier(trusted(JSONArray().put(name)), VerifyOptions()).close()
                }
            }
        }
    }

    /** The expected code (`ok` or an error code), honouring `core_bug`. */
    private fun expected(case: JSONObject, field: String): String {
        val bug = case.optJSONObject("core_bug")
        if (bug != null) {
            knownCoreBugs++
            return bug.getString("actual")
        }
        return case.getString(field)
    }

    private fun inspectCase(token: String, case: JSONObject) {
        val now = case.getLong("now")
        val leeway = case.getLong("leeway").toULong()
        val want = if (case.has("error")) expected(case, "error") else "ok"
        val info = try {
            inspectTokenAt(token, now)
        } catch (e: AuthcoreException) {
            assertEq(e.code, want, "inspect result")
            return
        }
        assertEq("ok", want, "inspect result")
        val r = case.optJSONObject("result") ?: return // a core_bug case: only the outcome is known
        assertEq(info.alg, r.getString("alg"), "alg")
        assertEq(info.kid, str(r, "kid"), "kid")
        assertEq(info.typ, str(r, "typ"), "typ")
        // Inspection.expired has no leeway; isExpiredAt takes the vector's.
        if (leeway == 0UL) assertEq(info.expired, r.getBoolean("expired"), "expired")
        assertEq(isExpiredAt(token, leeway, now), r.getBoolean("expired"), "expired with leeway")
        assertEq(info.secondsLeft, long(r, "seconds_left"), "seconds_left")
        claims(r, info.id, info.userId, info.roles, info.iat, info.nbf, info.exp,
            info.iss, info.sub, info.aud, info.jti)
    }

    private fun verifyCase(token: String, case: JSONObject) {
        val want = expected(case, "result")
        val config = VerifyOptions(
            leewaySeconds = case.getLong("leeway").toULong(),
            requireExp = case.getBoolean("require_exp"),
            issuer = str(case, "issuer"),
            audience = str(case, "audience"),
        )
        val got = try {
            TokenVerifier(trusted(case.getJSONArray("keys")), config).use { it.verifyAt(token, case.getLong("now")) }
        } catch (e: AuthcoreException) {
            assertEq(e.code, want, "verify result")
            return
        }
        assertEq("ok", want, "verify result")
        val c = case.optJSONObject("claims") ?: return
        claims(c, got.id, got.userId, got.roles, got.iat, got.nbf, got.exp,
            got.iss, got.sub, got.aud, got.jti)
    }

    private fun signCase(v: JSONObject) {
        val c = v.getJSONObject("claims")
        val aud = audience(c)
        val config = VerifyOptions(
            leewaySeconds = 0UL,
            requireExp = true,
            issuer = str(c, "iss"),
            audience = aud?.first(),
        )
        val keyNames = JSONArray().put(v.getString("key"))
        val got = TokenVerifier(trusted(keyNames), config).use { it.verifyAt(v.getString("token"), c.getLong("iat")) }
        claims(c, got.id, got.userId, got.roles, got.iat, got.nbf, got.exp,
            got.iss, got.sub, got.aud, got.jti, hasUserId = false)
    }

    /** Compares decoded claims with a vector's claims view (`aud` as a string means one audience). */
    private fun claims(
        want: JSONObject, id: Long?, userId: Long?, roles: List<String>?, iat: Long?, nbf: Long?,
        exp: Long?, iss: String?, sub: String?, aud: List<String>?, jti: String?, hasUserId: Boolean = true,
    ) {
        assertEq(id, long(want, "id"), "id")
        if (hasUserId) assertEq(userId, long(want, "user_id"), "user_id")
        assertEq(roles, strings(want, "roles"), "roles")
        assertEq(iat, long(want, "iat"), "iat")
        assertEq(nbf, long(want, "nbf"), "nbf")
        assertEq(exp, long(want, "exp"), "exp")
        assertEq(iss, str(want, "iss"), "iss")
        assertEq(sub, str(want, "sub"), "sub")
        assertEq(aud, audience(want), "aud")
        assertEq(jti, str(want, "jti"), "jti")
    }

    /**
     * The verifier keys for a list of key names of the vectors' `keys` table. A single JWK is
     * passed as a one-key JWKS (private members are ignored there, which verification never
     * needs); HS256 specs become HS256 keys, legacy ones through the legacy constructor.
     */
    private fun trusted(names: JSONArray): List<TrustedKey> = (0 until names.length()).map { i ->
        val k = keys.getJSONObject(names.getString(i))
        when {
            k.has("jwks") -> TrustedKey.Jwks(k.getJSONObject("jwks").toString())
            k.has("jwk") -> TrustedKey.Jwks(JSONObject().put("keys", JSONArray().put(k.getJSONObject("jwk"))).toString())
            else -> {
                val secret = if (k.has("secret_utf8")) {
                    k.getString("secret_utf8").toByteArray(Charsets.UTF_8)
                } else {
                    Base64.getUrlDecoder().decode(k.getString("secret_b64url"))
                }
                if (k.optBoolean("legacy")) {
                    // The README: a legacy secret must be refused by the strict constructor.
                    assertThrows<AuthcoreException.Key>("weak_secret") {
                        TokenVerifier(listOf(TrustedKey.Hs256(secret, str(k, "kid"))), VerifyOptions()).close()
                    }
                    TrustedKey.Hs256Legacy(secret, str(k, "kid"))
                } else {
                    TrustedKey.Hs256(secret, str(k, "kid"))
                }
            }
        }
    }

    private fun str(o: JSONObject, key: String): String? = if (o.isNull(key)) null else o.getString(key)

    private fun long(o: JSONObject, key: String): Long? = if (o.isNull(key)) null else o.getLong(key)

    private fun strings(o: JSONObject, key: String): List<String>? {
        if (o.isNull(key)) return null
        val a = o.getJSONArray(key)
        return (0 until a.length()).map { a.getString(it) }
    }

    private fun audience(o: JSONObject): List<String>? = when {
        o.isNull("aud") -> null
        o.get("aud") is String -> listOf(o.getString("aud"))
        else -> strings(o, "aud")
    }
}
