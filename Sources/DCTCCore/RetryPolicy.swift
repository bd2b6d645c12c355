import Foundation

/// The one retry policy: every store and the sync engine retry transient failures with it.
///
/// A failure is retried only when its `VFSError.isRetryable` is true (connection refused,
/// reset or cut before the answer, timeouts, 5xx, 503 `SlowDown`, 429): permanent ones
/// (authentication, not found, permission) fail at once. Between attempts it waits with
/// exponential backoff and full jitter (a uniformly random delay between 0 and
/// `min(maxDelay, baseDelay × 2^(n-1))`, as the AWS SDKs do), and never less than a
/// server's `Retry-After` (`VFSError.retryAfter`). It gives up after `retries` retries or
/// when the next wait would pass the total `budget`, whichever comes first; the last error
/// is thrown unchanged.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt (0: no retry).
    public var retries: Int
    /// The backoff ceiling of the first retry; doubled per retry.
    public var baseDelay: TimeInterval
    /// The largest backoff ceiling.
    public var maxDelay: TimeInterval = 20
    /// Total time spent waiting between attempts; a retry whose wait would pass it is not made.
    public var budget: TimeInterval = 60

    /// - Parameters:
    ///   - retries: retries after the first attempt (negative values count as 0).
    ///   - baseDelay: the first backoff ceiling in seconds.
    ///   - maxDelay: the largest backoff ceiling.
    ///   - budget: total seconds of waiting allowed (at least 30 s for throttling by default).
    public init(retries: Int, baseDelay: TimeInterval, maxDelay: TimeInterval = 20, budget: TimeInterval = 60) {
        self.retries = max(0, retries)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.budget = max(0, budget)
    }

    /// What every store uses for one request: 10 retries, 0.2 s first ceiling, 20 s largest,
    /// 60 s of waiting at most. `DCTC_RETRY_BASE_DELAY` (seconds) overrides the first ceiling
    /// (tests shorten it).
    public static var requests: RetryPolicy {
        var p = RetryPolicy(retries: 10, baseDelay: 0.2)
        if let s = ProcessInfo.processInfo.environment["DCTC_RETRY_BASE_DELAY"], let d = Double(s), d >= 0, d <= 60 {
            p.baseDelay = d
        }
        return p
    }

    /// The backoff ceiling before retry `attempt` (1-based).
    public func ceiling(forRetry attempt: Int) -> TimeInterval {
        let exponent = Double(min(max(attempt - 1, 0), 62))
        return min(maxDelay, baseDelay * pow(2, exponent))
    }

    /// The wait before retry `attempt` after `error`: full jitter, at least the server's `Retry-After`.
    public func delay(forRetry attempt: Int, after error: VFSError) -> TimeInterval {
        let ceiling = ceiling(forRetry: attempt)
        let jittered = ceiling > 0 ? Double.random(in: 0...ceiling) : 0
        if let hint = error.retryAfter, hint.isFinite, hint > 0 { return max(jittered, min(hint, budget)) }
        return jittered
    }

    /// Tracks one operation's retries: call `next(after:)` with each failure; it answers the
    /// wait before the next attempt, or nil when the failure must be thrown.
    public struct Attempts: Sendable {
        public let policy: RetryPolicy
        /// Retries made so far.
        public private(set) var retriesMade = 0
        /// Seconds waited so far.
        public private(set) var waited: TimeInterval = 0

        public init(_ policy: RetryPolicy) { self.policy = policy }

        /// The wait before the next attempt after `error`, or nil when it is not retried
        /// (permanent, out of retries or budget, or the task is cancelled).
        public mutating func next(after error: VFSError) -> TimeInterval? {
            guard error.isRetryable, retriesMade < policy.retries, !Task.isCancelled else { return nil }
            // A host name that does not resolve is most often a typo: two more looks, not ten.
            if error.message.hasPrefix("cannot resolve the host name"), retriesMade >= 2 { return nil }
            let wait = policy.delay(forRetry: retriesMade + 1, after: error)
            guard waited + wait <= policy.budget else { return nil }
            retriesMade += 1
            waited += wait
            return wait
        }
    }

    /// Runs `body`, retrying on transient errors.
    ///
    /// - Parameter onRetry: told about each retry (retry number, error, delay in seconds).
    /// - Returns: what `body` returns.
    /// - Throws: the last error as a `VFSError` (permanent, or transient after the retries).
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T,
                                 onRetry: @Sendable (Int, VFSError, TimeInterval) -> Void = { _, _, _ in }) async throws -> T {
        var attempts = Attempts(self)
        while true {
            do {
                return try await body()
            } catch {
                let e = VFSError.wrap(error)
                guard let wait = attempts.next(after: e) else { throw e }
                onRetry(attempts.retriesMade, e, wait)
                try await RetryPolicy.sleep(wait)
            }
        }
    }

    /// Sleeps `seconds` (cancellable).
    public static func sleep(_ seconds: TimeInterval) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(min(seconds, 3600) * 1e9))
    }
}
