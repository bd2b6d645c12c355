import DCTCCore

/// In-memory stores as an account type (an account's store is named after the account).
public enum MemoryBackend {
    /// The keys an account of type `memory` understands: only the common ones.
    public static let options: [BackendOption] = BackendOption.common
}
