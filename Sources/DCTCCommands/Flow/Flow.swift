import ArgumentParser

/// `dctc flow` (being written).
struct Flow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(being written)")
    @OptionGroup var global: GlobalOptions
    init() {}
    func run() async throws { throw ValidationError("not yet available") }
}
