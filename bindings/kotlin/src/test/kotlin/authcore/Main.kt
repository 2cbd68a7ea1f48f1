package authcore

import java.io.File
import kotlin.system.exitProcess

/** Runs the Kotlin tests: `java … authcore.MainKt path/to/vectors.json` (sessions.json beside it). */
fun main(args: Array<String>) {
    val vectorsPath = args.firstOrNull() ?: "tests/vectors/vectors.json"
    val h = Harness()
    val vectors = VectorTests(h, vectorsPath)
    h.test("vectors load") { vectors.run() }
    val sessions = SessionScenarios(h, File(File(vectorsPath).parentFile, "sessions.json").path)
    h.test("session scenarios load") { sessions.run() }
    SessionTests(h).run()
    println("kotlin: ${vectors.knownCoreBugs} vector cases follow a documented core_bug")
    println(
        "kotlin: sessions: ${sessions.ran} of ${sessions.total} scenarios replayed (${sessions.steps} steps)",
    )
    println("kotlin: ${h.passed} passed, ${h.failed} failed")
    exitProcess(if (h.failed == 0) 0 else 1)
}
