/// The three guards that decide whether `sync` may delete at the destination, after every
/// transfer: deleting after a partial run, from an empty source, or beyond `--max-delete`
/// could lose data. Pure: the same verdict in a dry run and a real one.
struct DeletionPolicy: Sendable {
    /// `--allow-empty-source`.
    let allowEmptySource: Bool
    /// `--max-delete`.
    let maxDelete: Int?

    enum Verdict: Equatable, Sendable {
        /// Delete what was planned.
        case allowed
        /// Skip every deletion; `isError` says whether the refusal itself counts as an error
        /// (an empty source or too many deletions: the user must decide) or only follows from
        /// earlier errors or an interruption.
        case refused(reason: String, key: String, isError: Bool)
    }

    /// The verdict for a run that planned `deletions` files, checked `filesChecked` source
    /// files and met `errors` errors (or was interrupted).
    func verdict(deletions: Int, filesChecked: Int, errors: Int, interrupted: Bool) -> Verdict {
        if interrupted {
            return .refused(reason: "deletions skipped: the run was interrupted", key: "deletions-interrupted", isError: false)
        }
        if errors > 0 {
            return .refused(reason: "deletions skipped: \(errors) error(s) happened, and deleting after a partial run could lose data",
                            key: "deletions-skipped", isError: false)
        }
        if filesChecked == 0 && !allowEmptySource {
            return .refused(reason: "deletions skipped: the source has no files; add --allow-empty-source to empty the destination",
                            key: "empty-source", isError: true)
        }
        if let maxDelete, deletions > maxDelete {
            return .refused(reason: "deletions skipped: \(deletions) files would be deleted, more than --max-delete \(maxDelete)",
                            key: "max-delete", isError: true)
        }
        return .allowed
    }
}
