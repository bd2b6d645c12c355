import DCTCCore
import DCTCTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP forwarder from a free port on 127.0.0.1 to the test sshd, which a test can cut to play
/// a server whose connections die in the middle of a transfer.
///
/// Each accepted connection is copied both ways by two threads of its own. `cutAll()` resets
/// every connection open at that moment (SO_LINGER 0, so the client sees a reset rather than an
/// orderly end); new connections are still accepted afterwards, as from a server that dropped
/// its clients and lives on. `stop()` also closes the listening socket.
final class TCPProxy: @unchecked Sendable {
    /// The port clients connect to.
    let port: Int
    private let targetPort: Int
    private let listener: Int32
    // Guarded by `lock`.
    private let lock = NSLock()
    private var links: [Link] = []
    private var stopped = false

    /// Both sockets of one forwarded connection; closed when both copying threads are done.
    private final class Link: @unchecked Sendable {
        let client: Int32
        let upstream: Int32
        // Guarded by the proxy's lock.
        var running = 2
        init(client: Int32, upstream: Int32) {
            self.client = client
            self.upstream = upstream
        }
    }

    init(targetPort: Int) throws {
        self.targetPort = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw VFSError(.io, "proxy: socket failed") }
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw VFSError(.io, "proxy: bind/listen failed")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "dctc-test-proxy-accept"
        thread.start()
    }

    /// Resets every connection open now.
    func cutAll() {
        let current = lock.withLock { links }
        for link in current {
            for fd in [link.client, link.upstream] {
                var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                shutdown(fd, Int32(SHUT_RDWR))
            }
        }
    }

    /// Stops accepting and resets every connection.
    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))  // wakes the accept loop, which closes it
        cutAll()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopbackAddress(port: targetPort)
            let connected = upstream >= 0 && withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0
            guard connected else {
                close(client)
                if upstream >= 0 { close(upstream) }
                continue
            }
            let link = Link(client: client, upstream: upstream)
            let accepted = lock.withLock { () -> Bool in
                guard !stopped else { return false }
                links.append(link)
                return true
            }
            guard accepted else {
                close(client)
                close(upstream)
                break
            }
            for (from, to) in [(client, upstream), (upstream, client)] {
                let thread = Thread { [self] in copy(from: from, to: to, link: link) }
                thread.name = "dctc-test-proxy-copy"
                thread.start()
            }
        }
        close(listener)
    }

    private func copy(from: Int32, to: Int32, link: Link) {
        let size = 256 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        copying: while true {
            let n = read(from, buffer, size)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var offset = 0
            while offset < n {
                let w = send(to, buffer + offset, n - offset, Int32(MSG_NOSIGNAL))
                if w < 0 && errno == EINTR { continue }
                if w <= 0 { break copying }
                offset += w
            }
        }
        shutdown(to, Int32(SHUT_WR))
        let last = lock.withLock { () -> Bool in
            link.running -= 1
            guard link.running == 0 else { return false }
            links.removeAll { $0 === link }
            return true
        }
        if last {
            close(link.client)
            close(link.upstream)
        }
    }
}
