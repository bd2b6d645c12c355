/// Lines of detail from below the commands (a store saying it resumes an upload, why it
/// starts one afresh) for the user who asked for them with `-v`.
///
/// Stores cannot reach the command's log, so they call `Detail.info`; the CLI installs the
/// sink (`Log.shared.info`) at start. Without a sink (library use, tests) the lines are dropped.
/// The message is built only when someone listens.
public enum Detail {
    /// Where lines go; nil drops them.
    public static let sink = Locked<(@Sendable (String) -> Void)?>(nil)

    /// Hands one line (control characters escaped: one line) to the sink.
    public static func info(_ message: @autoclosure () -> String) {
        guard let sink = sink.value else { return }
        sink(SafeName.escaped(message()))
    }
}
