import DCTCTestSupport
import Foundation
import Testing

/// `dctc shard-plan` and `sync --start-after/--end-at`: a sync fanned out over N workers, each
/// listing only its own range of keys (S3 StartAfter), equals one sync.
@Suite("sync fanned out over key ranges")
struct ShardFanOutTests {
    /// The answer bytes of the S3 listings (ListObjectsV2) of `prefix` in proxy log lines.
    static func listingBytes(_ lines: [String], prefix: String) -> (requests: Int, bytes: Int, startAfter: Int) {
        var requests = 0, bytes = 0, startAfter = 0
        for line in lines where line.hasPrefix("GET ") && line.contains("list-type=2") && line.contains("prefix=\(prefix)%2F") {
            requests += 1
            if line.contains("start-after=") { startAfter += 1 }
            if let last = line.split(separator: " ").last, let n = Int(last) { bytes += n }
        }
        return (requests, bytes, startAfter)
    }

    @Test("N ranged syncs from shard-plan equal one sync; their S3 listings together answer about one listing's worth of keys")
    func rangesCoverTheTreeOnce() throws {
        guard let s3 = try DocExamplesTests.s3Environment(),
              let endpoint = s3["AWS_ENDPOINT_URL"], let port = URL(string: endpoint)?.port else { return }
        let s = try Scratch(); defer { s.cleanup() }
        // Names around "/" in byte order ("d1-x" and "d1.y" sort before "d1/…") and a deeper level.
        var count = 0
        for d in 0..<6 {
            for f in 0..<25 { _ = try s.write("src/d\(d)/f\(String(format: "%02d", f)).txt", "file \(d) \(f)\n"); count += 1 }
        }
        for extra in ["d1-x", "d1.y", "d2/deep/er/z.txt", "top.txt"] { _ = try s.write("src/" + extra, "extra \(extra)\n"); count += 1 }
        let bucket = "dctc-fanout-\(UUID().uuidString.lowercased().prefix(8))"
        var env = s3
        env["XDG_STATE_HOME"] = s.url("state")
        #expect(try CLI.run(["mkdir", "s3://\(bucket)"], environment: env).status == 0)
        defer { _ = try? CLI.run(["rm", "-r", "--force", "s3://\(bucket)"], environment: env) }
        let up = try CLI.run(["sync", s.url("src"), "s3://\(bucket)/src"], environment: env)
        #expect(up.status == 0, "\(up)")

        // Through the proxy, with pages of 10 keys: a shard's listing overshoots its end by less
        // than a page, as it does by less than 1,000 keys on a real bucket.
        let proxy = try ByteProxy(upstream: port); defer { proxy.stop() }
        let config = try s.write("config.toml", """
        [accounts.fan]
        type = "s3"
        endpoint = "http://127.0.0.1:\(proxy.port)"
        list_page_size = 10

        """)
        var proxied = env
        proxied["DCTC_CONFIG"] = config
        let planRun = try CLI.run(["shard-plan", "fan:\(bucket)/src", "--shards", "3", "--json"], environment: proxied)
        #expect(planRun.status == 0, "\(planRun)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(planRun.stdout.utf8)) as? [String: Any])
        #expect(plan["files"] as? Int == count)
        let shards = try #require(plan["shards"] as? [[String: Any]])
        #expect(shards.count == 3)
        #expect(shards.compactMap { $0["files"] as? Int }.reduce(0, +) == count, "the ranges split every file: \(shards)")
        let whole = Self.listingBytes(proxy.requests(), prefix: "src")

        // Each shard in its own process and state, as on its own worker; twice (the second run
        // lists a full destination and transfers nothing).
        for round in 1...2 {
            let before = proxy.requests().count
            var transferred = 0
            for (k, shard) in shards.enumerated() {
                let options = try #require(shard["options"] as? [String])
                var worker = proxied
                worker["XDG_STATE_HOME"] = s.url("worker\(k)")
                let r = try CLI.run(["sync", "fan:\(bucket)/src", "fan:\(bucket)/dst"] + options + ["--json"], environment: worker)
                #expect(r.status == 0, "\(r)")
                let line = try #require(r.stdout.split(separator: "\n").last)
                let summary = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                transferred += summary["filesTransferred"] as? Int ?? -1
            }
            #expect(transferred == (round == 1 ? count : 0), "round \(round)")
            let lines = Array(proxy.requests().dropFirst(before))
            let src = Self.listingBytes(lines, prefix: "src"), dst = Self.listingBytes(lines, prefix: "dst")
            // Shards 2 and 3 start after their first key, at the source and at the destination.
            #expect(src.startAfter >= 2 && (round == 1 || dst.startAfter >= 2), "\(src) \(dst)")
            // Together about one listing of the tree (each page repeats a little XML), where
            // hash shards would each list all of it.
            #expect(Double(src.bytes) <= Double(whole.bytes) * 1.3, "source: \(src) against one listing \(whole)")
            if round == 2 { #expect(Double(dst.bytes) <= Double(whole.bytes) * 1.3, "destination: \(dst) against \(whole)") }
        }
        let check = try CLI.run(["check", "s3://\(bucket)/src", "s3://\(bucket)/dst"], environment: env)
        #expect(check.status == 0, "\(check)")
    }

    @Test("swapped range ends are refused with a remedy; a plan needs 1 to 10000 shards")
    func badRanges() throws {
        let s = try Scratch(); defer { s.cleanup() }
        _ = try s.write("src/a", "a")
        let swapped = try CLI.run(["sync", s.url("src"), s.url("dst"), "--start-after", "m", "--end-at", "c"])
        #expect(swapped.status == 2 && swapped.stderr.contains("--start-after"), "\(swapped)")
        let zero = try CLI.run(["shard-plan", s.url("src"), "--shards", "0"])
        #expect(zero.status == 2, "\(zero)")
        let one = try CLI.run(["shard-plan", s.url("src"), "--shards", "2"])
        #expect(one.status == 0 && one.stdout.contains("2/2"), "\(one)")
    }
}
