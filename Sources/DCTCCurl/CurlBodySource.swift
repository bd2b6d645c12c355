import DCTCCore

/// The consumer's end of a response body: a `ByteSource` over the transfer's `ByteChannel`
/// that cancels the transfer when nobody can read it any more.
///
/// The worker thread holds the channel, never this object, so when the last copy of the
/// response's `ByteStream` goes away `deinit` cancels the channel: the write callback's
/// `sendBlocking` then throws, the callback returns 0, libcurl aborts the transfer and the
/// worker is free again. Cancelling the reading task, or calling `ByteStream.cancel()`, has
/// the same effect. A transfer stalled on the network notices within about a second (the
/// progress callback checks the channel).
final class CurlBodySource: ByteSource {
    private let channel: ByteChannel

    init(_ channel: ByteChannel) { self.channel = channel }

    deinit { channel.cancelNow() }

    func next() async throws -> [UInt8]? {
        let channel = self.channel
        return try await withTaskCancellationHandler {
            try await channel.next()
        } onCancel: {
            channel.cancelNow()
        }
    }

    func cancel() async { channel.cancelNow() }
}
