import Analysis
import Checkpoint
import Foundation
import Testing

/// Which families the streamed path computes (docs/model-layouts.md lists them); every other
/// family is read whole. A family whose router or experts the streamed path does not implement
/// must never be streamed: its outputs would be wrong.
@Suite struct StreamedFamiliesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CheckpointTests/Fixtures/hf")

    static let streamed: Set<String> = [
        "mixtral", "minimax", "qwen2_moe", "qwen3_moe", "qwen3_next", "qwen3_5_moe", "qwen3_5_moe_text", "olmoe",
        "deepseek_v2", "granitemoe", "granitemoeshared", "hunyuan_v1_moe",
    ]

    @Test func onlyPlainFamiliesAreStreamed() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).sorted()
        #expect(names.count >= 20)
        for name in names {
            let model = try ModelLayout(directory: Self.fixtures.appendingPathComponent(name).path)
            let streams = ModelLayerAnalysis.streams(model.config.layerConfig())
            #expect(streams == Self.streamed.contains(name), "\(name): streams \(streams)")
        }
    }
}
