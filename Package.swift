// swift-tools-version:6.1
import Foundation
import PackageDescription

// Layers, lightest first: BallastCore is pure (no C, no I/O); adapters (YAML, Git, the kinds,
// the desired-state loader, the renderers, the AWS client) depend on it, and the kinds and the
// loader on nothing that talks to AWS; BallastEngine joins them; the CLI wires all.
// libgit2's soname differs on every system teams run (Debian 12 ships libgit2.so.1.5, Ubuntu 24.04 1.7,
// Debian 13 1.9), so the release archive (scripts/release.sh sets BALLAST_STATIC_LIBGIT2=1) links Debian's
// libgit2.a and the static libraries it needs (its pkg-config Libs.private); everything else it links has a
// soname all three ship. Linked with lld, which resolves the archives whatever their order on the line.
// A development build links the shared library.
let libgit2: [LinkerSetting] = Context.environment["BALLAST_STATIC_LIBGIT2"] == "1"
    ? [.unsafeFlags(["git2", "mbedtls", "mbedx509", "mbedcrypto", "http_parser", "ssh2", "pcre2-8"]
        .flatMap { ["-Xlinker", "-l:lib\($0).a"] }
        // GSSAPI for libgit2's Negotiate authentication, by its soname (libcurl loads it too; no -dev needed).
        + ["-Xlinker", "-l:libgssapi_krb5.so.2"]),
       .linkedLibrary("z"), .linkedLibrary("crypto"), .linkedLibrary("rt")]
    : [.linkedLibrary("git2")]

let package = Package(
    name: "ballast",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ballast", targets: ["ballast"]),
    ],
    dependencies: [
        // Each from the version the tests and the release run with (README "Tested with"): no older one.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only `ballast watch` (BallastWatch) uses these: the long-running server.
        // No default traits: FullFoundation would link Foundation and ICU (tens of MB) for form decoding ballast
        // does not use; ConfigurationSupport, swift-configuration, which it does not either.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Linked by BallastGit's settings (`libgit2` below), not by pkg-config: the release links it statically.
        .systemLibrary(name: "CGit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),

        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        // The commit and date `scripts/release.sh` builds in, for `ballast --version`.
        .target(name: "CBuildInfo"),

        .target(name: "BallastCore"),
        // SHA-256 and HMAC: the one owner of libcrypto (SigV4, plan files, reports, holds).
        .target(name: "BallastCrypto", dependencies: ["CCrypto"]),
        .target(name: "BallastAWS", dependencies: ["BallastCore", "BallastCrypto", "CCurl", "CCurlShim"]),
        .target(name: "BallastYAML", dependencies: ["BallastCore", "CYAML"]),
        .target(name: "BallastGit", dependencies: ["CGit2"], linkerSettings: libgit2),
        .target(name: "BallastKinds", dependencies: ["BallastCore"]),
        // Loading and validating the desired state: no AWS, no HTTP client (`validate` needs neither).
        .target(name: "BallastDesiredState",
                dependencies: ["BallastCore", "BallastYAML", "BallastGit", "BallastKinds"]),
        // Reports as text, JSON, Markdown (the pull-request comment), SARIF and CloudFormation's format.
        .target(name: "BallastRender", dependencies: ["BallastCore", "BallastCrypto", "BallastDesiredState"]),
        .target(name: "BallastEngine",
                dependencies: ["BallastCore", "BallastCrypto", "BallastDesiredState", "BallastRender", "BallastYAML",
                               "BallastGit", "BallastKinds"]),
        // The adapters the CLI hands the engine for its ports: GitHub's REST API, the lock tables in DynamoDB.
        .target(name: "BallastAdapters",
                dependencies: ["BallastCore", "BallastAWS", "BallastDesiredState", "BallastEngine"]),
        // The reconcile loop's server: HTTP, Prometheus exposition, signals, structured logs.
        .target(name: "BallastWatch", dependencies: [
            "BallastEngine", "BallastAdapters", "BallastAWS", "BallastGit", "BallastCore", "BallastDesiredState",
            "BallastKinds", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),  // the HTTP/1 channel's limits
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "ballast", dependencies: [
            "BallastEngine", "BallastAdapters", "BallastAWS", "BallastDesiredState", "BallastKinds", "BallastRender",
            "BallastWatch", "CBuildInfo", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmarks are programs that print figures, never timed tests. They build
        // their repositories and moto server with the tests' own helpers.
        .executableTarget(name: "ballast-bench",
                          dependencies: ["BallastEngine", "BallastAWS", "BallastDesiredState", "BallastKinds",
                                         "BallastTestSupport"]),
        // Creates the example's live resources in a local emulator for the demo.
        .executableTarget(name: "ballast-seed",
                          dependencies: ["BallastEngine", "BallastAWS", "BallastDesiredState", "BallastKinds",
                                                                        "BallastYAML", "BallastTestSupport"]),

        // `validate` alone, to prove it links neither BallastAWS nor libcurl (ValidateWithoutAWSTests).
        .executableTarget(name: "validate-without-aws",
                          dependencies: ["BallastDesiredState", "BallastKinds", "BallastCore"],
                          path: "Tests/ValidateWithoutAWS"),
        .target(name: "BallastTestSupport",
                dependencies: ["BallastAWS", "BallastAdapters", "BallastCore", "BallastDesiredState", "BallastEngine",
                               "BallastKinds"],
                path: "Tests/BallastTestSupport", exclude: kindFixtures),
        .testTarget(name: "BallastCoreTests",
                    dependencies: ["BallastCore", "BallastDesiredState", "BallastKinds", "BallastRender", "BallastYAML",
                                                           "BallastEngine", "BallastTestSupport"],
                    exclude: ["Snapshots", "CELConformance"]),
        .testTarget(name: "BallastEngineTests",
                    dependencies: ["BallastEngine", "BallastAdapters", "BallastCore", "BallastCrypto", "BallastAWS",
                                   "BallastDesiredState", "BallastKinds", "BallastTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "BallastGitTests",
                    dependencies: ["BallastCore", "BallastDesiredState", "BallastGit", "BallastEngine",
                                                          "BallastKinds",
                                                          "BallastTestSupport"]),
        .testTarget(name: "BallastCLITests",
                    dependencies: ["BallastTestSupport", "BallastCore", "BallastCrypto", "BallastAWS", "BallastKinds"],
                    exclude: ["SARIF", "Contracts", "GitHub", "Browser", "WallClock"]),
        .testTarget(name: "BallastAWSTests", dependencies: ["BallastAWS", "BallastCore", "BallastTestSupport"],
                    resources: [.copy("SigV4Suite")]),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (libFuzzer), only when scripts/fuzz.sh asks: they have no main of
// their own (libFuzzer's), so an ordinary build would not link them.
if ProcessInfo.processInfo.environment["BALLAST_FUZZ"] != nil {
    let fuzzer: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
    package.targets += [
        .target(name: "FuzzDriver", path: "Fuzz/Driver"),
        .executableTarget(name: "fuzz-yaml",
                          dependencies: ["BallastDesiredState", "BallastKinds", "BallastCore", "FuzzDriver"],
                          path: "Fuzz/YAML",
                          swiftSettings: fuzzer),
        .executableTarget(name: "fuzz-cel", dependencies: ["BallastCore", "FuzzDriver"], path: "Fuzz/CEL", swiftSettings: fuzzer),
        .executableTarget(name: "fuzz-planfile",
                          dependencies: ["BallastEngine", "BallastKinds", "BallastCore", "FuzzDriver"],
                          path: "Fuzz/PlanFile", swiftSettings: fuzzer),
    ]
}

/// Each kind's recorded fixture, kept in the kind's folder of the test support with the rest of its
/// test material (`Kinds/LogGroup/fixture.json`): data, not sources. Found, so that adding a kind's
/// folder touches nothing here.
var kindFixtures: [String] {
    let kinds = Context.packageDirectory + "/Tests/BallastTestSupport/Kinds"
    let folders = (try? FileManager.default.contentsOfDirectory(atPath: kinds)) ?? []
    return folders.sorted().map { "Kinds/\($0)/fixture.json" }
        .filter { FileManager.default.fileExists(atPath: "\(kinds)/\($0.dropFirst("Kinds/".count))") }
}
