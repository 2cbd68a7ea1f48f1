// Hand-written (not generated): the Android TokenStore.
package authcore

import android.content.SharedPreferences

/**
 * Encrypts values before they reach [SharedPreferences] and decrypts them after, typically with
 * an AES-GCM key kept in the Android Keystore (see the README). Throw to report a failure.
 */
interface ValueCipher {
    /** The stored form of [plaintext]. */
    fun encrypt(plaintext: String): String

    /** The plaintext of a value produced by [encrypt]. */
    fun decrypt(stored: String): String
}

/**
 * A [TokenStore] over [SharedPreferences], for [AuthSession].
 *
 * SharedPreferences files are private to the app but stored in plain text: pass a [cipher]
 * backed by the Android Keystore to keep the refresh token encrypted at rest. Writes use
 * `commit()`, so a session is on disk before [AuthSession] reports success; call the session
 * off the main thread.
 *
 * Failures are reported as [AuthcoreException.Store] with code `write_failed` (commit returned
 * false) or `cipher_failed` (the cipher threw, for example after the Keystore key was
 * invalidated; sign in again).
 */
class SharedPreferencesTokenStore(
    private val prefs: SharedPreferences,
    private val cipher: ValueCipher? = null,
) : TokenStore {
    override fun get(key: String): String? {
        val stored = prefs.getString(key, null) ?: return null
        return cipher?.let { c -> guarded { c.decrypt(stored) } } ?: stored
    }

    override fun set(key: String, value: String) {
        val stored = cipher?.let { c -> guarded { c.encrypt(value) } } ?: value
        if (!prefs.edit().putString(key, stored).commit()) {
            throw AuthcoreException.Store("write_failed", "SharedPreferences could not write $key")
        }
    }

    override fun remove(key: String) {
        if (!prefs.edit().remove(key).commit()) {
            throw AuthcoreException.Store("write_failed", "SharedPreferences could not remove $key")
        }
    }

    private fun guarded(block: () -> String): String =
        try {
            block()
        } catch (e: AuthcoreException) {
            throw e
        } catch (e: Exception) {
            throw AuthcoreException.Store("cipher_failed", e.toString())
        }
}
