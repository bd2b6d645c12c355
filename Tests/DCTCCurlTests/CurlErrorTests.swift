import CDCTCCurl
import DCTCCore
import Foundation
import Testing

@testable import DCTCCurl

@Suite("Errors")
struct CurlErrorTests {
    @Test("a missing file over HTTP answers 404, which requireSuccess turns into notFound")
    func http404() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient()

        let response = try await client.perform(.get(server.url("nope.txt")))
        #expect(response.status == 404)
        let error = await #expect(throws: VFSError.self) {
            _ = try await response.requireSuccess(path: "web:nope.txt")
        }
        #expect(error?.code == .notFound)
        #expect(error?.path == "web:nope.txt")
        #expect(error?.isRetryable == false)
    }

    @Test("a missing file:// path fails with a CurlError that maps to notFound")
    func missingLocalFile() async throws {
        let client = try CurlClient()
        let error = await #expect(throws: CurlError.self) {
            _ = try await client.perform(.get("file:///nonexistent-dctc-\(UUID().uuidString)/x"))
        }
        #expect(error?.code == CURLE_FILE_COULDNT_READ_FILE)
        #expect(error?.toVFSError(path: "x").code == .notFound)
    }

    @Test("a refused connection fails with COULDNT_CONNECT, mapped to a retryable unavailable error")
    func connectionRefused() async throws {
        let port = try closedPort()
        let client = try CurlClient()
        let error = await #expect(throws: CurlError.self) {
            _ = try await client.perform(.get("http://127.0.0.1:\(port)/x"))
        }
        #expect(error?.code == CURLE_COULDNT_CONNECT)
        #expect(error?.name == "CURLE_COULDNT_CONNECT")
        let vfs = error?.toVFSError(path: "web:x")
        #expect(vfs?.code == .unavailable)
        #expect(vfs?.isRetryable == true)
        #expect(vfs?.remedy?.isEmpty == false)
        #expect(vfs?.cause?.contains("CURLE_COULDNT_CONNECT (7)") == true)
    }

    @Test("a 503 answer becomes a retryable unavailable error")
    func serviceUnavailable() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient()

        let response = try await client.perform(.get(server.url("status?code=503")))
        #expect(response.status == 503)
        let error = await #expect(throws: VFSError.self) {
            _ = try await response.requireSuccess(path: "web:busy")
        }
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
        #expect(error?.cause?.contains("status body") == true)
    }

    @Test("credentials in the URL are sent as Basic auth and never shown in URLs or error texts")
    func credentialsStayHidden() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient()

        let request = CurlRequest.get("http://alice:s3cr%40t@127.0.0.1:\(server.port)/auth")
        #expect(!request.description.contains("s3cr"))
        let (response, body) = try await client.performCollecting(request)
        let expected = "Basic " + Data("alice:s3cr@t".utf8).base64EncodedString()
        #expect(String(decoding: body, as: UTF8.self) == expected)
        #expect(!response.effectiveURL.contains("s3cr"))
        #expect(!response.effectiveURL.contains("alice"))

        let port = try closedPort()
        let error = await #expect(throws: CurlError.self) {
            _ = try await client.perform(.get("http://alice:s3cr%40t@127.0.0.1:\(port)/x"))
        }
        let texts = [error?.description, error?.url, error?.toVFSError().description, error?.toVFSError().cause]
        for text in texts.compactMap({ $0 }) {
            #expect(!text.contains("s3cr"))
            #expect(!text.contains("alice"))
        }
    }

    @Test("a header containing a line break is refused before any transfer")
    func malformedHeader() async throws {
        let client = try CurlClient()
        let error = await #expect(throws: VFSError.self) {
            _ = try await client.perform(.get("http://127.0.0.1:1/", headers: [("X-Evil", "a\r\nInjected: 1")]))
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("libcurl codes map to the VFSError codes users act on", arguments: [
        (CURLE_COULDNT_RESOLVE_HOST, VFSError.Code.unavailable),
        (CURLE_SEND_ERROR, .unavailable),
        (CURLE_RECV_ERROR, .unavailable),
        (CURLE_GOT_NOTHING, .unavailable),
        (CURLE_PARTIAL_FILE, .unavailable),
        (CURLE_OPERATION_TIMEDOUT, .timedOut),
        (CURLE_LOGIN_DENIED, .authenticationFailed),
        (CURLE_REMOTE_ACCESS_DENIED, .permissionDenied),
        (CURLE_REMOTE_FILE_NOT_FOUND, .notFound),
        (CURLE_PEER_FAILED_VERIFICATION, .authenticationFailed),
        (CURLE_SSL_CONNECT_ERROR, .authenticationFailed),
        (CURLE_ABORTED_BY_CALLBACK, .cancelled),
        (CURLE_URL_MALFORMAT, .invalidArgument),
    ])
    func curlCodeMapping(code: CURLcode, expected: VFSError.Code) {
        let error = CurlError(code: code, url: "http://h/p").toVFSError(path: "h:p")
        #expect(error.code == expected)
        #expect(error.path == "h:p")
        #expect(error.message.isEmpty == false)
    }

    @Test("TLS failures tell the user what to do about certificates")
    func tlsRemedy() {
        let error = CurlError(code: CURLE_PEER_FAILED_VERIFICATION, url: "https://h/").toVFSError(path: "h:")
        #expect(error.remedy?.contains("--insecure") == true)
        #expect(error.remedy?.contains("ca bundle") == true)
    }

    @Test("HTTP statuses map to the VFSError codes users act on", arguments: [
        (404, VFSError.Code.notFound, false),
        (401, .authenticationFailed, false),
        (403, .permissionDenied, false),
        (409, .io, false),
        (412, .alreadyExists, false),
        (416, .invalidArgument, false),
        (429, .unavailable, true),
        (500, .unavailable, true),
        (502, .unavailable, true),
        (503, .unavailable, true),
        (504, .unavailable, true),
        (418, .io, false),
    ])
    func httpStatusMapping(status: Int, expected: VFSError.Code, retryable: Bool) {
        let error = HTTPStatus(status).toVFSError(path: "p")
        #expect(error.code == expected)
        #expect(error.isRetryable == retryable)
        #expect(CurlError.http(status: status, url: "http://h/p").toVFSError(path: "p").code == expected)
    }
}
