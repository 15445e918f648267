import LinearAlgebra
import Testing
@testable import MoE

/// The training initialisation (the seeded stream itself is tested in LinearAlgebraTests).
@Suite struct InitializationTests {
    @Test func initialisationFollowsTheSpec() {
        let config = LayerTestSupport.config(norm: .layernorm, shared: true, rounds: 2)
        let p = Parameters<Double>(initializing: config, seed: 5)
        let q = Parameters<Double>(initializing: config, seed: 5)
        let other = Parameters<Double>(initializing: config, seed: 6)
        let single = Parameters<Float>(initializing: config, seed: 5)
        for (name, shape) in config.parameterShapes {
            let data = p[name].data
            #expect(p[name].shape == shape)
            #expect(data == q[name].data, "\(name) is not deterministic")
            #expect(single[name].data == data.map { Float($0) }, "\(name): Float init is not the rounded Double init")
            if name.hasSuffix("up.weight") || name.hasSuffix("norm.bias") {
                #expect(data.allSatisfy { $0 == 0 }, "\(name)")
            } else if name.hasSuffix("norm.weight") {
                #expect(data.allSatisfy { $0 == 1 }, "\(name)")
            } else {
                let fanIn = name.hasSuffix("edge.bias") ? 2 * config.dG : shape[shape.count - 1]
                let bound = 1 / Double(fanIn).squareRoot()
                #expect(data.allSatisfy { abs($0) <= bound }, "\(name) outside ±\(bound)")
                #expect(data != other[name].data, "\(name) does not depend on the seed")
            }
        }
    }
}
