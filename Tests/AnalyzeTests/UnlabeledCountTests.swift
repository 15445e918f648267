import Foundation
import Testing

/// `analyze count` with the relabeling counts: dags.unlabeled and
/// module_patterns_up_to_relabeling.L in every format, their limits, and the note.
@Suite struct UnlabeledCountTests {
    @Test func textHasBothKeysAndTheNote() throws {
        let r = try runAnalyze(["count", "--n", "16", "--k", "4"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.contains(["dags.unlabeled", "31", "1.491"]))
        #expect(lines.contains(["module_patterns_up_to_relabeling.1", "3044", "3.483"]))
        #expect(r.stdout.contains("permutation-equivariant and, on identical inputs, cannot tell relabelings apart; "
                                  + "different experts make the nodes distinguishable again"))
    }

    @Test func jsonCSVAndMarkdownCarryTheKeys() throws {
        let json = try runAnalyze(["count", "--n", "8", "--k", "3", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["dags"] as? [String: Any])?["unlabeled"] as? String == "6")
        // K = 3: 104 binary relations on 3 unlabeled points for L = 1.
        #expect((object["module_patterns_up_to_relabeling"] as? [String: String])?["1"] == "104")
        #expect((object["notes"] as? [String])?.contains { $0.contains("dags.unlabeled the same structures") } == true)

        let csv = try runAnalyze(["count", "--n", "8", "--k", "5", "--format", "csv"]).stdout
        #expect(csv.contains("\ndags.unlabeled,302,"))
        #expect(csv.contains("\nmodule_patterns_up_to_relabeling.2,"))
        let md = try runAnalyze(["count", "--n", "8", "--k", "2", "--format", "markdown"]).stdout
        #expect(md.contains("| dags.unlabeled | 2 |"))
        #expect(md.contains("| module_patterns_up_to_relabeling.1 | 10 |"))
    }

    @Test func rangeTableHasAColumnEach() throws {
        let r = try runAnalyze(["count", "--n", "16", "--k-range", "1...6", "--format", "csv"])
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = try #require(lines[0].firstIndex(of: "dags.unlabeled"))
        #expect(lines.dropFirst().map { String($0[column]) } == ["1", "2", "6", "31", "302", "5984"])
        #expect(lines[0].contains("module_patterns_up_to_relabeling.4"))
    }

    @Test func pastTheLimitsANoteStandsInTheirPlace() throws {
        let r = try runAnalyze(["count", "--n", "64", "--k", "41", "--format", "json"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((object["dags"] as? [String: Any])?["unlabeled"] is NSNull)
        let orbits = try #require(object["module_patterns_up_to_relabeling"] as? [String: Any])
        #expect(orbits.count == 4 && orbits.values.allSatisfy { $0 is NSNull })
        let notes = try #require(object["notes"] as? [String])
        #expect(notes.contains { $0.hasPrefix("dags.unlabeled is computed for k ≤ 30 only") })
        #expect(notes.contains { $0.hasPrefix("module_patterns_up_to_relabeling is computed for k ≤ 40 only") })
    }
}
