/// The kind of store a named account points at; the `type` key of an `[accounts.NAME]` table.
public enum AccountType: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case local, sftp, ftp, ftps, http, webdav, s3, memory

    public var description: String { rawValue }

    /// Every type name, comma-separated, for messages.
    static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// What an account key must hold; `AccountSchema` maps each known key of each type to one.
enum FieldKind: Equatable {
    case string
    case integer(ClosedRange<Int>)
    case boolean
    /// A positive integer or float (seconds).
    case positiveNumber
    /// A secret: the key itself (inline), `KEY_env` or `KEY_command`, each holding a string.
    case secret
    /// `KEY_env` / `KEY_command` of a secret: a non-empty string.
    case secretSource
}

/// The keys each account type understands. Unknown keys are warnings, not errors, so a config
/// written for a newer dctc still loads.
enum AccountSchema {
    private static let common: [String: FieldKind] = [
        "root": .string,
        "description": .string,
    ]

    private static let network: [String: FieldKind] = [
        "max_connections": .integer(1...1024),
        "timeout": .positiveNumber,
    ]

    private static let login: [String: FieldKind] = [
        "host": .string,
        "port": .integer(1...65535),
        "user": .string,
        "password": .secret,
    ]

    /// What the FTP store reads besides the login (FTPBackend.swift).
    private static let ftp: [String: FieldKind] = [
        "netrc_file": .string,
        "list_page_size": .integer(1...100_000),
        "mtime_command": .string,
    ]

    private static func merged(_ parts: [String: FieldKind]...) -> [String: FieldKind] {
        var all: [String: FieldKind] = [:]
        for part in parts { all.merge(part) { a, _ in a } }
        for (key, kind) in all where kind == .secret {
            all[key + "_env"] = .secretSource
            all[key + "_command"] = .secretSource
        }
        return all
    }

    /// Known keys of `type` (not counting `type` itself).
    static func fields(for type: AccountType) -> [String: FieldKind] {
        switch type {
        case .local, .memory:
            return merged(common)
        case .sftp:
            return merged(common, network, login, [
                "key_file": .string,
                "key_passphrase": .secret,
                "known_hosts_file": .string,
                "accept_new_host_key": .boolean,
                "use_agent": .boolean,
                "remote_hash": .boolean,
            ])
        case .ftp:
            return merged(common, network, login, ftp)
        case .ftps:
            return merged(common, network, login, ftp, [
                "ca_file": .string,
                "implicit_tls": .boolean,
                "insecure_tls": .boolean,
            ])
        case .http, .webdav:
            return merged(common, network, [
                "url": .string,
                "user": .string,
                "password": .secret,
                "token": .secret,
                "insecure_tls": .boolean,
                "content_type": .string,
            ])
        case .s3:
            return merged(common, network, [
                "endpoint": .string,
                "region": .string,
                "profile": .string,
                "access_key_id": .secret,
                "secret_access_key": .secret,
                "session_token": .secret,
                "path_style": .boolean,
                "insecure_tls": .boolean,
                "upload_concurrency": .integer(1...64),
                "download_concurrency": .integer(1...64),
                "chunk_size_mib": .integer(5...5120),
                "list_page_size": .integer(1...1000),
                "part_checksums": .boolean,
                // Unsigned requests (public buckets), and what uploaded objects get (aws-cli's names).
                "anonymous": .boolean,
                "content_type": .string,
                "cache_control": .string,
                "content_encoding": .string,
                "storage_class": .string,
                "sse": .string,
                "sse_kms_key_id": .string,
                "acl": .string,
                "metadata": .string,
            ])
        }
    }

    /// Keys an account of `type` cannot do without.
    static func required(for type: AccountType) -> [String] {
        switch type {
        case .sftp, .ftp, .ftps: return ["host"]
        case .http, .webdav: return ["url"]
        case .local, .memory, .s3: return []
        }
    }

    /// Example value shown when a required key is missing.
    static func example(for key: String) -> String {
        switch key {
        case "host": return "\"server.example.com\""
        case "url": return "\"https://server.example.com/dav/\""
        default: return "\"...\""
        }
    }
}
