import DCTCCore
import Testing

@Suite("Store kinds")
struct StoreKindTests {
    @Test("every scheme that names a store maps to its kind; https is http; - and NAME: name none")
    func schemes() {
        for scheme in Address.Scheme.allCases {
            let kind = StoreKind(scheme: scheme)
            switch scheme {
            case .stdio, .account: #expect(kind == nil)
            case .https: #expect(kind == .http)
            case .local: #expect(kind == .local)
            case .memory: #expect(kind == .memory)
            default: #expect(kind?.rawValue == scheme.rawValue)
            }
        }
    }

    @Test("a registry builds with the factory registered for the address's kind, and names the kinds it has when one is missing")
    func registry() async throws {
        let registry = StoreRegistry()
        await registry.register(kind: .http) { request in
            struct Built: Error { let kind: StoreKind }
            throw Built(kind: request.kind)
        }
        do {
            _ = try await registry.resolve(try Address.parse("https://example.invalid/x"))
            Issue.record("the factory was not called")
        } catch {
            #expect("\(error)".contains("http"))
        }
        do {
            _ = try await registry.resolve(try Address.parse("s3://bucket/key"))
            Issue.record("an s3 address resolved without an s3 factory")
        } catch let e as VFSError {
            #expect(e.code == .unsupported)
            #expect(e.message.contains("'s3'"))
            #expect(e.remedy?.contains("http") == true)
        }
    }
}
