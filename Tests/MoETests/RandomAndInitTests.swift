import LinearAlgebra
import Testing
@testable import MoE

/// The seeded generator against published values, and the training initialisation.
@Suite struct RandomAndInitTests {
    /// SplitMix64 from 0 starts 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4 (Vigna's reference
    /// code); xoshiro256** from those words must then follow its own recurrence, checked by
    /// a second, straightforward implementation.
    @Test func generatorMatchesReferenceRecurrences() {
        var x: UInt64 = 0
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var s = [splitMix(), splitMix(), splitMix(), splitMix()]
        #expect(s[0] == 0xE220_A839_7B1D_CDAF)
        #expect(s[1] == 0x6E78_9E6A_A1B9_65F4)
        func rotl(_ v: UInt64, _ k: UInt64) -> UInt64 { (v << k) | (v >> (64 - k)) }
        var rng = SeededRandom(seed: 0)
        for _ in 0..<100 {
            let want = rotl(s[1] &* 5, 7) &* 9
            let t = s[1] << 17
            s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
            #expect(rng.next() == want)
        }
    }

    @Test func uniformAndNormalMoments() {
        var rng = SeededRandom(seed: 7)
        let n = 20000
        let u = (0..<n).map { _ in rng.nextUniform() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(u.reduce(0, +) / Double(n) - 0.5) < 0.01)
        let z = (0..<n).map { _ in rng.nextNormal() }
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.04)
        var again = SeededRandom(seed: 7)
        #expect((0..<10).map { _ in again.nextUniform() } == Array(u.prefix(10)))
    }

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
