import Foundation
import Synchronization
import Testing

/// `analyze dags` end to end: counts and breakdowns, every filter against `analyze count`,
/// classes, listings in each format, the sequence mode, bad input and Ctrl-C.
@Suite struct DagsCommandTests {
    @Test func textCountCheckAndBreakdowns() throws {
        let r = try runAnalyze(["dags", "--k", "3"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains("labeled DAGs on k = 3 nodes: 25\n"))
        #expect(r.stdout.contains("recurrence (analyze count, dags.labeled): 25, equal"))
        // Longest path 0: the empty DAG; ≤ 1: 13 (dags.depth_at_most.1); the rest have 2.
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let longest = rows.drop { $0 != ["longest", "path", "dags"] }.dropFirst(2).prefix(3)
        #expect(Array(longest) == [["0", "1"], ["1", "12"], ["2", "12"]])
        // Edges: 1 empty, 6 single edges, 3·4 two-edge orientations, 3! transitive tournaments.
        let edges = rows.drop { $0 != ["edges", "dags"] }.dropFirst(2).prefix(4)
        #expect(Array(edges) == [["0", "1"], ["1", "6"], ["2", "12"], ["3", "6"]])
    }

    @Test(arguments: [
        (["--one-sink"], "dags.one_sink", "316"),
        (["--one-source"], "dags.one_source", "316"),
        (["--connected"], "dags.weakly_connected", "446"),
        (["--max-depth", "2"], "dags.depth_at_most.2", "351"),
        (["--max-depth", "9"], "dags.depth_at_most.9", "543"),
    ])
    func eachFilterEqualsItsCountFamily(filter: [String], family: String, count: String) throws {
        let r = try runAnalyze(["dags", "--k", "4"] + filter)
        #expect(r.status == 0)
        #expect(r.stdout.contains(": \(count)\n"))
        #expect(r.stdout.contains("(analyze count, \(family)): \(count), equal"), "\(r.stdout)")
    }

    @Test func maxDepthZeroKeepsOnlyTheEdgelessDAG() throws {
        let r = try runAnalyze(["dags", "--k", "4", "--max-depth", "0", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["count"] as? Int == 1)
        #expect((object["by_edges"] as? [String: Int])?["0"] == 1)
        let classes = try runAnalyze(["dags", "--k", "4", "--max-depth", "0", "--classes"])
        #expect(classes.stdout.contains("isomorphism classes of DAGs on k = 4 nodes, longest path ≤ 0 edges: 1\n"))
    }

    @Test func combinedFiltersHaveNoSingleFamily() throws {
        let r = try runAnalyze(["dags", "--k", "4", "--one-sink", "--one-source", "--format", "json"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["check"] == nil)
        #expect(object["count"] as? Int == 216)   // one source and one sink: brute force over the 3^6 orientations
    }

    @Test func classesAgreeWithTheCycleIndexCount() throws {
        let r = try runAnalyze(["dags", "--k", "5", "--classes"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("isomorphism classes of DAGs on k = 5 nodes: 302\n"))
        #expect(r.stdout.contains("cycle-index count (analyze count, dags.unlabeled): 302, equal"))
        #expect(r.stdout.contains("labeled DAGs in these classes (Σ k!/|Aut|): 29281"))
    }

    @Test func listsInTextJSONAndDOT() throws {
        let text = try runAnalyze(["dags", "--k", "3", "--list"])
        let lines = text.stdout.split(separator: "\n").filter { $0.hasPrefix("#") }
        #expect(lines.count == 25)
        #expect(lines.contains { $0.hasSuffix("bits 010001000  edges 0->1 1->2") })
        #expect(lines.contains { $0.hasSuffix("bits 000000000  edges (none)") })

        let json = try runAnalyze(["dags", "--k", "3", "--list", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let dags = try #require(object["dags"] as? [[String: Any]])
        #expect(dags.count == 25)
        #expect(Set(dags.compactMap { $0["bits"] as? String }).count == 25)
        #expect((object["by_edges"] as? [String: Int]) == ["0": 1, "1": 6, "2": 12, "3": 6])

        let dot = try runAnalyze(["dags", "--k", "3", "--list", "--format", "dot", "--one-sink"])
        #expect(dot.status == 0)
        #expect(dot.stdout.components(separatedBy: "digraph dag_").count - 1 == 15)
        #expect(dot.stdout.contains("// analyze count, dags.one_sink: 15, equal"))
    }

    @Test func classListCoversEveryLabeling() throws {
        let r = try runAnalyze(["dags", "--k", "3", "--classes", "--list", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let classes = try #require(object["dags"] as? [[String: Any]])
        #expect(classes.count == 6)
        #expect(classes.compactMap { $0["labelings"] as? Int }.reduce(0, +) == 25)
        #expect(object["labelings"] as? Int == 25)
    }

    @Test func sequenceGivesLabeledAndUnlabeledCounts() throws {
        let r = try runAnalyze(["dags", "--k", "12", "--sequence", "--format", "json"])
        #expect(r.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 13)
        #expect(rows[12]["unlabeled"] as? String == "1094026876269892596")
        #expect(rows[5]["labeled"] as? String == "29281")
    }

    @Test(arguments: [
        (["--k", "8"], "too large to enumerate"),
        (["--k", "0"], "--k must be at least 1"),
        (["--k", "4", "--max-depth=-1"], "--max-depth -1 is negative"),
        (["--k", "4", "--format", "xml"], "'xml' is invalid"),
        (["--k", "6", "--list"], "--list-large"),
        (["--k", "4", "--format", "dot"], "add --list"),
        (["--k", "51", "--sequence"], "--sequence needs"),
        (["--k", "5", "--sequence", "--one-sink"], "takes no filter"),
        (["--k", "x"], "'x' is invalid"),
    ])
    func badInputIsOneLineAndNonZero(arguments: [String], message: String) throws {
        let r = try runAnalyze(["dags"] + arguments)
        expectOneLineError(r, message, "dags")
        #expect(r.stdout.isEmpty)
    }

    @Test func ctrlCStopsWithOneLine() throws {
        let process = Process()
        process.executableURL = productsDirectory().appendingPathComponent("analyze")
        // Over a billion DAGs; the first listed lines show the enumeration (and its Ctrl-C
        // handler) has started.
        process.arguments = ["dags", "--k", "7", "--list", "--list-large"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Should Ctrl-C be ignored, kill the command after a minute so the test fails instead of hanging.
        let pid = process.processIdentifier, finished = FinishedFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
            if !finished.value.load(ordering: .relaxed) { kill(pid, SIGKILL) }
        }
        #expect(!out.fileHandleForReading.availableData.isEmpty)
        process.interrupt()
        _ = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        finished.value.store(true, ordering: .relaxed)
        let stderr = String(decoding: errData, as: UTF8.self)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)
        #expect(stderr.hasPrefix("analyze: interrupted"), "\(stderr)")
        #expect(stderr.split(separator: "\n").count == 1)
    }
}

/// Set once a subprocess has been waited for, so a watchdog leaves its (reusable) pid alone.
final class FinishedFlag: Sendable {
    let value = Atomic<Bool>(false)
}
