import MoE
import Testing

/// The models `analyze compare` fits, against counts by hand.
@Suite struct CompareModelsTests {
    let base = LayerConfig(dModel: 16, nExperts: 4, topK: 2, dFF: 8, dG: 4, dagLayers: 3, sharedDFF: 7)

    @Test func specsReplaceRoundsAndSharedExpert() {
        let specs = CompareModels.specs(base: base, chainIterations: 3)
        #expect(specs.map(\.name) == ["ws", "ws+shared", "dag L=1", "dag L=2", "chain C=3"])
        #expect(specs.map(\.config.dagLayers) == [0, 0, 1, 2, 0])
        #expect(specs.map(\.iterations) == [1, 1, 1, 1, 3])
        #expect(specs[0].config.sharedDFF == 0 && specs[2].config.sharedDFF == 0)
    }

    /// The shared expert of ws+shared has the width whose 3·d·width scalars come closest to
    /// the L = 2 module's `dag.*` scalars.
    @Test func sharedExpertMatchesTheModule() {
        let specs = CompareModels.specs(base: base, chainIterations: 2)
        let module = ModelSpec.dagParameterCount(specs[3].config)
        let width = specs[1].config.sharedDFF
        for other in [width - 1, width + 1] where other >= 1 {
            #expect(abs(3 * 16 * width - module) <= abs(3 * 16 * other - module))
        }
        // Each parameter count is the sum of its shapes: the shared expert adds exactly 3·d·width.
        #expect(specs[1].parameterCount - specs[0].parameterCount == 3 * 16 * width)
        #expect(specs[3].parameterCount - specs[0].parameterCount == module)
    }

    /// FLOPs per token by hand for d = 16, N = 4, K = 2, d_ff = 8, d_g = 4: the router 4·16 and
    /// two experts 2·3·16·8 multiply-adds (832); a round 2·16 + 2·2·16·4 + 2·2·(4 + 16) + 4·4 = 384.
    @Test func flopsPerTokenAgainstAHandCount() {
        let specs = CompareModels.specs(base: base, chainIterations: 3)
        #expect(specs[0].flopsPerToken == 2 * 832)
        #expect(specs[2].flopsPerToken == 2 * (832 + 384))
        #expect(specs[3].flopsPerToken == 2 * (832 + 2 * 384))
        #expect(specs[4].flopsPerToken == 2 * 3 * 832)
        // The bilinear scorer adds K·d_g² + K²·d_g = 32 + 16 per round.
        let bilinear = CompareModels.specs(base: base, chainIterations: 3, edgeScorer: .bilinear)
        #expect(bilinear[3].flopsPerToken == 2 * (832 + 2 * (384 + 48)))
        #expect(bilinear[3].config.extensions.edgeScorer == .bilinear && bilinear[1].config.extensions.isEmpty)
    }

    /// `--match flops`: the module's 768 multiply-adds per token buy a shared expert of width
    /// 768 / (3·16) = 16, so the pair has equal FLOPs; matched by parameters the width differs.
    @Test func matchingFlopsGivesTheBaselineTheModulesCompute() throws {
        let specs = CompareModels.specs(base: base, chainIterations: 2, matching: .flops)
        let pair = try #require(CompareModels.matchedPair(specs))
        #expect(pair.dag == 3 && pair.baseline == 1)
        #expect(specs[pair.baseline].config.sharedDFF == 16)
        #expect(specs[pair.baseline].flopsPerToken == specs[pair.dag].flopsPerToken)
        let byParams = CompareModels.specs(base: base, chainIterations: 2, matching: .params)
        // 2 rounds of 16 + 2·4·16 + 2·4 + 1 + 2·16 = 185 weights: 370 / 48 → 8.
        #expect(byParams[pair.baseline].config.sharedDFF == 8)
        // A depth sweep point: one DAG model, the baseline matched to it.
        let deep = CompareModels.specs(base: base, chainIterations: 2, matching: .flops, depths: [4])
        #expect(deep.map(\.name) == ["ws", "ws+shared", "dag L=4", "chain C=2"])
        #expect(deep[1].config.sharedDFF == 4 * 384 / 48)
    }
}
