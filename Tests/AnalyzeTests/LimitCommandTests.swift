import Foundation
import Testing

/// Sizes at and past the documented limits of `analyze count` and `analyze dags`: a bounded
/// run at the limit, one line on stderr and a non-zero status past it, never a trap or an
/// allocation of what the arguments claim.
@Suite struct LimitCommandTests {
    @Test(arguments: [
        (["count", "--n", "10", "--k-range", "1...99999999999"], "reaches past the limit of 2048"),
        (["count", "--n", "10", "--k-range", "1...9223372036854775807"], "reaches past the limit of 2048"),
        (["count", "--n", "10", "--k-range", "1...99999999999999999999"], "not of the form"),
        (["count", "--n", "10000000", "--k-range", "2047...2049"], "reaches past the limit of 2048"),
        (["count", "--n", "10000000", "--k-range", "1...2048"], "Σk² = 2865409024 is past the limit of 16777216"),
        (["count", "--n", "10000000", "--k-range", "1...369"], "Σk² = 16815945 is past the limit"),
        (["count", "--n", "10000000", "--k-range", "2044...2048"], "Σk² = 20930590 is past the limit"),
        (["count", "--n", "10000001", "--k", "2"], "--n 10000001 is past the limit of 10000000"),
        (["count", "--n", "10000000", "--k", "2049"], "--k 2049 is past the limit of 2048"),
        (["count", "--n", "99999999999999999999", "--k", "2"], "is invalid"),
        (["count", "--n", "8", "--k", "2", "--max-depth", "17"], "--max-depth must be between 1 and 16"),
        (["dags", "--k", "8", "--classes"], "too large to enumerate"),
        (["dags", "--k", "9223372036854775807"], "too large to enumerate"),
        (["dags", "--k", "9223372036854775807", "--sequence"], "--sequence needs"),
        (["dags", "--k=-1", "--sequence"], "--k -1 is negative"),
        (["dags", "--k", "-1", "--sequence"], "--k -1 is negative"),
    ])
    func pastTheLimitIsOneLine(arguments: [String], message: String) throws {
        let r = try runAnalyze(arguments)
        #expect(r.stdout.isEmpty)
        expectOneLineError(r, message, "\(arguments)")
    }

    /// n at its limit: C(10,000,000, 2) = 49,999,995,000,000 and n!/(n−2)! twice that.
    @Test func nAtTheLimit() throws {
        let r = try runAnalyze(["count", "--n", "10000000", "--k", "2", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"49999995000000\""))
        #expect(r.stdout.contains("\"99999990000000\""))
    }

    /// A depth filter far past any path length keeps every DAG: 25 on 3 nodes.
    @Test func hugeMaxDepthKeepsEveryDAG() throws {
        let r = try runAnalyze(["dags", "--k", "3", "--max-depth", "9223372036854775807", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"count\": 25,"))
        #expect(r.stdout.contains("\"equal\": true"))
    }
}
