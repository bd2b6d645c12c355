import DCTCBackends
import DCTCConfig
import DCTCCore
import Foundation
import Testing

/// A fresh directory under the system temporary directory, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = NSTemporaryDirectory() + "dctc-config-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Async variant of `withTemporaryDirectory`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = NSTemporaryDirectory() + "dctc-config-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Writes `text` to `path` with the given permission bits.
func writeFile(_ text: String, to path: String, mode: Int = 0o600) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}

func readFile(_ path: String) throws -> String {
    String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
}

func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// The keys each account type understands, as the backends declare them (what the CLI passes).
let accountOptions = DCTCBackends.accountOptions

/// An environment with just enough for `/bin/sh` and no configuration variables.
let baseEnvironment = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"]

/// Parses config text, named `test.toml` in messages.
func config(_ text: String, environment: [String: String] = baseEnvironment) throws -> DCTCConfiguration {
    try DCTCConfiguration.parse(text, path: "test.toml", environment: environment, options: accountOptions)
}

/// Parses TOML text and returns its root table.
func toml(_ text: String) throws -> TOMLTable {
    try TOMLDocument.parse(text, path: "test.toml").root
}
