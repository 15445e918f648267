import Foundation
import Testing

/// The prose the repository ships says nothing the layer cannot do: that it composes experts,
/// that a DAG's sink produces the output, or that the DAG count bounds what a layer can express.
@Suite struct ClaimsTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Phrases of the old, false claims (lowercased).
    static let falseClaims = [
        "compose different experts", "compose different functions", "a pair composed", "c(b(a(x)))",
        "produces the final output", "sink produces the output",
        "upper bound on what a layer can express", "upper bounds on what the gates can express",
        "patterns (l rounds of k×k gates) the module can express",
        "what dag aggregation can.", "one round reaches only",
    ]

    /// README.md, docs/*.md and notebooks-md/*.md.
    static func documents() throws -> [URL] {
        let manager = FileManager.default
        var files = [root.appendingPathComponent("README.md")]
        for folder in ["docs", "notebooks-md"] {
            let dir = root.appendingPathComponent(folder)
            files += try manager.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).filter { $0.pathExtension == "md" }
        }
        return files
    }

    @Test func noDocumentRepeatsAnOldClaim() throws {
        let files = try ClaimsTests.documents()
        #expect(files.count >= 10)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8).lowercased()
                .replacingOccurrences(of: "\n", with: " ")
            for claim in ClaimsTests.falseClaims {
                #expect(!text.contains(claim), "\(file.lastPathComponent) says \"\(claim)\"")
            }
        }
    }

    @Test func theCountOutputNamesWhatEachGroupMeans() throws {
        let r = try runAnalyze(["count", "--n", "8", "--k", "3"])
        #expect(r.stdout.contains("paper's count and the combinatorial ceiling"))
        #expect(r.stdout.contains("realizable.* is what the spec's layer can produce"))
        #expect(!r.stdout.contains("the module can express"))
    }
}

/// `analyze dags --realizable`: classification counts checked against the generating functions.
@Suite struct DagsRealizableCommandTests {
    @Test func classifiesEveryDAGOnFourNodes() throws {
        let r = try runAnalyze(["dags", "--k", "4", "--realizable", "--format", "json"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["dags"] as? Int == 543)
        #expect(object["lonesum"] as? Int == 207)
        #expect(object["interval_orders"] as? Int == 207)
        #expect(object["margin_classes"] as? Int == 477)
        #expect(object["lonesum_margin_classes"] as? Int == 207)
        #expect((object["check"] as? [String: Any])?["equal"] as? Bool == true)
    }

    @Test func classesAreFishburnNumbers() throws {
        let r = try runAnalyze(["dags", "--k", "5", "--realizable", "--classes"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("interval orders: 53\n"))
        #expect(r.stdout.contains("realizable.round_dags_up_to_relabeling): 53, equal"))
    }

    @Test func samplingFindsOnlyLonesumPatterns() throws {
        let r = try runAnalyze(["dags", "--k", "2", "--realizable", "--sample", "6400", "--d-g", "2", "--d", "4", "--format", "json"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rounds = try #require(object["rounds"] as? [[String: Any]])
        #expect(rounds.first?["lonesum"] as? Int == 14)
        #expect(rounds.first?["covers_class"] as? Bool == true)
        #expect((rounds.first?["outside"] as? [Any])?.isEmpty == true)
    }

    @Test func badCombinationsAreRejected() throws {
        for args in [["--sample", "10"], ["--realizable", "--one-sink"], ["--realizable", "--sample", "10", "--k", "6"]] {
            let r = try runAnalyze(["dags", "--k", "3"] + args)
            #expect(r.status != 0)
            #expect(!r.stderr.isEmpty)
        }
    }
}
