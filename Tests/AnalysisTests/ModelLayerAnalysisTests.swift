import Analysis
import Checkpoint
import Foundation
import Testing

/// The model fixtures of Tests/CheckpointTests (tools/make_model_fixtures.py): tiny models
/// written by transformers, with each MoE block's input and output in reference.safetensors.
@Suite struct ModelLayerAnalysisTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CheckpointTests/Fixtures/models")
    static let names = ["mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_moe", "deepseek_v2"]

    /// Every MoE layer of every fixture reproduces transformers' block output from the one
    /// forward pass, selects the same experts, and stays within the weighted-sum bound.
    @Test(arguments: names)
    func everyLayerReproducesTheReference(name: String) throws {
        let directory = Self.models.appendingPathComponent(name).path
        let model = try ModelLayout(directory: directory)
        let inputs = try ModelInputsFile(path: directory + "/reference.safetensors")
        for layer in model.config.moeLayers {
            let a = try ModelLayerAnalysis(model: model, layer: layer, source: .file(inputs), jacobianTokens: 2,
                                           rankRtol: 1e-10, tolerance: ModelReferenceCheck.defaultTolerance,
                                           maxTokens: 1 << 20)
            let reference = try #require(a.reference)
            #expect(reference.maxRel < 1e-6 && reference.topkMismatches == 0, "\(name) layer \(layer)")
            #expect(a.jacobian?.verdict == .weightedSum && !a.mappingBug && a.pass)
            #expect(a.structure.tokens == reference.tokens)
        }
    }

    /// Random tokens when there is no inputs file: no reference, the stated source.
    @Test func randomTokensHaveNoReference() throws {
        let model = try ModelLayout(directory: Self.models.appendingPathComponent("mixtral").path)
        let a = try ModelLayerAnalysis(model: model, layer: 0, source: .random(count: 6, seed: 2), jacobianTokens: 0,
                                       rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 1 << 20)
        #expect(a.reference == nil && a.jacobian == nil)
        #expect(a.inputs == "6 random N(0, 1) tokens, seed 2" && a.structure.tokens == 6)
    }

    /// An inputs file past the token limit is refused from its header.
    @Test func inputsPastTheLimitAreRefused() throws {
        let directory = Self.models.appendingPathComponent("mixtral").path
        let model = try ModelLayout(directory: directory)
        let inputs = try ModelInputsFile(path: directory + "/reference.safetensors")
        #expect(throws: AnalysisError.self) {
            try ModelLayerAnalysis(model: model, layer: 0, source: .file(inputs), jacobianTokens: 0,
                                   rankRtol: 1e-10, tolerance: 1e-4, maxTokens: 2)
        }
    }
}
