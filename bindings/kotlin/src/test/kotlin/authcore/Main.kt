package authcore

import kotlin.system.exitProcess

/** Runs the Kotlin tests: `java … authcore.MainKt path/to/vectors.json`. */
fun main(args: Array<String>) {
    val vectorsPath = args.firstOrNull() ?: "tests/vectors/vectors.json"
    val h = Harness()
    val vectors = VectorTests(h, vectorsPath)
    h.test("vectors load") { vectors.run() }
    SessionTests(h).run()
    println("kotlin: ${vectors.knownCoreBugs} vector cases follow a documented core_bug")
    println("kotlin: ${h.passed} passed, ${h.failed} failed")
    exitProcess(if (h.failed == 0) 0 else 1)
}
