import Foundation
import Testing
import TestSupport

/// `crosscheck --model --shard i/N` then `analyze report`: the merge is exactly `--all-layers`.
@Suite struct ShardReportTests {
    static let model = ModelCommandFixtures.path("qwen2_moe")
    static let common = ["--tokens", "6", "--jacobian-tokens", "2"]

    /// Writes shard i of n as JSON into `directory`; returns its path.
    static func shard(_ i: Int, of n: Int, in directory: String, extra: [String] = []) throws -> String {
        let r = try runAnalyze(["crosscheck", "--model", model, "--all-layers", "--shard", "\(i)/\(n)", "--format", "json"]
                               + common + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let path = directory + "/shard-\(i)-of-\(n).json"
        try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("analyze-shards-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Three shards of two layers (one empty), merged in any order, in every format.
    @Test func mergeEqualsAllLayers() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shards = try (0..<3).map { try Self.shard($0, of: 3, in: dir) }
        for format in ["text", "json", "csv", "markdown"] {
            let all = try runAnalyze(["crosscheck", "--model", Self.model, "--all-layers", "--format", format] + Self.common)
            let merged = try runAnalyze(["report", "--format", format] + shards.reversed())
            #expect(all.status == 0 && merged.status == 0, "\(merged.stderr)")
            #expect(merged.stdout == all.stdout, "\(format)")
        }
        // --layers selects the same rows as the shards.
        let one = try runAnalyze(["crosscheck", "--model", Self.model, "--layers", "1-1", "--format", "json"] + Self.common)
        let shard = try runAnalyze(["crosscheck", "--model", Self.model, "--all-layers", "--shard", "1/2", "--format", "json"]
                                   + Self.common)
        #expect(one.stdout == shard.stdout && one.stdout.contains("\"layer\": 1,"))
    }

    /// Overlapping, missing and foreign shards are refused with one line naming the problem.
    @Test func badSetsAreRefused() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try Self.shard(0, of: 2, in: dir), b = try Self.shard(1, of: 2, in: dir)
        let whole = try Self.shard(0, of: 1, in: dir)
        let foreign = dir + "/foreign.json"
        try String(contentsOfFile: b, encoding: .utf8).replacingOccurrences(of: "\"config_hash\": \"", with: "\"config_hash\": \"0")
            .write(toFile: foreign, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            ([a], "missing MoE layer(s) 1: no shard holds them"),
            ([a, whole], "layer 0 is in both \(a) and \(whole)"),
            ([a, foreign], "\(foreign) and \(a) are of different models: their config_hash differ"),
            ([ModelCommandFixtures.path("qwen2_moe") + "/config.json"], "no 'config_hash'"),
        ]
        for (files, message) in cases {
            let r = try runAnalyze(["report"] + files)
            expectOneLineError(r, message, "report \(files)")
            #expect(r.status == 1 && r.stdout.isEmpty)
        }
    }
}
