import DCTCCore
import Foundation

extension DCTCConfiguration {
    /// The config text with `account` added, everything else kept as written.
    ///
    /// A new account is appended as an `[accounts.NAME]` table after a blank line. With
    /// `replace`, an existing account's table is replaced in place (comments inside it are
    /// dropped); this needs the account to be written as its own `[accounts.NAME]` table.
    /// The result is parsed back before it is returned, so it always loads.
    ///
    /// - Parameters:
    ///   - account: The account; it is validated first.
    ///   - replace: Whether an existing account of that name may be replaced.
    /// - Returns: The new text of the config file.
    /// - Throws: `VFSError` `.alreadyExists` when the account exists and `replace` is false;
    ///   `.invalidArgument` when the account is invalid or cannot be edited in place.
    public func adding(account: Account, replace: Bool = false) throws -> String {
        try account.validate(options: options)
        let text: String
        if accounts[account.name] != nil {
            guard replace else {
                throw VFSError(.alreadyExists, "account '\(account.name)' already exists", path: path,
                               remedy: "choose another name, or replace the existing account")
            }
            text = try splicing(accountNamed: account.name, with: account.tomlText)
        } else {
            var base = source
            if !base.isEmpty {
                if base.utf8.last != 0x0A { base += "\n" }
                if !base.utf8.reversed().starts(with: [0x0A, 0x0A]) { base += "\n" }
            }
            text = base + account.tomlText
        }
        let reread = try DCTCConfiguration.parse(text, path: path, environment: environment, options: options)
        guard reread.accounts[account.name] == account else {
            throw VFSError(.io, "account '\(account.name)' did not read back as written", path: path,
                           remedy: "edit the config file by hand")
        }
        return text
    }

    /// The config text without the account `name`, everything else kept as written.
    ///
    /// - Parameters:
    ///   - name: The account to remove; it must be written as its own `[accounts.NAME]` table.
    /// - Returns: The new text of the config file.
    /// - Throws: `VFSError` `.notFound` when there is no such account; `.invalidArgument` when
    ///   it cannot be removed in place.
    public func removing(accountNamed name: String) throws -> String {
        guard accounts[name] != nil else {
            throw VFSError(.notFound, "no account named '\(name)'", path: path,
                           remedy: "list the accounts with `dctc config list`")
        }
        let text = try splicing(accountNamed: name, with: "")
        _ = try DCTCConfiguration.parse(text, path: path, environment: environment, options: options)
        return text
    }

    /// Adds (or replaces) `account` in the file on disk, which is re-read first so that edits
    /// made since this configuration was loaded are kept. The file is replaced atomically and
    /// gets mode 0600.
    ///
    /// - Parameters:
    ///   - account: The account.
    ///   - replace: Whether an existing account of that name may be replaced.
    /// - Returns: The configuration as now written.
    /// - Throws: As `adding(account:replace:)`, and `VFSError` `.permissionDenied` or `.io`
    ///   when the file cannot be written.
    @discardableResult
    public func save(adding account: Account, replace: Bool = false) throws -> DCTCConfiguration {
        let current = try DCTCConfiguration.load(path: path, environment: environment, options: options)
        try ConfigFile.writeAtomically(try current.adding(account: account, replace: replace), to: path)
        return try DCTCConfiguration.load(path: path, environment: environment, options: options)
    }

    /// Removes the account `name` from the file on disk, atomically (mode 0600).
    ///
    /// - Parameters:
    ///   - name: The account.
    /// - Returns: The configuration as now written.
    /// - Throws: As `removing(accountNamed:)`, and `VFSError` `.permissionDenied` or `.io`.
    @discardableResult
    public func save(removingAccountNamed name: String) throws -> DCTCConfiguration {
        let current = try DCTCConfiguration.load(path: path, environment: environment, options: options)
        try ConfigFile.writeAtomically(try current.removing(accountNamed: name), to: path)
        return try DCTCConfiguration.load(path: path, environment: environment, options: options)
    }

    /// Replaces `text` as the whole config file, atomically, with mode 0600.
    ///
    /// - Parameters:
    ///   - text: The new content; it must parse.
    ///   - path: The file (symbolic links are followed).
    /// - Throws: `VFSError` `.invalidArgument` when `text` does not parse; `.permissionDenied`
    ///   or `.io` when it cannot be written.
    public static func write(_ text: String, to path: String) throws {
        _ = try TOMLDocument.parse(text, path: path)
        try ConfigFile.writeAtomically(text, to: path)
    }

    /// The source with the lines of the account's `[accounts.NAME]` section replaced by `replacement`.
    private func splicing(accountNamed name: String, with replacement: String) throws -> String {
        let keyPath = ["accounts", name]
        let header = "[\(TOMLSyntax.keyPath(keyPath))]"
        guard let section = sections.first(where: { $0.keyPath == keyPath }) else {
            throw VFSError(.invalidArgument, "account '\(name)' is not written as its own \(header) table", path: path,
                           remedy: "edit the config file by hand")
        }
        if sections.contains(where: { $0.keyPath.count > 2 && Array($0.keyPath.prefix(2)) == keyPath }) {
            throw VFSError(.invalidArgument, "account '\(name)' has sub-tables below \(header)", path: path,
                           remedy: "edit the config file by hand")
        }
        // Lines split on "\n" (as the parser counts them); each keeps its line ending.
        var lines: [ArraySlice<UInt8>] = []
        let bytes = Array(source.utf8)
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            lines.append(bytes[start...i])
            start = i + 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        let first = section.headerLine - 1
        var end = min(section.lastLine, lines.count)  // exclusive
        let isBlank = { (line: ArraySlice<UInt8>) in line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }
        if replacement.isEmpty, end < lines.count, isBlank(lines[end]), first == 0 || isBlank(lines[first - 1]) {
            end += 1  // do not leave two blank lines where the table was
        }
        var out: [UInt8] = []
        for line in lines[..<first] { out += line }
        if !replacement.isEmpty, out.last != nil, out.last != 0x0A { out.append(0x0A) }
        out += Array(replacement.utf8)
        for line in lines[end...] { out += line }
        return String(decoding: out, as: UTF8.self)
    }
}
