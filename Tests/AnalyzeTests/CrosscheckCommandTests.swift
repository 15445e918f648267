import Checkpoint
import Foundation
import Testing
import TestSupport

/// The PyTorch fixtures committed under Tests/MoETests/Fixtures (tools/make_fixtures.py).
enum CrosscheckFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("MoETests/Fixtures")

    static var paths: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().map { directory.appendingPathComponent($0).path }
    }

    static func path(_ prefix: String) throws -> String {
        try #require(paths.first { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix(prefix) })
    }

    /// The file's bytes, header length and parsed header.
    static func read(_ path: String) throws -> (bytes: [UInt8], length: Int, header: [String: Any]) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        return (bytes, length, header)
    }

    /// The byte range of F32 tensor `name` in the file.
    static func range(_ file: (bytes: [UInt8], length: Int, header: [String: Any]), _ name: String) throws -> Range<Int> {
        let entry = try #require(file.header[name] as? [String: Any])
        let offsets = try #require(entry["data_offsets"] as? [Int])
        return (8 + file.length + offsets[0])..<(8 + file.length + offsets[1])
    }

    /// The values of F32 tensor `name`.
    static func floats(_ path: String, _ name: String) throws -> [Float] {
        let file = try read(path)
        let r = try range(file, name)
        return stride(from: r.lowerBound, to: r.upperBound, by: 4).map { i in
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(file.bytes[i + $1]) << (8 * $1) })
        }
    }

    /// The values of I64 tensor `name`.
    static func int64s(_ path: String, _ name: String) throws -> [Int64] {
        let file = try read(path)
        let r = try range(file, name)
        return stride(from: r.lowerBound, to: r.upperBound, by: 8).map { i in
            Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(file.bytes[i + $1]) << (8 * $1) })
        }
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("crosscheck-\(UUID()).safetensors").path
    }

    /// A temporary copy of `path` with `change` applied to the F32 values of tensor `name`.
    static func tampered(_ path: String, tensor name: String, _ change: (inout [Float]) -> Void) throws -> String {
        var file = try read(path)
        let r = try range(file, name)
        var values = try floats(path, name)
        change(&values)
        for (i, v) in values.enumerated() {
            for b in 0..<4 { file.bytes[r.lowerBound + 4 * i + b] = UInt8(truncatingIfNeeded: v.bitPattern >> (8 * b)) }
        }
        let out = temporaryPath()
        try Data(file.bytes).write(to: URL(fileURLWithPath: out))
        return out
    }

    /// A temporary copy of `path` whose header lists no ref.* tensor (their bytes stay, as a gap).
    static func withoutReferences(_ path: String) throws -> String {
        let file = try read(path)
        let kept = file.header.filter { !$0.key.hasPrefix("ref.") }
        var header = [UInt8](try JSONSerialization.data(withJSONObject: kept))
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) }
        bytes += header + file.bytes[(8 + file.length)...]
        let out = temporaryPath()
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        return out
    }

    static func json(_ stdout: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    }
}

@Suite struct CrosscheckCommandTests {
    @Test func everyCommittedFixturePasses() throws {
        let paths = CrosscheckFixtures.paths
        #expect(paths.count >= 6)
        for path in paths {
            let r = try runAnalyze(["crosscheck", path, "--format", "json", "--jacobian-tokens", "2"])
            #expect(r.status == 0, "\(path): \(r.stderr)")
            let json = try CrosscheckFixtures.json(r.stdout)
            #expect(json["pass"] as? Bool == true)
            let tensors = try #require(json["tensors"] as? [[String: Any]])
            #expect(tensors.count > 10)
            #expect(tensors.allSatisfy { $0["ok"] as? Bool == true })
        }
    }

    @Test func tamperedFixtureFailsWithExitOne() throws {
        let source = try CrosscheckFixtures.path("trained_l2")
        let path = try CrosscheckFixtures.tampered(source, tensor: "ref.grad.dag.1.edge.weight") { $0[2] += 0.05 }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path, "--jacobian-tokens", "0"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL: 1 of "))
        #expect(r.stdout.contains("ref.grad.dag.1.edge.weight"))
        #expect(r.stderr == "analyze: crosscheck FAILED: 1 tensor(s) outside tolerance: ref.grad.dag.1.edge.weight\n")
        let json = try CrosscheckFixtures.json(try runAnalyze(["crosscheck", path, "--format", "json"]).stdout)
        #expect(json["pass"] as? Bool == false)
    }

    @Test func textReportShowsTableAndVerdict() throws {
        let r = try runAnalyze(["crosscheck", try CrosscheckFixtures.path("random_l1"), "--jacobian-tokens", "3"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("tensor ") && $0.contains("max_abs") && $0.contains("max_rel") })
        #expect(lines.contains { $0.hasPrefix("ref.topk ") && $0.hasSuffix("exact  yes") })
        #expect(lines.contains("PASS: 33 of 33 tensors within tolerance"))
        #expect(lines.contains { $0.hasPrefix("verdict: structural (ranks 6…6; weighted-sum bound 2, bound 6)") })
    }

    /// The excess rank meets the theory: L = 0 gives rank K (softmax_topk), and generic
    /// random and trained DAG layers reach the bound min(d, L·d_g + K − 1 or K).
    @Test func excessRanksMatchTheBounds() throws {
        let expected: [(String, Int, Int, String)] = [
            ("random_l0", 2, 2, "weighted-sum"), ("random_l1", 2, 6, "structural"),
            ("random_l2", 2, 8, "structural"), ("random_l3", 2, 8, "structural"),
            ("trained_l1", 2, 6, "structural"), ("trained_l2", 2, 10, "structural"),
        ]
        for (prefix, wsBound, bound, verdict) in expected {
            let r = try runAnalyze(["crosscheck", try CrosscheckFixtures.path(prefix), "--format", "json",
                                    "--jacobian-tokens", "4"])
            let jacobian = try #require(try CrosscheckFixtures.json(r.stdout)["jacobian"] as? [String: Any])
            #expect(jacobian["weighted_sum_bound"] as? Int == wsBound, "\(prefix)")
            #expect(jacobian["bound"] as? Int == bound, "\(prefix)")
            #expect(jacobian["excess_ranks"] as? [Int] == [Int](repeating: bound, count: 4), "\(prefix)")
            #expect(jacobian["verdict"] as? String == verdict, "\(prefix)")
            // A clear decision: where the rank is not full, σ_r/σ_r+1 is at least 1e6.
            for gap in (jacobian["gaps"] as? [Any]) ?? [] { if let g = gap as? Double { #expect(g > 1e6) } }
        }
    }

    /// Structure statistics against values computed here from the file's own ref tensors.
    @Test func structureStatisticsAgreeWithTheReference() throws {
        let path = try CrosscheckFixtures.path("random_l3")
        let json = try CrosscheckFixtures.json(try runAnalyze(["crosscheck", path, "--format", "json"]).stdout)
        let structure = try #require(json["structure"] as? [String: Any])
        let t = 6, k = 3, l = 3, n = 4
        #expect(structure["tokens"] as? Int == t)
        #expect(structure["possible_patterns"] as? Int == 1 << (l * k * k))
        let means = try #require(structure["edge_gate_mean"] as? [Double])
        let histograms = try #require(structure["edge_gate_histogram"] as? [[Int]])
        var tokenPatterns = [[Bool]](repeating: [], count: t)
        for round in 0..<l {
            let edges = try CrosscheckFixtures.floats(path, "ref.edge_gates.\(round)")
            #expect(abs(means[round] - Double(edges.reduce(0, +)) / Double(edges.count)) < 1e-6)
            #expect(histograms[round].reduce(0, +) == t * k * k)
            for token in 0..<t { tokenPatterns[token] += edges[(token * k * k)..<((token + 1) * k * k)].map { $0 > 0.5 } }
        }
        #expect(structure["distinct_patterns"] as? Int == Set(tokenPatterns).count)
        let utilization = try #require(structure["expert_utilization"] as? [Double])
        #expect(utilization.count == n)
        let topk = try CrosscheckFixtures.int64s(path, "ref.topk")
        for e in 0..<n {
            #expect(abs(utilization[e] - Double(topk.count { $0 == e }) / Double(t * k)) < 1e-12)
        }
    }

    @Test func weightsOnlyFileIsAnalysedWithRandomTokens() throws {
        let path = try CrosscheckFixtures.withoutReferences(try CrosscheckFixtures.path("random_l1"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path, "--tokens", "5", "--seed", "2", "--format", "json", "--jacobian-tokens", "2"])
        #expect(r.status == 0)
        let json = try CrosscheckFixtures.json(r.stdout)
        #expect(json["pass"] is NSNull)
        #expect((json["tensors"] as? [Any])?.isEmpty == true)
        #expect(json["inputs"] as? String == "5 random N(0, 1) tokens, seed 2")
        #expect((json["structure"] as? [String: Any])?["tokens"] as? Int == 5)
        #expect((json["jacobian"] as? [String: Any])?["excess_ranks"] as? [Int] == [6, 6])
        let text = try runAnalyze(["crosscheck", path])
        #expect(text.stdout.contains("no ref.x: nothing to compare (analysis only)"))
        #expect(text.stdout.contains("Structure on 64 tokens (64 random N(0, 1) tokens, seed 0)"))
    }

    @Test func badInputsAreOneLineErrors() throws {
        let missing = try runAnalyze(["crosscheck", "/nonexistent/layer.safetensors"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("analyze: cannot read /nonexistent/layer.safetensors"))
        #expect(missing.stderr.filter { $0 == "\n" }.count == 1)

        let source = try CrosscheckFixtures.path("random_l0")
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: truncated) }
        try Data(try Data(contentsOf: URL(fileURLWithPath: source)).prefix(300)).write(to: truncated)
        let broken = try runAnalyze(["crosscheck", truncated.path])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("reaches past the end of the 300-byte file"))

        let precision = try runAnalyze(["crosscheck", source, "--precision", "half"])
        #expect(precision.status == 64)
        #expect(precision.stderr.contains("--precision must be float64 or float32"))
    }
}

/// crosscheck's CSV is data: numbers in numeric columns, the shape one column per dimension.
@Suite struct CrosscheckCSVTests {
    @Test func everyCellParses() throws {
        let path = try #require(CrosscheckFixtures.paths.first)
        let r = try runAnalyze(["crosscheck", path, "--format", "csv", "--jacobian-tokens", "0"])
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(r.status == 0 && rows.count > 2)
        let header = try #require(rows.first)
        #expect(header.first == "tensor" && header.suffix(6) == ["max_abs", "max_rel", "tolerance", "exact", "mismatches", "ok"])
        let dims = header.count - 7
        #expect(dims >= 2 && header[1...dims] == ArraySlice((0..<dims).map { "dim\($0)" }))
        for row in rows.dropFirst() {
            #expect(row.count == header.count)
            for c in 1...dims where !row[c].isEmpty { #expect(Int(row[c]) != nil, "\(row)") }
            #expect(Double(row[dims + 1]) != nil && Double(row[dims + 2]) != nil, "\(row)")
            #expect(row[dims + 4] == "true" ? row[dims + 3].isEmpty && Int(row[dims + 5]) != nil
                    : Double(row[dims + 3]) != nil && row[dims + 5].isEmpty, "\(row)")
            #expect(row[dims + 6] == "true")
        }
        #expect(rows.contains { $0[0] == "ref.topk" && $0[dims + 4] == "true" && $0[dims + 5] == "0" })
    }
}

/// A chain checkpoint (iteration 0 in the spec's names, `chain.1.*` beside it): the verdict
/// says it covers iteration 0 only.
@Suite struct ChainVerdictTests {
    @Test func verdictSaysIterationZeroOnly() throws {
        let source = try SafeTensorsFile(path: try CrosscheckFixtures.path("random_l0"))
        var writer = SafeTensorsWriter(metadata: source.metadata)
        for name in source.names {
            let info = try source.info(name)
            if info.dtype.isFloat {
                try writer.add(name, shape: info.shape, doubles: try source.doubles(name), as: .f64)
            } else {
                try writer.add(name, shape: info.shape, int64s: try source.int64s(name))
            }
        }
        let router = try source.info("router.weight")
        try writer.add("chain.1.router.weight", shape: router.shape, doubles: try source.doubles("router.weight"), as: .f64)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chain-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writer.write(to: path)
        let r = try runAnalyze(["crosscheck", path, "--jacobian-tokens", "2"])
        #expect(r.stdout.contains("verdict: weighted-sum for iteration 0 only (chain.1 not analysed)"), "\(r.stdout)")
        let json = try runAnalyze(["crosscheck", path, "--jacobian-tokens", "2", "--format", "json"]).stdout
        #expect(json.contains("\"chain_iterations\": 2") && json.contains("\"iterations_analysed\": 1"))
    }
}

