import DCTCCore
import DCTCDigest
import Foundation

extension S3FileSystem {
    /// Creates a small object only when no object has that key (`PUT` with `If-None-Match: *`,
    /// which S3 has honoured since 2024): the building block of locks shared by machines.
    ///
    /// - Returns: true when this call created the object, false when one already existed
    ///   (`412 Precondition Failed`, or `409 ConditionalRequestConflict` when another
    ///   conditional write to the key was in flight).
    /// - Throws: `VFSError` for any other failure. A server that ignores the header (some S3
    ///   emulators do) overwrites silently: callers that need certainty read the object back.
    public func createIfAbsent(_ path: VPath, bytes: [UInt8]) async throws -> Bool {
        let shown = display(path)
        guard path.depth >= 2 else {
            throw VFSError(.isADirectory, "a bucket cannot be written as a file", path: shown,
                           remedy: "write to a key inside the bucket: \(shown)/NAME", backend: "s3")
        }
        let bucket = path.components[0]
        let key = path.components.dropFirst().joined(separator: "/")
        do {
            let md5 = try Digest.hash(bytes, kind: .md5)
            let headers = [("If-None-Match", "*"), ("Content-MD5", S3Crypto.base64(fromHex: md5))]
            // Not idempotent: a retried PUT whose first attempt landed would report "exists".
            let response = try await transport.send(S3Operation("PUT", bucket: bucket, key: key, headers: headers,
                                                                body: .bytes(bytes, hashed: false), idempotent: false, display: shown))
            await response.body.cancel()
            return true
        } catch let e as S3ServiceError where e.status == 412 || e.status == 409 || e.code == "PreconditionFailed" {
            return false
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }
}
