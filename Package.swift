// swift-tools-version:6.0
// dctc: a data transfer and sync toolkit. See Docs/architecture.md for the layering.
import PackageDescription

/// A system library target for a Debian -dev package (module map + shim header).
func cLibrary(_ name: String, pkgConfig: String? = nil, apt: [String]) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt(apt)])
}

let package = Package(
    name: "dctc",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dctc", targets: ["dctc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // YAML pipeline files (dctc flow). Yams wraps libyaml: a well-kept parser with line/column marks.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: C edge
        cLibrary("CDCTCCurl", pkgConfig: "libcurl", apt: ["libcurl4-openssl-dev"]),
        cLibrary("CDCTCSSH2", pkgConfig: "libssh2", apt: ["libssh2-1-dev"]),
        cLibrary("CDCTCZlib", pkgConfig: "zlib", apt: ["zlib1g-dev"]),
        // <sys/xattr.h> of the C library: the prefix record of a partial download (no library to link).
        .systemLibrary(name: "CDCTCXattr", path: "Sources/CDCTCXattr"),
        // Debian 12 ships no bzip2.pc: the module map links "bz2" by name.
        cLibrary("CDCTCBZip2", apt: ["libbz2-dev"]),
        cLibrary("CDCTCCrypto", pkgConfig: "libcrypto", apt: ["libssl-dev"]),
        cLibrary("CDCTCSQLite", pkgConfig: "sqlite3", apt: ["libsqlite3-dev"]),

        // MARK: Contract
        .target(name: "DCTCCore"),

        // MARK: Swift wrappers of C
        .target(name: "DCTCDigest", dependencies: ["DCTCCore", "CDCTCCrypto"]),
        .target(name: "DCTCCompression", dependencies: [
            "DCTCCore", "CDCTCZlib", "CDCTCBZip2",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .target(name: "DCTCCurl", dependencies: ["DCTCCore", "CDCTCCurl"]),
        .target(name: "DCTCSSH", dependencies: ["DCTCCore", "CDCTCSSH2"]),

        // MARK: Backends
        .target(name: "DCTCBackendLocal", dependencies: ["DCTCCore", "DCTCDigest", "CDCTCXattr"]),
        .target(name: "DCTCBackendMemory", dependencies: ["DCTCCore", "DCTCDigest"]),
        .target(name: "DCTCBackendS3", dependencies: ["DCTCCore", "DCTCCurl", "DCTCDigest", "DCTCConfig"]),
        .target(name: "DCTCBackendSFTP", dependencies: ["DCTCCore", "DCTCSSH", "DCTCDigest"]),
        .target(name: "DCTCBackendFTP", dependencies: ["DCTCCore", "DCTCCurl", "DCTCDigest"]),
        .target(name: "DCTCBackendHTTP", dependencies: ["DCTCCore", "DCTCCurl", "DCTCDigest"]),
        .target(name: "DCTCBackends", dependencies: [
            "DCTCCore", "DCTCBackendLocal", "DCTCBackendMemory",
            "DCTCBackendS3", "DCTCBackendSFTP", "DCTCBackendFTP", "DCTCBackendHTTP",
        ]),

        // MARK: State and sync
        .target(name: "DCTCState", dependencies: ["DCTCCore", "CDCTCSQLite"]),
        .target(name: "DCTCSync", dependencies: ["DCTCCore", "DCTCState", "DCTCDigest", "DCTCCompression"]),

        // MARK: Dispatch and flow
        .target(name: "DCTCDispatch", dependencies: ["DCTCCore", "DCTCCompression"]),
        .target(name: "DCTCFlow", dependencies: [
            "DCTCCore", "DCTCState", "DCTCSync", "DCTCDigest", "DCTCCompression", "DCTCDispatch",
            .product(name: "Yams", package: "Yams"),
        ]),

        // MARK: Configuration
        .target(name: "DCTCConfig", dependencies: ["DCTCCore"]),

        // MARK: Edit (`dctc edit`: download, run the editor, write back what changed)
        .target(name: "DCTCEdit", dependencies: ["DCTCCore", "DCTCDigest", "DCTCCompression", "DCTCConfig"]),

        // MARK: CLI
        .target(name: "DCTCCommands", dependencies: [
            "DCTCCore", "DCTCDigest", "DCTCCompression", "DCTCBackends", "DCTCConfig", "DCTCCurl", "DCTCSSH",
            "DCTCState", "DCTCSync", "DCTCDispatch", "DCTCFlow", "DCTCBackendS3", "DCTCEdit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "dctc", dependencies: ["DCTCCommands"]),
        // A development tool, not a product: writes Docs/man from the command definitions (`make man`).
        .executableTarget(name: "dctc-manual", dependencies: [
            "DCTCCommands", "DCTCCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Test support (a regular target: test targets cannot depend on each other)
        .target(name: "DCTCTestSupport", dependencies: ["DCTCCore", "DCTCDigest"]),

        // MARK: Tests
        .testTarget(name: "DCTCCoreTests", dependencies: ["DCTCCore", "DCTCTestSupport"]),
        .testTarget(name: "DCTCDigestTests", dependencies: ["DCTCDigest"]),
        .testTarget(name: "DCTCCompressionTests", dependencies: ["DCTCCompression", "DCTCTestSupport"]),
        .testTarget(name: "DCTCCurlTests", dependencies: ["DCTCCurl"], exclude: ["Fixtures"]),
        .testTarget(name: "DCTCSSHTests", dependencies: ["DCTCSSH", "DCTCTestSupport"]),
        .testTarget(name: "DCTCBackendLocalTests", dependencies: ["DCTCBackendLocal", "DCTCDigest", "DCTCTestSupport"]),
        .testTarget(name: "DCTCBackendMemoryTests", dependencies: ["DCTCBackendMemory", "DCTCTestSupport"]),
        .testTarget(name: "DCTCBackendS3Tests", dependencies: ["DCTCBackendS3", "DCTCTestSupport"]),
        .testTarget(name: "DCTCBackendSFTPTests", dependencies: ["DCTCBackendSFTP", "DCTCTestSupport", "DCTCDigest"]),
        .testTarget(name: "DCTCBackendFTPTests", dependencies: ["DCTCBackendFTP", "DCTCTestSupport"]),
        .testTarget(name: "DCTCBackendHTTPTests", dependencies: ["DCTCBackendHTTP", "DCTCTestSupport"]),
        .testTarget(name: "DCTCBackendsTests", dependencies: [
            "DCTCBackends", "DCTCBackendFTP", "DCTCBackendHTTP", "DCTCBackendS3", "DCTCBackendSFTP", "DCTCConfig", "DCTCTestSupport",
        ]),
        .testTarget(name: "DCTCConfigTests", dependencies: ["DCTCConfig", "DCTCBackends", "DCTCTestSupport"]),
        .testTarget(name: "DCTCStateTests", dependencies: ["DCTCState", "DCTCTestSupport"]),
        .testTarget(name: "DCTCSyncTests", dependencies: ["DCTCSync", "DCTCBackendMemory", "DCTCBackendLocal", "DCTCTestSupport"]),
        .testTarget(name: "DCTCDispatchTests", dependencies: ["DCTCDispatch", "DCTCBackendMemory", "DCTCBackendLocal", "DCTCCompression", "DCTCTestSupport"]),
        .testTarget(name: "DCTCFlowTests", dependencies: ["DCTCFlow", "DCTCBackendMemory", "DCTCBackendLocal", "DCTCTestSupport"]),
        .testTarget(name: "DCTCCommandsTests", dependencies: ["DCTCCommands", "DCTCBackends", "DCTCEdit", "DCTCTestSupport", "CDCTCXattr"]),
    ],
    swiftLanguageModes: [.v6]
)
