import DCTCBackendLocal
import DCTCBackendMemory
import DCTCCore

/// The one place that knows every backend.
public enum DCTCBackends {
    /// Registers every store kind this build has.
    public static func registerAll(into registry: StoreRegistry) async {
        let local = LocalFileSystem()
        await registry.register(kind: "local") { _ in local }
        let memory = MemoryStores()
        await registry.register(kind: "memory") { request in
            await memory.store(named: request.address.host ?? request.account?["name"] ?? "default")
        }
    }
}

/// Memory stores by name, so `mem://a/x` and `mem://a/y` share one store within a process.
actor MemoryStores {
    private var stores: [String: MemoryFileSystem] = [:]
    func store(named name: String) -> MemoryFileSystem {
        if let s = stores[name] { return s }
        let s = MemoryFileSystem(name: name)
        stores[name] = s
        return s
    }
}
