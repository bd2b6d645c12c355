import ArgumentParser

/// `dctc dispatch` (being written).
struct Dispatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(being written)")
    @OptionGroup var global: GlobalOptions
    init() {}
    func run() async throws { throw ValidationError("not yet available") }
}
