import DCTCCore

/// The local disk as an account type.
public enum LocalBackend {
    /// The keys an account of type `local` understands: only the common ones (`root` is read by
    /// the store registry; the store itself reads no account key).
    public static let options: [BackendOption] = BackendOption.common
}
