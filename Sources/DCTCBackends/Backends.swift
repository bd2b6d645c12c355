import DCTCBackendFTP
import DCTCBackendHTTP
import DCTCBackendLocal
import DCTCBackendMemory
import DCTCBackendS3
import DCTCBackendSFTP
import DCTCCore

/// The one place that knows every backend.
public enum DCTCBackends {
    /// Registers every store kind this build has.
    public static func registerAll(into registry: StoreRegistry) async {
        // `--no-resume` starts interrupted downloads afresh too (their partial files are not used).
        // One local store per setting, so that two local paths of a command share a store
        // (and its server-side copy).
        let locals = LocalStores()
        await registry.register(kind: .local) { request in
            locals.store(resume: !request.options.noResume, multiThread: request.options.multiThread)
        }
        let memory = MemoryStores()
        await registry.register(kind: .memory) { request in
            await memory.store(named: request.address.host ?? request.account?.name ?? "default")
        }
        let network: [(kinds: [StoreKind], make: @Sendable (StoreRequest) async throws -> any VirtualFileSystem)] = [
            (S3Backend.kinds, S3Backend.makeStore),
            (SFTPBackend.kinds, SFTPBackend.makeStore),
            (FTPBackend.kinds, FTPBackend.makeStore),
            (HTTPBackend.kinds, HTTPBackend.makeStore),
        ]
        for (kinds, make) in network {
            for kind in kinds { await registry.register(kind: kind, factory: make) }
        }
        await registry.setSSHHostLookup { SFTPBackend.sshConfigDeclaresHost($0) }
    }

    /// The keys each account type understands, as each backend declares them: what the config
    /// file is validated against (`DCTCConfiguration.load(path:environment:options:)`), what
    /// `dctc config add --help` lists and what the user guide's tables are generated from.
    public static let accountOptions = AccountOptionCatalog([
        (.local, LocalBackend.options),
        (.sftp, SFTPBackend.options),
        (.ftp, FTPBackend.options(for: .ftp)),
        (.ftps, FTPBackend.options(for: .ftps)),
        (.http, HTTPBackend.options),
        (.webdav, HTTPBackend.options),
        (.s3, S3Backend.options),
        (.memory, MemoryBackend.options),
    ], retiredKeys: [
        "implicit_tls": "dctc speaks explicit TLS only (AUTH TLS, RFC 4217, on port 21); remove the key",
    ])
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

/// Local stores by their settings (`--no-resume`, `--multi-thread-*`).
final class LocalStores: Sendable {
    private struct Key: Hashable {
        let resume: Bool
        let multiThread: MultiThreadDownloads
    }
    private let stores = Locked<[Key: LocalFileSystem]>([:])

    func store(resume: Bool, multiThread: MultiThreadDownloads) -> LocalFileSystem {
        stores.withLock { stores in
            let key = Key(resume: resume, multiThread: multiThread)
            if let s = stores[key] { return s }
            let s = LocalFileSystem(resumeWrites: resume, multiThread: multiThread)
            stores[key] = s
            return s
        }
    }
}
