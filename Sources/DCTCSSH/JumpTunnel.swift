import CDCTCSSH2
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reaching a server through jump hosts (OpenSSH's `ProxyJump host1,host2`).
///
/// Each hop is a full SSH session (host key check, login) whose `direct-tcpip` channel
/// (`libssh2_channel_direct_tcpip_ex`) carries the next hop's connection. A session needs a
/// socket, so each channel is joined to one end of a `socketpair`; a thread of our own (one
/// per hop, `TunnelPump`) copies bytes between the channel and that end, and the next
/// session runs over the other end as over a TCP connection. When that session closes its
/// end, the pump closes the channel and the hop's session; when the hop's connection fails,
/// the pump closes its end and the next session sees the connection drop.
enum SSHTransport {
    /// A connected socket to `options.host:options.port`: a TCP connection, or the end of a
    /// tunnel through `options.jumpHosts`.
    ///
    /// - Throws: `SSH2Error`: what `TCPConnect.connect` throws for the first hop; for each hop,
    ///   what its handshake, host key check and login throw (naming the hop); `.unavailable`
    ///   when a hop cannot open the channel to the next one.
    static func connect(_ options: SSHConnectionOptions) throws -> Int32 {
        let hops = options.jumpHosts
        guard let first = hops.first else {
            return try TCPConnect.connect(host: options.host, port: options.port, timeout: options.connectTimeout)
        }
        var fd = try TCPConnect.connect(host: first.host, port: first.port, timeout: options.connectTimeout)
        for (index, hop) in hops.enumerated() {
            let next = index + 1 < hops.count ? hops[index + 1] : options
            fd = try openTunnel(over: fd, hop: hop, to: next.host, port: next.port)
        }
        return fd
    }

    /// Logs in to `hop` over `socket` (taking ownership of it), opens a `direct-tcpip`
    /// channel to `host:port` and starts the pump thread; returns the socket the next
    /// session uses.
    private static func openTunnel(over socket: Int32, hop: SSHConnectionOptions, to host: String, port: Int) throws -> Int32 {
        let core = try SessionCore(socket: socket, address: hop.address, timeout: hop.timeout, status: SessionStatus())
        try login(core, hop)
        guard let channel = CDCTCSSH2_channel_direct_tcpip(core.session, host, Int32(port)) else {
            throw core.error(function: "libssh2_channel_direct_tcpip_ex",
                             context: "the jump host \(hop.address) could not open a connection to \(host):\(port)")
        }
        var pair: [Int32] = [-1, -1]
        #if os(Linux)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &pair) == 0 else {
            let e = errno
            libssh2_channel_free(channel)
            throw SSH2Error(.io, "cannot create the local end of the jump tunnel: \(String(cString: strerror(e)))",
                            path: hop.address, function: "socketpair", systemErrno: e)
        }
        let pump = TunnelPump(core: core, channel: channel, local: pair[0], interval: hop.serverAliveInterval)
        let thread = Thread { pump.run() }
        thread.name = "dctc-ssh-jump \(hop.host):\(hop.port)"
        thread.stackSize = 1 << 20
        thread.start()
        return pair[1]
    }

    /// Handshake, host key check and login of one hop. The known-hosts collection is freed
    /// before returning, so nothing of it outlives this thread's use of the session.
    private static func login(_ core: SessionCore, _ hop: SSHConnectionOptions) throws {
        let knownHosts = try KnownHostsFile(session: core, path: hop.knownHostsFile)
        try knownHosts.load()
        core.preferKnownHostKeyTypes(knownHosts: knownHosts, name: hop.knownHostsName)
        try core.handshake()
        _ = try core.verifyHostKey(knownHosts: knownHosts, name: hop.knownHostsName, acceptNew: hop.acceptNewHostKey,
                                   ask: hop.askForUnknownHostKey ? hop.prompter : nil)
        _ = try core.authenticate(username: hop.username, methods: hop.authMethods, prompter: hop.prompter, host: hop.host)
    }
}

/// Copies bytes between a `direct-tcpip` channel and a local socket, on a thread of its own
/// that owns the hop's session from then on (libssh2 handles are used by one thread only).
///
/// Runs libssh2 in non-blocking mode and waits with `poll` on the hop's TCP socket and the
/// local socket; buffers at most 64 KiB in each direction (the writer that cannot go on waits).
/// Sends keepalives every `interval` seconds when set (`ServerAliveInterval`).
final class TunnelPump: @unchecked Sendable {
    // Handed over from the connecting thread before `run` starts, then used only by the pump thread.
    private let core: SessionCore
    private let channel: OpaquePointer
    private let local: Int32
    private let interval: Int

    init(core: SessionCore, channel: OpaquePointer, local: Int32, interval: Int) {
        self.core = core
        self.channel = channel
        self.local = local
        self.interval = interval
    }

    func run() {
        let session = core.session
        libssh2_session_set_blocking(session, 0)
        if interval > 0 { libssh2_keepalive_config(session, 0, UInt32(interval)) }
        let flags = fcntl(local, F_GETFL)
        _ = fcntl(local, F_SETFL, flags | O_NONBLOCK)

        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var toChannel: [UInt8] = [], toChannelSent = 0
        var toLocal: [UInt8] = [], toLocalSent = 0
        var localOpen = true, channelOpen = true

        pumping: while true {
            var progress = false
            if localOpen && toChannel.isEmpty {
                let n = buffer.withUnsafeMutableBytes { read(local, $0.baseAddress, $0.count) }
                if n > 0 {
                    toChannel = Array(buffer[0..<n]); toChannelSent = 0; progress = true
                } else if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    localOpen = false; progress = true
                }
            }
            if toChannelSent < toChannel.count {
                let n = toChannel[toChannelSent...].withUnsafeBytes { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { CDCTCSSH2_channel_write(channel, $0.baseAddress, $0.count) }
                }
                if n > 0 {
                    toChannelSent += n; progress = true
                    if toChannelSent == toChannel.count { toChannel = []; toChannelSent = 0 }
                } else if n != Int(LIBSSH2_ERROR_EAGAIN) {
                    break pumping
                }
            }
            // The session over the tunnel closed its end and everything it sent went out.
            if !localOpen && toChannel.isEmpty { break pumping }

            if channelOpen && toLocal.isEmpty {
                let n = buffer.withUnsafeMutableBytes { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { CDCTCSSH2_channel_read(channel, $0.baseAddress, $0.count) }
                }
                if n > 0 {
                    toLocal = Array(buffer[0..<n]); toLocalSent = 0; progress = true
                } else if n == Int(LIBSSH2_ERROR_EAGAIN) {
                    if libssh2_channel_eof(channel) != 0 { channelOpen = false; progress = true }
                } else {
                    channelOpen = false; progress = true  // 0: end of the stream; below 0: the hop failed
                }
            }
            if toLocalSent < toLocal.count {
                let n = toLocal[toLocalSent...].withUnsafeBytes { write(local, $0.baseAddress, $0.count) }
                if n > 0 {
                    toLocalSent += n; progress = true
                    if toLocalSent == toLocal.count { toLocal = []; toLocalSent = 0 }
                } else if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                    break pumping
                }
            }
            // The far side closed and everything it sent was delivered: close our end.
            if !channelOpen && toLocal.isEmpty { break pumping }
            if progress { continue }
            if toLocal.isEmpty && channelOpen && libssh2_poll_channel_read(channel, 0) != 0 { continue }

            if interval > 0 {
                var next: Int32 = 0
                _ = libssh2_keepalive_send(session, &next)
            }
            let directions = libssh2_session_block_directions(session)
            var remoteEvents: Int16 = 0
            if toLocal.isEmpty || directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { remoteEvents |= Int16(POLLIN) }
            if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { remoteEvents |= Int16(POLLOUT) }
            var localEvents: Int16 = 0
            if localOpen && toChannel.isEmpty { localEvents |= Int16(POLLIN) }
            if !toLocal.isEmpty { localEvents |= Int16(POLLOUT) }
            var fds = [pollfd(fd: core.socket, events: remoteEvents, revents: 0),
                       pollfd(fd: local, events: localEvents, revents: 0)]
            _ = poll(&fds, 2, 1000)
        }

        closeDescriptor(local)
        // Back to blocking calls, briefly, to close the channel and say goodbye.
        libssh2_session_set_timeout(session, 2000)
        libssh2_session_set_blocking(session, 1)
        if channelOpen { _ = libssh2_channel_send_eof(channel) }
        _ = libssh2_channel_close(channel)
        libssh2_channel_free(channel)
        core.close()
    }
}
