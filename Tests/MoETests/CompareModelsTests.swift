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
}
