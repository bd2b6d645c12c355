import DCTCCore
import Foundation

/// The factory the store registry calls for `s3://bucket/key` addresses and S3 accounts.
public enum S3Backend {
    /// The store kinds this backend serves.
    public static let kinds = ["s3"]

    /// Builds the store for a request: one store serves every `s3://` address (endpoint and
    /// credentials from the AWS environment) or every address of one account.
    ///
    /// Configuration is resolved on a thread of its own: a secret given as a `*_command`
    /// runs a program, which must not block the cooperative pool.
    ///
    /// - Parameter request: the address, the account (for `NAME:bucket/key`) and CLI options.
    /// - Returns: an `S3FileSystem`.
    /// - Throws: `.invalidArgument` for a malformed endpoint or half a key pair;
    ///   `.authenticationFailed` when a secret cannot be resolved.
    public static func makeStore(_ request: StoreRequest) async throws -> any VirtualFileSystem {
        let account = request.account
        let options = request.options
        let configuration = try await IOThread.detached(name: "dctc-s3-config") {
            try S3Configuration.resolve(account: account, options: options)
        }
        let style: S3FileSystem.DisplayStyle = account.map { .account(name: $0.name, root: VPath($0["root"] ?? "")) } ?? .url
        return try S3FileSystem(configuration: configuration, display: style)
    }
}
