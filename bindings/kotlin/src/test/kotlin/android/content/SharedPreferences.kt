// A minimal stand-in for Android's android.content.SharedPreferences (an interface), so the JVM
// tests can compile SharedPreferencesTokenStore without the Android SDK. Only the members the
// store uses, with the SDK's signatures.
package android.content

interface SharedPreferences {
    fun getString(key: String, defValue: String?): String?

    fun contains(key: String): Boolean

    fun edit(): Editor

    interface Editor {
        fun putString(key: String, value: String?): Editor

        fun remove(key: String): Editor

        fun commit(): Boolean

        fun apply()
    }
}
