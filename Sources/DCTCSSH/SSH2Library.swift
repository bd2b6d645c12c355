import CDCTCSSH2

/// Process-wide libssh2 state.
enum SSH2Library {
    /// The result of `libssh2_init(0)`, run once, the first time a session is opened
    /// (a lazily initialised static is thread-safe in Swift). libssh2 is never deinitialised:
    /// sessions may live until the process exits.
    private static let initResult: Int32 = libssh2_init(0)

    /// Makes sure `libssh2_init` ran.
    /// - Throws: `SSH2Error` `.io` when libssh2 could not initialise its crypto backend.
    static func ensureInitialized() throws {
        let rc = initResult
        if rc != 0 {
            throw SSH2Error(.io, "libssh2 could not initialise its crypto library", function: "libssh2_init", code: rc)
        }
    }
}
