import Foundation
import Testing
@testable import LinearAlgebra

/// The project's one random stream against published and independently computed values.
@Suite struct SeededRandomTests {
    /// SplitMix64 from seed 0 starts 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F
    /// (Vigna's reference splitmix64.c); a uniform is the top 53 bits of one draw times 2⁻⁵³.
    @Test func bitsAndUniformsMatchTheReference() {
        var rng = SeededRandom(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(rng.nextUniform() == Double(UInt64(0x06C4_5D18_8009_454F) >> 11) * 0x1p-53)
        #expect(rng.nextUniform(-3, 5) >= -3)
        var again = SeededRandom(seed: 42)
        #expect(again.next() == 13_679_457_532_755_275_413)
    }

    /// PortableMath agrees with the platform's libm to a couple of ulps.
    @Test func portableMathMatchesLibm() {
        var g = SeededRandom(seed: 11)
        for _ in 0..<2000 {
            let u = g.nextUniform()
            let x = u == 0 ? 0x1p-53 : u
            #expect(abs(PortableMath.log(x) - Foundation.log(x)) <= 4 * abs(Foundation.log(x)).ulp + 1e-300)
            let (s, c) = PortableMath.sinCosTwoPi(u)
            // 2π·u itself is rounded (up to 4.4e-16 · 2π), so libm is only a reference to about 2e-15 here.
            #expect(abs(s - sin(2 * .pi * u)) <= 2e-15 && abs(c - cos(2 * .pi * u)) <= 2e-15)
        }
        #expect(PortableMath.log(1) == 0)
        #expect(abs(PortableMath.log(1e-300) - Foundation.log(1e-300)) < 1e-12)
    }

    /// The first normals for seed 42, from tools/rank_reference.py's independent Python copy of the
    /// stream (math.log, math.cos, math.sin); they also pin the stream against accidental change.
    @Test func normalsMatchPythonReference() {
        var g = SeededRandom(seed: 42)
        let want = [0.4147197504315305, 0.6526812221519427, -0.8918862136277562, 1.3268335628141064, 1.7295930879374015, -1.883416788902816]
        for w in want { #expect(abs(g.nextNormal() - w) <= 1e-15 * max(1, abs(w))) }
    }

    /// A normal pair is r·cos 2πu₂ then r·sin 2πu₂ from two draws; draws in between leave the sine
    /// half in place (computed here from the bits with libm; 2π·u₂ itself rounds, so to 4e-15·r).
    @Test func boxMullerPairAndSpare() {
        var bits = SeededRandom(seed: 3)
        let b1 = bits.next(), b2 = bits.next(), b3 = bits.next()
        let u1 = (Double(b1 >> 11) + 1) * 0x1p-53, u2 = Double(b2 >> 11) * 0x1p-53
        let r = (-2 * Foundation.log(u1)).squareRoot()
        var rng = SeededRandom(seed: 3)
        #expect(abs(rng.nextNormal() - r * cos(2 * .pi * u2)) < 4e-15 * max(1, r))
        #expect(rng.next() == b3)
        #expect(abs(rng.nextNormal() - r * sin(2 * .pi * u2)) < 4e-15 * max(1, r))
    }

    /// Uniforms in [0, 1) with mean ½; normals with mean 0 and variance 1, within sampling error.
    @Test func moments() {
        var g = SeededRandom(seed: 7)
        let n = 20_000
        let u = (0..<n).map { _ in g.nextUniform() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(u.reduce(0, +) / Double(n) - 0.5) < 4 * (1.0 / 12 / Double(n)).squareRoot())
        let xs = (0..<n).map { _ in g.nextNormal() }
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        #expect(abs(mean) < 4 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 0.05)
    }

    @Test func randomExpertsAreReproducibleAndScaled() {
        let a = LinearExperts.random(count: 3, dimension: 16, seed: 9)
        let b = LinearExperts.random(count: 3, dimension: 16, seed: 9)
        #expect(a.matrices == b.matrices)
        #expect(a.matrices != LinearExperts.random(count: 3, dimension: 16, seed: 10).matrices)
        // E‖W‖_F² = d² · (1/d) = d.
        let meanSquare = a.matrices.map { $0.frobeniusNorm * $0.frobeniusNorm }.reduce(0, +) / 3
        #expect(abs(meanSquare - 16) < 3)
    }
}
