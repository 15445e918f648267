import Foundation
import Testing

/// The commands on every family judged by transformers (Tests/CheckpointTests/Fixtures/hf,
/// tools/make_hf_fixtures.py): `crosscheck --model --all-layers`, `count --config DIR`,
/// `convert` then `crosscheck` of the converted layer.
@Suite struct FamilyCommandTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CheckpointTests/Fixtures/hf")

    static var families: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func path(_ family: String) -> String { directory.appendingPathComponent(family).path }

    @Test(arguments: families)
    func crosscheckAllLayersPasses(_ family: String) throws {
        let dir = Self.path(family)
        let r = try runAnalyze(["crosscheck", "--model", dir, "--all-layers", "--inputs", dir + "/inputs.safetensors",
                                "--jacobian-tokens", "2", "--format", "json"])
        #expect(r.status == 0, "\(family): \(r.stderr)")
        let json = try ModelCommandFixtures.json(r.stdout)
        #expect(json["pass"] as? Bool == true, "\(family)")
        for layer in try #require(json["layers"] as? [[String: Any]]) {
            let reference = try #require(layer["reference"] as? [String: Any])
            #expect((reference["max_rel"] as? Double ?? 1) <= 1e-4 && reference["topk_mismatches"] as? Int == 0, "\(family)")
        }
    }

    /// `count --config` takes the directory and reads n and k from it.
    @Test(arguments: families)
    func countReadsTheDirectory(_ family: String) throws {
        let r = try runAnalyze(["count", "--config", Self.path(family)])
        #expect(r.status == 0, "\(family): \(r.stderr)")
        #expect(r.stdout.contains("model \(Self.path(family))/config.json"), "\(family)")
    }

    /// A converted layer carries its extensions in the metadata and reads back as the same block.
    @Test(arguments: ["gpt_oss_mxfp4", "llama4_text", "phimoe", "deepseek_v3_fp8"])
    func convertedLayerCrosschecks(_ family: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("conv-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let c = try runAnalyze(["convert", "--model", Self.path(family), "--layer", "1", "-o", out])
        #expect(c.status == 0, "\(family): \(c.stderr)")
        #expect(c.stdout.contains("extensions:"), "\(family)")
        let r = try runAnalyze(["crosscheck", out, "--jacobian-tokens", "1"])
        #expect(r.status == 0, "\(family): \(r.stderr)")
    }
}
