import DCTCCore
import Foundation

/// Retries transient failures with exponential backoff and full jitter.
///
/// Only errors whose `isRetryable` is true are retried (timeouts, resets, 5xx, throttling);
/// permanent ones (authentication, not found, permission) fail at once.
public struct RetryPolicy: Sendable {
    public var retries: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval = 30

    public init(retries: Int, baseDelay: TimeInterval) {
        self.retries = max(0, retries)
        self.baseDelay = max(0, baseDelay)
    }

    /// Runs `body`, retrying on transient errors.
    /// - Parameter onRetry: told about each retry (attempt number, error, delay).
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T,
                                 onRetry: @Sendable (Int, VFSError, TimeInterval) -> Void = { _, _, _ in }) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch {
                let e = VFSError.wrap(error)
                guard e.isRetryable, attempt < retries, !Task.isCancelled else { throw e }
                attempt += 1
                let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
                let delay = Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
                onRetry(attempt, e, delay)
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
        }
    }
}
