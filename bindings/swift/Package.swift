// swift-tools-version:5.9
// The Swift package of authcore. Build the xcframework first (on macOS):
//   bindings/swift/build-xcframework.sh
// then depend on this folder (a local package) or on a repository that contains it.
import PackageDescription

let package = Package(
    name: "Authcore",
    platforms: [.iOS(.v13), .macOS(.v10_15)],
    products: [
        .library(name: "Authcore", targets: ["Authcore"])
    ],
    targets: [
        // The Rust library (static, per platform) with the C header and module map of
        // Headers/: module `AuthcoreFFI`, imported by the generated Authcore.swift.
        .binaryTarget(name: "AuthcoreFFI", path: "AuthcoreFFI.xcframework"),
        // Generated Authcore.swift plus the hand-written KeychainTokenStore and error helpers.
        .target(name: "Authcore", dependencies: ["AuthcoreFFI"], path: "Sources/Authcore"),
    ]
)
