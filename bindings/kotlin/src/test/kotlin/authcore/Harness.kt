package authcore

/** A deliberately tiny test runner: named checks, a summary line, a non-zero exit on failure. */
class Harness {
    var passed = 0
        private set
    var failed = 0
        private set

    fun test(name: String, body: () -> Unit) {
        try {
            body()
            passed++
        } catch (e: Throwable) {
            failed++
            println("FAIL $name: $e")
        }
    }
}

class AssertionFailed(message: String) : Exception(message)

fun <T> assertEq(actual: T, expected: T, what: String = "value") {
    if (actual != expected) throw AssertionFailed("$what: expected <$expected>, got <$actual>")
}

fun assertTrue(condition: Boolean, what: String) {
    if (!condition) throw AssertionFailed(what)
}

/** Runs [body], expecting an [AuthcoreException] of type [E] with [code]. */
inline fun <reified E : AuthcoreException> assertThrows(code: String, body: () -> Unit) {
    try {
        body()
    } catch (e: AuthcoreException) {
        if (e !is E) throw AssertionFailed("expected ${E::class.simpleName}, got $e")
        assertEq(e.code, code, "error code")
        return
    }
    throw AssertionFailed("expected ${E::class.simpleName} with code $code, nothing thrown")
}
