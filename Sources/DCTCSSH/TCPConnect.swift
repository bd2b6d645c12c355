import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening the TCP connection an SSH session runs over.
enum TCPConnect {
    /// Resolves `host` and connects to the first address that answers within `timeout` seconds
    /// (all addresses share that deadline). Wraps `getaddrinfo`, `socket`, non-blocking
    /// `connect` + `poll`. The returned descriptor is blocking, close-on-exec, with `TCP_NODELAY`
    /// (SFTP is request/response: Nagle would hold back small requests).
    ///
    /// - Throws: `SSH2Error` `.unavailable` for an unknown host name (exit 5, as other stores), or when
    ///   every address refuses or is unreachable, `.timedOut` when the deadline passes.
    static func connect(host: String, port: Int, timeout: TimeInterval) throws -> Int32 {
        let display = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            let reason = String(cString: gai_strerror(rc))
            // `.unavailable` (exit 5), as for every store: a name that does not resolve may be a
            // typo or a resolver that is down, and the other stores cannot tell them apart either.
            throw SSH2Error(.unavailable, "cannot resolve the host name: \(reason)",
                            path: display, remedy: "check the host name (and `HostName` in ~/.ssh/config)",
                            function: "getaddrinfo")
        }
        defer { freeaddrinfo(list) }

        let deadline = Date().addingTimeInterval(timeout)
        var lastError: SSH2Error?
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let ai = node {
            node = ai.pointee.ai_next
            do {
                return try connectOne(ai.pointee, deadline: deadline, display: display)
            } catch let error as SSH2Error {
                lastError = error
                if error.kind == .timedOut { break }
            }
        }
        throw lastError ?? SSH2Error(.unavailable, "no address to connect to", path: display, function: "getaddrinfo")
    }

    private static func connectOne(_ ai: addrinfo, deadline: Date, display: String) throws -> Int32 {
        #if os(Linux)
        let type = ai.ai_socktype | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = ai.ai_socktype
        #endif
        let fd = socket(ai.ai_family, type, ai.ai_protocol)
        guard fd >= 0 else { throw systemError("socket", display) }
        var ok = false
        defer { if !ok { closeDescriptor(fd) } }

        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if systemConnect(fd, ai.ai_addr, ai.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw systemError("connect", display) }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let remaining = max(0, deadline.timeIntervalSinceNow)
            var ready: Int32
            repeat {
                ready = poll(&pfd, 1, Int32(min(remaining * 1000, Double(Int32.max))))
            } while ready < 0 && errno == EINTR
            if ready == 0 {
                throw SSH2Error(.timedOut, "the TCP connection timed out", path: display,
                                remedy: "check the host and port, and any firewall in between",
                                function: "connect")
            }
            guard ready > 0 else { throw systemError("poll", display) }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 { throw systemError("connect", display, errnoValue: soError) }
        }
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        ok = true
        return fd
    }

    private static func systemError(_ function: String, _ display: String, errnoValue: Int32 = errno) -> SSH2Error {
        let reason = String(cString: strerror(errnoValue))
        let kind: VFSError.Code = errnoValue == ETIMEDOUT ? .timedOut : .unavailable
        return SSH2Error(kind, "cannot connect: \(reason)", path: display, function: function, systemErrno: errnoValue)
    }
}

/// `connect(2)`; named apart so it does not clash with `TCPConnect.connect`.
private func systemConnect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.connect(fd, address, length)
    #else
    Darwin.connect(fd, address, length)
    #endif
}

/// `close(2)`, for types that have a `close()` method of their own.
func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
