import Foundation
import Testing

/// `analyze count` output as data: the same keys for every k (null where not computed), a
/// one-row --k-range that is still a range, CSV cells that parse as numbers, and a text range
/// table that fits the terminal.
@Suite struct CountDataTests {
    /// Every key path of a JSON value ("dags.depth_at_most.3"), arrays by position.
    static func keyPaths(_ value: Any, prefix: String = "") -> Set<String> {
        if let object = value as? [String: Any] {
            return object.reduce(into: Set<String>()) { paths, pair in
                let path = prefix.isEmpty ? pair.key : prefix + "." + pair.key
                paths.insert(path)
                if pair.key != "notes" { paths.formUnion(keyPaths(pair.value, prefix: path)) }
            }
        }
        return []
    }

    static func json(_ arguments: [String]) throws -> Any {
        let r = try runAnalyze(["count"] + arguments + ["--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    @Test func everyKeyIsPresentWithNullWhereNotComputed() throws {
        let small = try #require(try CountDataTests.json(["--n", "100", "--k", "3"]) as? [String: Any])
        // k = 81: past the limits of dags.unlabeled (30), module orbits (40) and depth_at_most (80).
        let large = try #require(try CountDataTests.json(["--n", "100", "--k", "81"]) as? [String: Any])
        #expect(CountDataTests.keyPaths(small) == CountDataTests.keyPaths(large))
        let dags = try #require(large["dags"] as? [String: Any])
        #expect(dags["unlabeled"] is NSNull)
        let depth = try #require(dags["depth_at_most"] as? [String: Any])
        #expect(Set(depth.keys) == ["1", "2", "3", "4"] && depth.values.allSatisfy { $0 is NSNull })
        let orbits = try #require(large["module_patterns_up_to_relabeling"] as? [String: Any])
        #expect(Set(orbits.keys) == ["1", "2", "3", "4"] && orbits.values.allSatisfy { $0 is NSNull })
    }

    @Test func depthAtLeastKMinusOneIsEveryDAG() throws {
        // k = 4: 543 labeled DAGs, every one of depth ≤ 3; 2...4 the brute-force tallies of DAGBruteForceTests.
        let object = try #require(try CountDataTests.json(["--n", "8", "--k", "4", "--max-depth", "5"]) as? [String: Any])
        let dags = try #require(object["dags"] as? [String: Any])
        #expect(dags["labeled"] as? String == "543")
        let depth = try #require(dags["depth_at_most"] as? [String: String])
        #expect(depth["3"] == "543" && depth["4"] == "543" && depth["5"] == "543")
        #expect(depth["1"] != "543" && depth["2"] != "543")
        let text = try runAnalyze(["count", "--n", "8", "--k", "2"]).stdout
        #expect(text.split(separator: "\n").contains { $0.split(separator: " ") == ["dags.depth_at_most.4", "3", "0.477"] })
    }

    @Test func oneRowRangeIsARange() throws {
        let array = try #require(try CountDataTests.json(["--n", "100", "--k-range", "5...5"]) as? [[String: Any]])
        #expect(array.count == 1 && array[0]["k"] as? Int == 5)
        let single = try CountDataTests.json(["--n", "100", "--k", "5"])
        #expect(single is [String: Any])
        let csv = try runAnalyze(["count", "--n", "100", "--k-range", "5...5", "--format", "csv"]).stdout
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("k,weighted_sum,") && lines[1].hasPrefix("5,75287520,"))
    }

    /// Every cell after the first column is empty or a number Double() reads (no separators, no words).
    static func expectNumericCSV(_ csv: String, skipFirstColumn: Bool) {
        let lines = csv.split(separator: "\n")
        #expect(!csv.contains("\""))
        let width = lines[0].split(separator: ",", omittingEmptySubsequences: false).count
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(cells.count == width, "\(line.prefix(80))")
            for cell in cells.dropFirst(skipFirstColumn ? 1 : 0) where !cell.isEmpty {
                #expect(Double(cell) != nil, "cell '\(cell.prefix(40))' in \(line.prefix(40))")
            }
        }
    }

    @Test(arguments: [["--k", "90"], ["--k", "3"], ["--k-range", "1...6"], ["--k-range", "40...42"]])
    func csvCellsAreNumbers(arguments: [String]) throws {
        let r = try runAnalyze(["count", "--n", "100", "--format", "csv"] + arguments)
        #expect(r.status == 0)
        CountDataTests.expectNumericCSV(r.stdout, skipFirstColumn: arguments[0] == "--k")
    }

    @Test func rangeTextTableFitsAHundredColumns() throws {
        let r = try runAnalyze(["count", "--n", "1000", "--k-range", "1...20"])
        let table = r.stdout.split(separator: "\n").prefix { !$0.hasPrefix("note:") }
        #expect(table.count > 20)
        for line in table { #expect(line.count <= 100, "\(line.count): \(line.prefix(60))") }
        #expect(r.stdout.contains("--format csv or json"))
        // equivalent_experts is a number of experts: its value, not its log10.
        let block = table.drop { !$0.split(separator: " ").contains("equivalent_experts") }
        let column = try #require(block.first?.split(separator: " ").firstIndex(of: "equivalent_experts"))
        let kOne = try #require(block.first { $0.split(separator: " ").first == "1" })
        #expect(kOne.split(separator: " ")[column] == "1000")
    }
}
