/// Every environment variable dctc reads, with what it does: the ENVIRONMENT section of
/// `dctc(1)` is generated from this table, and a test fails when the sources read a variable
/// that is not in it.
public enum EnvironmentTable {
    public struct Variable: Sendable {
        /// Names documented together (`AWS_REGION`, `AWS_DEFAULT_REGION`).
        public let names: [String]
        /// One paragraph, plain text.
        public let text: String
    }

    public static let variables: [Variable] = [
        Variable(names: ["DCTC_CONFIG"], text: "The config file (accounts, aliases), unless --config is given."),
        Variable(names: ["XDG_CONFIG_HOME"], text: "The config file is $XDG_CONFIG_HOME/dctc/config.toml when DCTC_CONFIG is not set (default ~/.config)."),
        Variable(names: ["XDG_STATE_HOME"], text: "The sync state (hash cache, manifests) is $XDG_STATE_HOME/dctc/state.sqlite (default ~/.local/state)."),
        Variable(names: ["HOME"], text: "The home folder for ~ and every default file (read first, as aws-cli, rclone and curl do; the password database only when unset)."),
        Variable(names: ["TMPDIR"], text: "Where temporary files go (dispatch spool files, edit copies); default /tmp."),
        Variable(names: ["COLUMNS"], text: "The width of the progress display when the terminal does not say."),
        Variable(names: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], text: "S3 credentials for s3:// addresses and S3 accounts without keys of their own."),
        Variable(names: ["AWS_PROFILE"], text: "The profile of ~/.aws/credentials and ~/.aws/config to use."),
        Variable(names: ["AWS_REGION", "AWS_DEFAULT_REGION"], text: "The S3 region, in this order, when the account or profile sets none."),
        Variable(names: ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"], text: "The S3 endpoint (service-specific first), for S3-compatible stores."),
        Variable(names: ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"], text: "Set to true to ignore the endpoints of the environment and the profile, as aws-cli does."),
        Variable(names: ["AWS_ENDPOINT_URL_STS"], text: "The STS endpoint for role and web identity credentials."),
        Variable(names: ["AWS_CA_BUNDLE"], text: "The CA certificates to trust for S3 instead of the system's (before the profile's ca_bundle)."),
        Variable(names: ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME"], text: "Web identity credentials (Kubernetes service accounts): STS AssumeRoleWithWebIdentity with the token in the file."),
        Variable(names: ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"],
                 text: "Container credentials (ECS, EKS Pod Identity): the credentials endpoint and its authorization token."),
        Variable(names: ["AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_METADATA_SERVICE_TIMEOUT", "AWS_METADATA_SERVICE_NUM_ATTEMPTS"],
                 text: "Instance metadata credentials (IMDSv2), the last source of the chain: true turns it off; the endpoint, the timeout in seconds (default 1) and the attempts (default 1)."),
        Variable(names: ["AWS_CONFIG_FILE"], text: "The AWS config file (default ~/.aws/config)."),
        Variable(names: ["AWS_SHARED_CREDENTIALS_FILE"], text: "The AWS credentials file (default ~/.aws/credentials)."),
        Variable(names: ["SSH_AUTH_SOCK"], text: "The ssh-agent used for SFTP when set."),
        Variable(names: ["DCTC_SSH_CONFIG"], text: "The ssh_config file to read instead of ~/.ssh/config."),
        Variable(names: ["DCTC_KNOWN_HOSTS"], text: "The known_hosts file to read instead of ~/.ssh/known_hosts."),
        Variable(names: ["DCTC_NO_PROMPT"], text: "Set to anything to turn off the terminal questions of SFTP (unknown host keys, passphrases, passwords)."),
        Variable(names: ["NETRC"], text: "The netrc file for FTP and HTTP logins (default ~/.netrc), as curl reads it."),
        Variable(names: ["VISUAL", "EDITOR"], text: "The editor of dctc edit, in this order (default vi)."),
        Variable(names: ["PATH"], text: "Where the editor and step commands are looked up."),
        Variable(names: ["USER"], text: "The default user name of SFTP and FTP logins."),
        Variable(names: ["DCTC_STATE"], text: "The state file of dctc flow (traces, locks) instead of $XDG_STATE_HOME/dctc/state.sqlite; --state wins."),
        Variable(names: ["DCTC_WORKER_NAME"], text: "The name a dctc flow worker gives its locks and leases (default HOST:PID)."),
        Variable(names: ["DCTC_RETRY_BASE_DELAY"], text: "The first retry wait in seconds (0 to 60) of the shared retry policy, instead of its default; later waits double from it."),
        Variable(names: ["DCTC_PIPELINE", "DCTC_STEP", "DCTC_PARTITION", "DCTC_OUTPUT", "DCTC_INPUTS"],
                 text: "Set by dctc flow for each step command it runs: the pipeline file, the step, the partition, the output and the inputs."),
    ]

    /// Variables read by the sources that are not user settings (test harness, shell completion).
    public static let internalNames: Set<String> = ["DCTC_TEST_HARNESS", "DCTC_BIN", "SAP_SHELL"]
}
