package authcore

import org.json.JSONArray
import org.json.JSONObject
import java.io.File

/** The one session value; [afterNextRead] runs once, right after the next `get` read it (another
 *  process writing just after this session read). */
class ScriptedStore : TokenStore {
    @Volatile var value: String? = null
    @Volatile var afterNextRead: (() -> Unit)? = null

    override fun get(key: String): String? {
        assertEq(key, "authcore.session", "storage key")
        val read = value
        val hook = afterNextRead
        afterNextRead = null
        hook?.invoke()
        return read
    }

    override fun set(key: String, value: String) {
        assertEq(key, "authcore.session", "storage key")
        this.value = value
    }

    override fun remove(key: String) {
        assertEq(key, "authcore.session", "storage key")
        value = null
    }
}

/** The refresh call of one `fresh_access_token` step: records bodies, runs what happens meanwhile,
 *  then answers or fails as the step says. */
class ScriptedRefresher(private val step: JSONObject, private val during: () -> Unit) : Refresher {
    val sent = mutableListOf<String>()

    override fun refresh(body: String): String {
        sent.add(body)
        during()
        if (step.isNull("refresh")) throw AuthcoreException.Refresh("unexpected_refresh", "the scenario expects no refresh call")
        val answer = step.getJSONObject("refresh")
        if (answer.has("fail")) throw AuthcoreException.Refresh(answer.getString("fail"), "scripted failure")
        return answer.getString("response")
    }
}

/** Stable JSON text of a value from org.json or from Kotlin (lists, maps, strings, numbers). */
fun canonical(value: Any?): String = when (value) {
    null, JSONObject.NULL -> "null"
    is String -> JSONObject.quote(value)
    is Boolean -> value.toString()
    is Number -> if (value.toDouble() == Math.floor(value.toDouble())) value.toLong().toString() else value.toString()
    is JSONArray -> (0 until value.length()).joinToString(",", "[", "]") { canonical(value.get(it)) }
    is List<*> -> value.joinToString(",", "[", "]") { canonical(it) }
    is JSONObject -> value.keys().asSequence().toList().sorted()
        .joinToString(",", "{", "}") { "${JSONObject.quote(it)}:${canonical(value.get(it))}" }
    is Map<*, *> -> value.keys.map { it.toString() }.sorted()
        .joinToString(",", "{", "}") { k -> "${JSONObject.quote(k)}:${canonical(value[k])}" }
    else -> throw AssertionFailed("cannot compare ${value::class.simpleName}")
}

/** The session's clock: the running step's `now`. Reading it in a step without one fails. */
class StepClock : SessionClock {
    @Volatile var now: Long? = null

    override fun nowSeconds(): Long = now ?: throw AssertionFailed("the session read the clock in a step without `now`")
}

/**
 * Replays every scenario of tests/vectors/sessions.json (schema: tests/vectors/README.md) on the
 * UniFFI AuthSession, made with `AuthSession.withClock` so each step runs at its `now`.
 */
class SessionScenarios(private val h: Harness, path: String) {
    private val doc = JSONObject(File(path).readText())
    val total = doc.getJSONArray("scenarios").length()
    var ran = 0
        private set
    var steps = 0
        private set

    fun run() {
        assertEq(doc.getInt("schema"), 1, "sessions schema")
        val scenarios = doc.getJSONArray("scenarios")
        assertTrue(scenarios.length() > 0, "sessions.json has no scenarios")
        for (i in 0 until scenarios.length()) {
            val sc = scenarios.getJSONObject(i)
            ran++
            h.test("session scenario ${sc.getString("name")}") { scenario(sc) }
        }
        assertTrue(ran > 0, "no session scenario ran")
    }

    private fun userView(u: SessionUser?): Any? =
        u?.let { mapOf("id" to it.id, "username" to it.username, "email" to it.email, "roles" to it.roles) }

    private fun scenario(sc: JSONObject) {
        val store = ScriptedStore()
        val clock = StepClock()
        AuthSession.withClock(store, clock).use { s ->
            val list = sc.getJSONArray("steps")
            for (i in 0 until list.length()) {
                val step = list.getJSONObject(i)
                val wantResult = step.getString("result")
                val expected = canonical(listOf(wantResult, if (wantResult == "ok") step.opt("value") else null))
                clock.now = if (step.has("now")) step.getLong("now") else null
                val (got, sent) = step(s, store, step)
                assertEq(canonical(got), expected, "step $i (${step.getString("op")})")
                assertEq(canonical(sent), canonical(step.optJSONArray("sent") ?: JSONArray()), "step $i refresh bodies sent")
            }
            steps += list.length()
        }
    }

    /** Runs one step: `[result, value]` and the refresh bodies sent. */
    private fun step(s: AuthSession, store: ScriptedStore, step: JSONObject): Pair<List<Any?>, List<String>> {
        val sent = mutableListOf<String>()
        val concurrent = step.optJSONObject("concurrent")
        fun happen(at: String) {
            if (concurrent == null || concurrent.getString("at") != at) return
            when {
                concurrent.has("write") -> store.value = if (concurrent.isNull("write")) null else concurrent.getString("write")
                concurrent.optString("this_session") == "sign_out" -> s.signOut()
                else -> throw AssertionFailed("concurrent: $concurrent")
            }
        }
        val style = mapOf("access_token" to HeaderStyle.ACCESS_TOKEN, "bearer" to HeaderStyle.BEARER, "both" to HeaderStyle.BOTH)
        val got: List<Any?> = try {
            val value: Any? = when (val op = step.getString("op")) {
                "signin" -> userView(s.saveSigninResponse(step.getString("response")))
                "user" -> userView(s.currentUser())
                "signed_in" -> s.isSignedIn()
                "access_token" -> s.accessToken()
                "stored" -> store.value
                "headers" -> s.headers(style.getValue(step.getString("style"))).map { listOf(it.name, it.value) }
                "has_role" -> s.hasRole(step.getString("role"))
                "needs_refresh" -> s.needsRefresh(step.getLong("min_ttl"))
                "refresh_body" -> s.refreshRequestBody()
                "apply_refresh" -> { s.saveRefreshResponse(step.getString("response")); null }
                "fresh_access_token" -> {
                    if (concurrent?.getString("at") == "before_leader_reads") store.afterNextRead = { happen("before_leader_reads") }
                    val refresher = ScriptedRefresher(step) { happen("during_refresh_call") }
                    try {
                        s.freshAccessToken(refresher, step.getLong("min_ttl"))
                    } finally {
                        sent.addAll(refresher.sent)
                    }
                }
                "handle_unauthorized" -> { s.handleUnauthorized(); null }
                "sign_out" -> { s.signOut(); null }
                "write" -> { store.value = if (step.isNull("stored")) null else step.getString("stored"); null }
                else -> throw AssertionFailed("unknown op $op")
            }
            listOf("ok", value)
        } catch (e: AuthcoreException) {
            listOf(e.code, null)
        } finally {
            store.afterNextRead = null
        }
        return got to sent
    }
}
