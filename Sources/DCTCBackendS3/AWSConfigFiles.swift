import DCTCCore
import Foundation

/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`, as botocore reads it:
/// `[section]` headers, `key = value` lines, `#` and `;` comment lines, and nested blocks: a
/// key with an empty value (`s3 =`) followed by indented `key = value` lines, stored here as
/// `s3.key` (`s3.addressing_style`, `s3.endpoint_url`).
struct AWSConfigFile {
    /// Section name (inner spaces collapsed) → key (lowercased) → value.
    var sections: [String: [String: String]] = [:]

    /// The most a file may hold; a larger one is refused rather than read into memory.
    static let sizeLimit = 4 * 1024 * 1024

    /// Reads and parses a file.
    ///
    /// - Returns: nil when the file does not exist.
    /// - Throws: `.permissionDenied` (or `.io`) when it exists but cannot be read, naming the
    ///   file and what it is for.
    static func load(path: String, what: String) throws -> AWSConfigFile? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let err = errno
            if err == ENOENT || access(path, F_OK) != 0 { return nil }
            throw VFSError(err == EACCES ? .permissionDenied : .io,
                           "cannot read \(what): \(String(cString: strerror(err)))", path: path,
                           remedy: "make it readable (chmod 600 \(path)), or point \(what == "the AWS config file" ? "AWS_CONFIG_FILE" : "AWS_SHARED_CREDENTIALS_FILE") elsewhere",
                           backend: "s3")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: sizeLimit + 1) ?? Data()
        } catch {
            throw VFSError(.io, "cannot read \(what)", path: path, remedy: "check the file", backend: "s3",
                           cause: String(describing: error))
        }
        guard data.count <= sizeLimit else {
            throw VFSError(.invalidArgument, "\(what) is larger than \(sizeLimit / 1024 / 1024) MiB", path: path,
                           remedy: "check that it is an AWS config file", backend: "s3")
        }
        return AWSConfigFile(text: String(decoding: data, as: UTF8.self))
    }

    /// Parses INI text.
    init(text: String) {
        var current: String?
        var nested: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let indented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            // `[profile x]`, perhaps followed by a comment (configparser matches up to the last `]`).
            if !indented && line.hasPrefix("["), let close = line.lastIndex(of: "]") {
                let name = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                current = name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                nested = nil
                if let current, sections[current] == nil { sections[current] = [:] }
                continue
            }
            guard let section = current, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // An inline comment needs a space before it (botocore's rule), so `a#b` keeps its `#`.
            for marker in [" #", " ;", "\t#", "\t;"] {
                if let r = value.range(of: marker) { value = String(value[..<r.lowerBound]).trimmingCharacters(in: .whitespaces) }
            }
            guard !key.isEmpty else { continue }
            if indented {
                // Inside a nested block; an indented line elsewhere continues a value (ignored).
                if let nested, !value.isEmpty { sections[section, default: [:]]["\(nested).\(key)"] = value }
                continue
            }
            if value.isEmpty {
                nested = key
                continue
            }
            nested = nil
            sections[section, default: [:]][key] = value
        }
    }
}

/// The two AWS files of one run, and the profiles in them.
///
/// `~/.aws/config` (`AWS_CONFIG_FILE`) names profiles `[profile NAME]` (and `[default]`);
/// `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`) names them `[NAME]`. `~` is
/// `Home.directory()`.
struct AWSProfiles {
    let configPath: String
    let credentialsPath: String
    let config: AWSConfigFile?
    let credentials: AWSConfigFile?
    /// Why the credentials file could not be read: raised only when credentials are looked
    /// for in it (an account with keys, or keys in the environment, do not need it).
    var credentialsError: VFSError?

    /// Reads both files.
    /// - Throws: when the config file exists but cannot be read.
    static func load(environment: [String: String], homeDirectory: String) throws -> AWSProfiles {
        func env(_ name: String) -> String? {
            guard let v = environment[name], !v.isEmpty else { return nil }
            return Home.expandTilde(v, home: homeDirectory)
        }
        let configPath = env("AWS_CONFIG_FILE") ?? homeDirectory + "/.aws/config"
        let credentialsPath = env("AWS_SHARED_CREDENTIALS_FILE") ?? homeDirectory + "/.aws/credentials"
        var credentials: AWSConfigFile?
        var credentialsError: VFSError?
        do {
            credentials = try AWSConfigFile.load(path: credentialsPath, what: "the AWS credentials file")
        } catch let e as VFSError {
            credentialsError = e
        }
        return AWSProfiles(configPath: configPath, credentialsPath: credentialsPath,
                           config: try AWSConfigFile.load(path: configPath, what: "the AWS config file"),
                           credentials: credentials, credentialsError: credentialsError)
    }

    /// The profile's section of `~/.aws/config` (`[profile NAME]`; `[default]` for default).
    func configSection(_ profile: String) -> [String: String]? {
        guard let sections = config?.sections else { return nil }
        if profile == "default" { return sections["default"] ?? sections["profile default"] }
        return sections["profile \(profile)"]
    }

    /// The profile's section of `~/.aws/credentials` (`[NAME]`).
    func credentialsSection(_ profile: String) -> [String: String]? {
        credentials?.sections[profile]
    }

    /// True when either file has the profile.
    func exists(_ profile: String) -> Bool {
        configSection(profile) != nil || credentialsSection(profile) != nil
    }

    /// A setting of the profile: config first, then the credentials file (botocore merges
    /// the two, the credentials file's keys winning for keys; for other settings the config).
    func setting(_ key: String, profile: String) -> String? {
        configSection(profile)?[key] ?? credentialsSection(profile)?[key]
    }

    /// Every profile name, for messages.
    var profileNames: [String] {
        var names = Set<String>()
        for name in config?.sections.keys ?? [:].keys {
            if name == "default" { names.insert(name) } else if name.hasPrefix("profile ") { names.insert(String(name.dropFirst(8))) }
        }
        for name in credentials?.sections.keys ?? [:].keys { names.insert(name) }
        return names.sorted()
    }
}
