package authcore

import android.content.SharedPreferences

/** SharedPreferences over a map, with a switch that makes every commit fail. */
class MapSharedPreferences : SharedPreferences {
    val values = java.util.concurrent.ConcurrentHashMap<String, String>()
    @Volatile var failCommits = false

    override fun getString(key: String, defValue: String?): String? = values[key] ?: defValue

    override fun contains(key: String): Boolean = values.containsKey(key)

    override fun edit(): SharedPreferences.Editor = MapEditor()

    private inner class MapEditor : SharedPreferences.Editor {
        private val puts = HashMap<String, String?>()

        override fun putString(key: String, value: String?): SharedPreferences.Editor {
            puts[key] = value
            return this
        }

        override fun remove(key: String): SharedPreferences.Editor {
            puts[key] = null
            return this
        }

        override fun commit(): Boolean {
            if (failCommits) return false
            apply()
            return true
        }

        override fun apply() {
            for ((k, v) in puts) if (v == null) values.remove(k) else values[k] = v
        }
    }
}
