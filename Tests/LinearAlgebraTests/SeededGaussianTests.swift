import Foundation
import Testing
@testable import LinearAlgebra

@Suite struct SeededGaussianTests {
    /// PortableMath agrees with the platform's libm to a couple of ulps.
    @Test func portableMathMatchesLibm() {
        var g = SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let u = Double(g.next() >> 11) * 0x1p-53
            let x = u == 0 ? 0x1p-53 : u
            #expect(abs(PortableMath.log(x) - Foundation.log(x)) <= 4 * abs(Foundation.log(x)).ulp + 1e-300)
            let (s, c) = PortableMath.sinCosTwoPi(u)
            // 2π·u itself is rounded (up to 4.4e-16 · 2π), so libm is only a reference to about 2e-15 here.
            #expect(abs(s - sin(2 * .pi * u)) <= 2e-15 && abs(c - cos(2 * .pi * u)) <= 2e-15)
        }
        #expect(PortableMath.log(1) == 0)
        #expect(abs(PortableMath.log(1e-300) - Foundation.log(1e-300)) < 1e-12)
    }

    /// The first samples for seed 42, from tools/rank_reference.py's independent Python copy of the
    /// generator (math.log, math.cos, math.sin); they also pin the stream against accidental change.
    @Test func matchesPythonReference() {
        var g = SeededGaussian(seed: 42)
        let want = [0.4147197504315305, 0.6526812221519427, -0.8918862136277562, 1.3268335628141064, 1.7295930879374015, -1.883416788902816]
        for w in want { #expect(abs(g.next() - w) <= 1e-15 * max(1, abs(w))) }
        var splitmix = SplitMix64(seed: 42)
        #expect(splitmix.next() == 13_679_457_532_755_275_413)
    }

    /// Mean 0 and variance 1 within sampling error for 20 000 samples.
    @Test func moments() {
        var g = SeededGaussian(seed: 3)
        let xs = (0..<20_000).map { _ in g.next() }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)
        #expect(abs(mean) < 4 / Double(xs.count).squareRoot())
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
