@testable import DCTCCore
import Foundation
import Testing

@Suite("shards of a key space: K/N, boundaries, S3 start-after ranges")
struct ShardingTests {
    @Test("K/N parses; shard 0, K > N, N = 0 and garbage are refused with a remedy")
    func parse() throws {
        let s = try Shard(parse: "2/4")
        #expect(s.index == 2 && s.count == 4 && s.description == "2/4")
        for bad in ["0/4", "5/4", "1/0", "a/b", "2", "1/2/3", "-1/4", "1/20000"] {
            #expect(throws: VFSError.self) { try Shard(parse: bad) }
        }
    }

    @Test("every key lands in exactly one shard, and each shard's listing range holds exactly its keys")
    func partitionOfKeys() throws {
        let keys = (0..<2000).map { String(format: "logs/%04d/part-%02d.gz", $0 / 10, $0 % 10) }
        let sample = Set(keys.map { String($0.prefix(9)) }).sorted()  // first-level names, as a delimiter listing gives
        let plan = try ShardPlan.quantiles(of: sample, count: 4)
        #expect(plan.count == 4)
        var perShard = [Int](repeating: 0, count: 5)
        for key in keys {
            let k = plan.shard(of: key)
            perShard[k] += 1
            // The S3 range of that shard holds the key, and no other shard's does.
            for index in 1...4 {
                let (after, end) = try plan.range(of: Shard(index: index, count: 4))
                let inRange = (after.map { ShardPlan.precedes($0, key) } ?? true) && (end.map { !ShardPlan.precedes($0, key) } ?? true)
                #expect(inRange == (index == k), "\(key) in shard \(k), range of \(index): \(String(describing: after))…\(String(describing: end))")
            }
        }
        #expect(perShard[1...4].reduce(0, +) == keys.count)
        // Balanced within a sample item's worth of keys.
        #expect(perShard[1...4].allSatisfy { abs($0 - 500) <= 20 }, "\(perShard)")
    }

    @Test("the first shard starts at the beginning, the last runs to the end")
    func openEnds() throws {
        let plan = try ShardPlan.quantiles(of: ["a", "b", "c", "d"], count: 2)
        #expect(plan.boundaries == ["b"])
        #expect(try plan.range(of: Shard(index: 1, count: 2)) == (nil, "b"))
        #expect(try plan.range(of: Shard(index: 2, count: 2)) == ("b", nil))
        #expect(plan.shard(of: "") == 1 && plan.shard(of: "b") == 1 && plan.shard(of: "b0") == 2 && plan.shard(of: "zzz") == 2)
        #expect(throws: VFSError.self) { try plan.range(of: Shard(index: 1, count: 3)) }
    }

    @Test("order is bytewise UTF-8 as S3 lists: uppercase before lowercase, é after z")
    func bytewiseOrder() throws {
        #expect(ShardPlan.precedes("Z", "a") && ShardPlan.precedes("z", "é") && ShardPlan.precedes("a/", "a0"))
        let plan = try ShardPlan.quantiles(of: ["é", "Z", "a"], count: 3)
        #expect(plan.boundaries == ["Z", "a"])
        #expect(plan.shard(of: "éte") == 3)
    }

    @Test("a sample smaller than N leaves some shards empty, never loses a key")
    func smallSample() throws {
        let plan = try ShardPlan.quantiles(of: ["m"], count: 4)
        #expect(plan.count == 4)
        for key in ["a", "m", "n", "zz"] {
            let k = plan.shard(of: key)
            #expect((1...4).contains(k))
        }
        let empty = try ShardPlan.quantiles(of: [], count: 3)
        #expect(empty.shard(of: "anything") == 3)
    }

    @Test("without a sample, the byte after the prefix is split evenly; every key of the prefix has a shard")
    func uniformSplit() throws {
        let plan = try ShardPlan.uniform(prefix: "data/", count: 4)
        #expect(plan.count == 4)
        var seen = Set<Int>()
        for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" {
            seen.insert(plan.shard(of: "data/\(c)/file"))
        }
        #expect(seen.count >= 3, "\(seen)")
        #expect(plan.shard(of: "data/ ") == 1 && plan.shard(of: "data/~~") == 4)
    }

    @Test("a path range holds exactly the paths after its start through its end, byte by byte")
    func pathRangeContains() throws {
        let r = try PathRange(after: "b/f18.txt", through: "c/x")
        #expect(!r.contains("b/f18.txt") && r.contains("b/f19.txt") && r.contains("b/f2.txt"))
        #expect(r.contains("c/x") && !r.contains("c/x/y") && !r.contains("c/y") && !r.contains("a"))
        #expect(PathRange.everything.contains("anything") && PathRange.everything.isEverything)
        #expect(try PathRange(after: "", through: "").isEverything)
        // Swapped ends are refused; equal ends are an empty range (a plan with fewer files than shards).
        #expect(throws: VFSError.self) { try PathRange(after: "m", through: "c") }
        let empty = try PathRange(after: "m", through: "m")
        #expect(!empty.contains("m") && !empty.contains("l") && !empty.contains("n"))
    }

    @Test("walking directory by directory and pruning with mayHold selects the same files as filtering every path")
    func pathRangePruningAgreesWithFlatFilter() throws {
        // Names chosen around "/" (0x2F): "a-b" and "a.b" sort before "a/…", "a0" after.
        let names = ["a", "a-b", "a.b", "a0", "b", "é"]
        var paths: [String] = []
        for x in names { for y in names { for z in names { paths.append("\(x)/\(y)/\(z)"); paths.append("\(x)/\(y)") } } }
        paths = Array(Set(paths)).sorted(by: ShardPlan.precedes)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let a = Bool.random(using: &generator) ? paths.randomElement(using: &generator) : nil
            var t = Bool.random(using: &generator) ? paths.randomElement(using: &generator) : nil
            if let a0 = a, let t0 = t, ShardPlan.precedes(t0, a0) { t = a0 }
            let range = try PathRange(after: a, through: t)
            let flat = Set(paths.filter { range.contains($0) })
            // A walk that descends only into directories that may hold paths in the range.
            let walked = Set(paths.filter { path in
                let parts = path.split(separator: "/").map(String.init)
                let ancestorsOK = (1..<parts.count).allSatisfy { range.mayHold(directory: parts[..<$0].joined(separator: "/")) }
                return ancestorsOK && range.contains(path)
            })
            #expect(flat == walked, "\(range)")
        }
    }
}
