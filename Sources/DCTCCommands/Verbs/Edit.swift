import ArgumentParser

/// `dctc edit` (being written).
struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(being written)")
    @OptionGroup var global: GlobalOptions
    init() {}
    func run() async throws { throw ValidationError("not yet available") }
}
