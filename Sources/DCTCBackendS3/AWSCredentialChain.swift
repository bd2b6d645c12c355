import DCTCCore
import Foundation

/// aws-cli's view of the environment for one run: the profile, its region and endpoints, and
/// where its credentials come from, in botocore's order:
///
/// 1. the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`),
///    skipped when a profile was chosen with `--profile` (or the account's `profile`);
/// 2. the profile's `role_arn` (STS `AssumeRole` with `source_profile` or
///    `credential_source`; with `web_identity_token_file`, `AssumeRoleWithWebIdentity`);
/// 3. web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`);
/// 4. `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`), section `[PROFILE]`;
/// 5. the profile's `credential_process`;
/// 6. keys in `~/.aws/config` (`AWS_CONFIG_FILE`), section `[profile PROFILE]`;
/// 7. container credentials (`AWS_CONTAINER_CREDENTIALS_FULL_URI` or `_RELATIVE_URI`, with
///    `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `_TOKEN_FILE`);
/// 8. instance metadata (IMDSv2; `AWS_EC2_METADATA_SERVICE_ENDPOINT`, off with
///    `AWS_EC2_METADATA_DISABLED=true`).
///
/// A profile chosen by name (`--profile`, `AWS_PROFILE`, the account's `profile`) that is in
/// neither file is an error, as in aws-cli.
struct AWSCredentialChain {
    let profiles: AWSProfiles
    let profile: String
    /// True when `--profile` (or the account's `profile`) chose it: the environment's keys
    /// are then skipped (botocore removes its environment provider).
    let explicitProfile: Bool
    let environment: [String: String]
    let homeDirectory: String

    /// - Throws: `.notFound` for a chosen profile in neither file; `.permissionDenied` for
    ///   an unreadable file.
    /// - Parameter requireEnvironmentProfile: false when no credentials are taken from the
    ///   profile (an account with keys, `--no-sign-request`): a missing `AWS_PROFILE` profile
    ///   is then ignored (its region and endpoints are simply absent).
    init(selection: AWSSelection, accountProfile: String?, environment: [String: String], homeDirectory: String,
         requireEnvironmentProfile: Bool = true) throws {
        self.environment = environment
        self.homeDirectory = homeDirectory
        profiles = try AWSProfiles.load(environment: environment, homeDirectory: homeDirectory)
        let envProfile = Self.value(environment, "AWS_PROFILE") ?? Self.value(environment, "AWS_DEFAULT_PROFILE")
        let chosen = selection.profile ?? accountProfile
        explicitProfile = chosen != nil
        profile = chosen ?? envProfile ?? "default"
        if chosen != nil || (envProfile != nil && requireEnvironmentProfile), !profiles.exists(profile) {
            if let unreadable = profiles.credentialsError { throw unreadable }  // the profile may be in there
            let via = selection.profile != nil ? "--profile" : (accountProfile != nil ? "the account's profile" : "AWS_PROFILE")
            let known = profiles.profileNames
            throw VFSError(.notFound, "the AWS profile '\(profile)' (from \(via)) is in neither \(profiles.configPath) nor \(profiles.credentialsPath)",
                           remedy: known.isEmpty ? "create it with `aws configure --profile \(profile)`"
                                                 : "profiles there: \(known.joined(separator: ", "))", backend: "s3")
        }
    }

    static func value(_ environment: [String: String], _ name: String) -> String? {
        guard let v = environment[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        return v
    }

    private func env(_ name: String) -> String? { Self.value(environment, name) }

    private func setting(_ key: String, of profile: String? = nil) -> String? {
        profiles.configSection(profile ?? self.profile)?[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`.
    var region: String { env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? setting("region") ?? "us-east-1" }

    /// True when configured endpoints are to be ignored (`AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`).
    private var ignoreConfiguredEndpoints: Bool {
        let v = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ?? setting("ignore_configured_endpoint_urls")
        return v?.lowercased() == "true"
    }

    /// A service's endpoint: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
    /// `<service> = endpoint_url`, its `endpoint_url`; nil for the AWS default.
    func endpoint(service: String) -> String? {
        guard !ignoreConfiguredEndpoints else { return nil }
        return env("AWS_ENDPOINT_URL_\(service.uppercased())") ?? env("AWS_ENDPOINT_URL")
            ?? setting("\(service).endpoint_url") ?? setting("endpoint_url")
    }

    var s3Endpoint: String? { endpoint(service: "s3") }

    /// `AWS_CA_BUNDLE`, else the profile's `ca_bundle` (`~` expanded).
    var caBundle: String? {
        (env("AWS_CA_BUNDLE") ?? setting("ca_bundle")).map { Home.expandTilde($0, home: homeDirectory) }
    }

    /// The profile's `s3 = addressing_style`: `path` → true, `virtual` → false, `auto` → nil.
    var pathStyle: Bool? {
        switch setting("s3.addressing_style")?.lowercased() {
        case "path": true
        case "virtual": false
        default: nil
        }
    }

    private func stsEndpoint(region: String) -> String {
        endpoint(service: "sts") ?? "https://sts.\(region).amazonaws.com"
    }

    private func display(_ path: String) -> String {
        path.hasPrefix(homeDirectory + "/") && homeDirectory != "/" ? "~" + path.dropFirst(homeDirectory.count) : path
    }

    // MARK: - The chain

    /// Where the credentials come from.
    /// - Throws: `.authenticationFailed` when nothing gives credentials and instance
    ///   metadata is disabled; `.invalidArgument` for a broken `role_arn` setup.
    func credentialSource(region: String) throws -> AWSCredentialSource {
        if !explicitProfile, let id = env("AWS_ACCESS_KEY_ID"), let key = env("AWS_SECRET_ACCESS_KEY") {
            return .fixed(S3Credentials(accessKeyId: id, secretAccessKey: key, sessionToken: env("AWS_SESSION_TOKEN")),
                          origin: .environment)
        }
        if let unreadable = profiles.credentialsError { throw unreadable }
        if let role = try profileSource(profile, region: region, visited: [], requireCredentials: false) {
            return role
        }
        var looked = [explicitProfile ? "environment (skipped: --profile given)" : "environment"]
        if let tokenFile = env("AWS_WEB_IDENTITY_TOKEN_FILE"), let arn = env("AWS_ROLE_ARN") {
            return .webIdentity(.init(roleArn: arn, tokenFile: Home.expandTilde(tokenFile, home: homeDirectory),
                                      sessionName: env("AWS_ROLE_SESSION_NAME") ?? Self.sessionName(),
                                      stsEndpoint: stsEndpoint(region: region)))
        }
        looked.append("web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)")
        if setting("sso_start_url") != nil || setting("sso_session") != nil, profiles.credentialsSection(profile)?["aws_access_key_id"] == nil,
           setting("credential_process") == nil, setting("aws_access_key_id") == nil {
            // aws-cli reads SSO tokens from its own cache; dctc does not.
            throw VFSError(.authenticationFailed, "AWS profile [\(profile)] signs in with IAM Identity Center (SSO), which dctc does not read",
                           remedy: "add `credential_process = aws configure export-credentials --profile \(profile) --format process` to a profile that dctc then uses",
                           backend: "s3")
        }
        looked.append("\(display(profiles.credentialsPath)) [\(profile)]")
        looked.append("\(display(profiles.configPath)) [\(profile == "default" ? "default" : "profile \(profile)")]")
        if let container = containerSource() { return .container(container) }
        looked.append("container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI/RELATIVE_URI)")
        guard let metadata = instanceMetadata() else {
            throw VFSError(.authenticationFailed, "no AWS credentials found (looked in: \(looked.joined(separator: ", ")); instance metadata is disabled)",
                           remedy: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, choose a profile with --profile, or pass --no-sign-request for a public bucket",
                           backend: "s3")
        }
        return .instanceMetadata(metadata, lastResort: looked)
    }

    /// The credentials a profile gives by itself: `role_arn`, keys in the credentials file,
    /// `credential_process`, keys in the config file (in that order); nil when none.
    ///
    /// - Parameter requireCredentials: for a `source_profile`, where having none is an error.
    private func profileSource(_ name: String, region: String, visited: Set<String>, requireCredentials: Bool) throws -> AWSCredentialSource? {
        let shared = profiles.credentialsSection(name)
        let config = profiles.configSection(name)
        func get(_ key: String) -> String? {
            (config?[key] ?? shared?[key]).flatMap { $0.isEmpty ? nil : $0 }
        }
        func staticKeys() -> AWSCredentialSource? {
            if let s = shared, let id = s["aws_access_key_id"], let key = s["aws_secret_access_key"] {
                return .fixed(S3Credentials(accessKeyId: id, secretAccessKey: key, sessionToken: s["aws_session_token"]),
                              origin: .sharedFile(path: profiles.credentialsPath, profile: name))
            }
            return nil
        }
        func configKeys() -> AWSCredentialSource? {
            if let s = config, let id = s["aws_access_key_id"], let key = s["aws_secret_access_key"] {
                return .fixed(S3Credentials(accessKeyId: id, secretAccessKey: key, sessionToken: s["aws_session_token"]),
                              origin: .configFile(path: profiles.configPath, profile: name))
            }
            return nil
        }
        if let arn = get("role_arn"), !(visited.contains(name) && staticKeys() != nil) {
            guard visited.count < 8, !visited.contains(name) else {
                throw VFSError.invalid("the AWS profiles' source_profile settings form a loop through [\(name)]",
                                       path: profiles.configPath, remedy: "make the chain of source_profile end in a profile with keys")
            }
            let sessionName = get("role_session_name") ?? Self.sessionName()
            if let tokenFile = get("web_identity_token_file") {
                return .webIdentity(.init(roleArn: arn, tokenFile: Home.expandTilde(tokenFile, home: homeDirectory),
                                          sessionName: sessionName, stsEndpoint: stsEndpoint(region: region)))
            }
            let base: AWSCredentialSource
            if let sourceProfile = get("source_profile") {
                guard profiles.exists(sourceProfile) else {
                    throw VFSError(.notFound, "the source_profile '\(sourceProfile)' of AWS profile [\(name)] does not exist",
                                   path: profiles.configPath, remedy: "add it, or fix source_profile", backend: "s3")
                }
                var seen = visited
                seen.insert(name)
                guard let inner = try profileSource(sourceProfile, region: region, visited: seen, requireCredentials: true) else {
                    throw VFSError(.authenticationFailed, "the source_profile '\(sourceProfile)' of AWS profile [\(name)] has no credentials",
                                   path: profiles.credentialsPath, remedy: "give it aws_access_key_id and aws_secret_access_key", backend: "s3")
                }
                base = inner
            } else if let credentialSource = get("credential_source") {
                switch credentialSource {
                case "Environment":
                    guard let id = env("AWS_ACCESS_KEY_ID"), let key = env("AWS_SECRET_ACCESS_KEY") else {
                        throw VFSError(.authenticationFailed, "AWS profile [\(name)] takes its credentials from the environment, which has none",
                                       remedy: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", backend: "s3")
                    }
                    base = .fixed(S3Credentials(accessKeyId: id, secretAccessKey: key, sessionToken: env("AWS_SESSION_TOKEN")), origin: .environment)
                case "Ec2InstanceMetadata":
                    guard let m = instanceMetadata() else {
                        throw VFSError(.authenticationFailed, "AWS profile [\(name)] uses instance metadata, which is disabled", backend: "s3")
                    }
                    base = .instanceMetadata(m, lastResort: [])
                case "EcsContainer":
                    guard let c = containerSource() else {
                        throw VFSError(.authenticationFailed, "AWS profile [\(name)] uses container credentials, but AWS_CONTAINER_CREDENTIALS_FULL_URI/RELATIVE_URI is not set", backend: "s3")
                    }
                    base = .container(c)
                default:
                    throw VFSError.invalid("credential_source '\(credentialSource)' of AWS profile [\(name)] is not Environment, Ec2InstanceMetadata or EcsContainer",
                                           path: profiles.configPath)
                }
            } else {
                throw VFSError.invalid("AWS profile [\(name)] has role_arn but neither source_profile nor credential_source",
                                       path: profiles.configPath, remedy: "add source_profile = PROFILE_WITH_KEYS")
            }
            let duration = get("duration_seconds").flatMap { Int($0) }
            return .assumeRole(.init(roleArn: arn, sessionName: sessionName, externalId: get("external_id"),
                                     durationSeconds: duration, stsEndpoint: stsEndpoint(region: region),
                                     region: region, profile: name), source: base)
        }
        if name == profile && !requireCredentials, env("AWS_WEB_IDENTITY_TOKEN_FILE") != nil, env("AWS_ROLE_ARN") != nil {
            return nil  // the environment's web identity comes next in the chain
        }
        if let keys = staticKeys() { return keys }
        if let command = get("credential_process") { return .process(command: command, profile: name) }
        if let keys = configKeys() { return keys }
        return nil
    }

    /// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or `_FULL_URI` (https, or
    /// http on loopback or the container endpoints only, as botocore allows).
    private func containerSource() -> AWSCredentialSource.Container? {
        let url: String
        if let relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            url = full
        } else {
            return nil
        }
        return .init(url: url, authorizationToken: env("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
                     authorizationTokenFile: env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
    }

    /// The instance metadata service, unless `AWS_EC2_METADATA_DISABLED=true`.
    private func instanceMetadata() -> AWSCredentialSource.InstanceMetadata? {
        if env("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" { return nil }
        let endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? setting("ec2_metadata_service_endpoint") ?? "http://169.254.169.254"
        let timeout = env("AWS_METADATA_SERVICE_TIMEOUT").flatMap { Double($0) } ?? setting("metadata_service_timeout").flatMap { Double($0) } ?? 1
        let attempts = env("AWS_METADATA_SERVICE_NUM_ATTEMPTS").flatMap { Int($0) } ?? setting("metadata_service_num_attempts").flatMap { Int($0) } ?? 1
        return .init(endpoint: endpoint, timeout: .milliseconds(Int(max(0.1, min(timeout, 60)) * 1000)), attempts: max(1, min(attempts, 10)))
    }

    /// `dctc-EPOCH`, like botocore's `botocore-session-EPOCH`.
    static func sessionName() -> String { "dctc-session-\(Int(Date().timeIntervalSince1970))" }
}
