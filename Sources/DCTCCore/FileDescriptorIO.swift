#if canImport(Glibc)
import Glibc
#endif

/// Plain POSIX descriptor I/O shared by the local store and the CLI's output.
public enum FileDescriptorIO {
    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
    /// - Returns: nil on success, or the errno of the failing `write(2)`.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { buf -> Int32? in
            guard let base = buf.baseAddress else { return nil }
            var offset = 0
            while offset < buf.count {
                let n = write(fd, base + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
    }
}
