import Testing
import BigInt
@testable import Combinatorics

/// The equivalence searches against hand-derivable values and a linear scan.
@Suite struct EquivalenceTests {
    @Test func expertsByHand() {
        // C(n′, 1) = n′: the answer is the target itself.
        #expect(equivalentExperts(k: 1, target: 17) == 17)
        // C(n′, 2) ≥ 10: C(5,2) = 10.  ≥ 11: C(6,2) = 15.
        #expect(equivalentExperts(k: 2, target: 10) == 5)
        #expect(equivalentExperts(k: 2, target: 11) == 6)
        // Never below k: C(3,3) = 1 ≥ 1.
        #expect(equivalentExperts(k: 3, target: 1) == 3)
    }

    @Test func expertsAgreeWithLinearScan() {
        for k in 1...6 {
            for target in [1, 2, 9, 100, 12345, 999_999] {
                var n = k
                while BigInt.binomial(n, k) < BigInt(target) { n += 1 }
                #expect(equivalentExperts(k: k, target: BigInt(target)) == BigInt(n), "k \(k) target \(target)")
            }
        }
    }

    @Test func granularityByHand() {
        // n = 4, k = 2, target 6·3 = 18: C(4,2) = 6, C(8,4) = 70 → g = 2.
        #expect(equivalentGranularity(n: 4, k: 2, target: 18) == 2)
        #expect(equivalentGranularity(n: 4, k: 2, target: 6) == 1)
        #expect(equivalentGranularity(n: 4, k: 2, target: 71) == 3)   // C(12,6) = 924
        #expect(equivalentGranularity(n: 5, k: 5, target: 3) == nil)
        #expect(equivalentGranularity(n: 5, k: 5, target: 1) == 1)
    }

    @Test func granularityAgreesWithLinearScan() {
        for (n, k) in [(8, 2), (16, 4), (64, 8), (9, 8)] {
            let target = BigInt.binomial(n, k) * labeledDAGCounts(upTo: k)[k]
            var g = 1
            while BigInt.binomial(g * n, g * k) < target { g += 1 }
            #expect(equivalentGranularity(n: n, k: k, target: target) == g, "n \(n) k \(k)")
        }
    }
}
