import ArgumentParser

// Being written by a helper; this stub only keeps the package compiling meanwhile.
public struct Grep: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "(in progress)")
    public init() {}
    public func run() async throws {}
}
