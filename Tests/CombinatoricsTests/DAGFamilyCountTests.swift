import Testing
import BigInt
@testable import Combinatorics

/// The DAG families against OEIS terms; brute force over all DAGs is in DAGBruteForceTests.
@Suite struct DAGFamilyCountTests {
    let a = labeledDAGCounts(upTo: 9)

    @Test func oneSourceMatchesA003025() {
        let known = [1, 2, 15, 316, 16885, 2_174_586, 654_313_415, 450_179_768_312]
        #expect((1...8).map { dagsWithExactSources($0, sources: 1, labeled: a).asInt } == known)
    }

    @Test func exactSourceCountsSumToAllDAGs() {
        for n in 1...9 {
            let total = (1...n).reduce(BigInt(0)) { $0 + dagsWithExactSources(n, sources: $1, labeled: a) }
            #expect(total == a[n])
        }
    }

    @Test func weaklyConnectedMatchesA082402() {
        let known = [0, 1, 2, 18, 446, 26430, 3_596_762, 1_111_506_858, 774_460_794_326]
        #expect(weaklyConnectedDAGCounts(labeled: Array(a.prefix(9))).map(\.asInt) == known)
    }

    @Test func depthLimitsReachAllDAGsAndStartWithBipartiteCounts() {
        // Longest path ≤ n − 1 edges holds for every DAG on n nodes.
        for n in 1...7 { #expect(depthLimitedDAGCounts(n, depths: [n - 1])[0] == a[n]) }
        // Longest path ≤ 1: every node a source or with in-edges only from sources:
        // Σ_s C(n,s)(2^s − 1)^{n−s}, counted directly.
        for n in 1...8 {
            var expected = BigInt(0)
            for s in 1...n { expected += BigInt.binomial(n, s) * ((BigInt(1) << s) - 1).power(n - s) }
            #expect(depthLimitedDAGCounts(n, depths: [1])[0] == expected)
        }
        // n = 3: 25 DAGs, of which 6 orders × 2 (with or without the shortcut) hold a path of 2 edges.
        #expect(depthLimitedDAGCounts(3, depths: [0, 1, 2]).map(\.asInt) == [1, 13, 25])
    }
}
