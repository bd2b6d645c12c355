import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Standard input as a `ByteStream`, read in 256 KiB chunks on a thread of our own (a read
/// from a pipe or terminal may block for a long time and must not hold the cooperative pool).
func standardInputStream() -> ByteStream {
    let channel = ByteChannel()
    let thread = IOThread(name: "dctc-stdin")
    thread.submit {
        var buffer = [UInt8](repeating: 0, count: ByteStream.defaultChunkSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                channel.finish(throwing: VFSError(.io, "cannot read standard input: \(String(cString: strerror(errno)))", path: "-"))
                break
            }
            if n == 0 { channel.finish(); break }
            do { try channel.sendBlocking(Array(buffer[0..<n])) } catch { break }
        }
        thread.shutdown()
    }
    return channel.stream
}

/// Writes a stream to standard output, chunk by chunk.
func writeToStandardOutput(_ stream: ByteStream) async throws {
    for try await chunk in stream { Output.standard.write(chunk) }
    Output.standard.flush()
}
