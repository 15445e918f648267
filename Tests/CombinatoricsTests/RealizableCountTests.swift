import Testing
import BigInt
@testable import Combinatorics

/// The realizable counts against OEIS terms and against brute force over every 0/1 matrix.
@Suite struct RealizableCountTests {
    /// Whether the matrix has a 2×2 submatrix equal to a permutation matrix (the definition of
    /// not lonesum, independent of the nested-rows test the library uses).
    static func hasPermutationSubmatrix(_ k: Int, _ rows: UInt64) -> Bool {
        func e(_ i: Int, _ j: Int) -> Bool { rows >> (8 * i + j) & 1 == 1 }
        for i in 0..<k { for r in (i + 1)..<max(k, i + 1) where r < k {
            for j in 0..<k { for c in (j + 1)..<max(k, j + 1) where c < k {
                if e(i, j) == e(r, c) && e(i, c) == e(r, j) && e(i, j) != e(i, c) { return true }
            } }
        } }
        return false
    }

    /// Every k×k 0/1 matrix, as byte rows.
    static func allMatrices(_ k: Int) -> [UInt64] {
        (0..<(1 << (k * k))).map { code in
            var rows: UInt64 = 0
            for i in 0..<k { rows |= UInt64((code >> (k * i)) & ((1 << k) - 1)) << (8 * i) }
            return rows
        }
    }

    /// The smallest relabeling of a matrix under simultaneous row and column permutations.
    static func canonical(_ k: Int, _ rows: UInt64) -> UInt64 {
        func permutations(_ items: [Int]) -> [[Int]] {
            items.count <= 1 ? [items] : items.indices.flatMap { i in
                permutations(Array(items[..<i] + items[(i + 1)...])).map { [items[i]] + $0 } }
        }
        return permutations(Array(0..<k)).map { p in
            var out: UInt64 = 0
            for i in 0..<k { for j in 0..<k where rows >> (8 * i + j) & 1 == 1 { out |= 1 << (8 * p[i] + p[j]) } }
            return out
        }.min()!
    }

    @Test func lonesumMatchesOEISA048163() {
        #expect((1...7).map(lonesumMatrixCount) == [2, 14, 230, 6902, 329462, 22934774, 2193664790].map { BigInt($0) })
        #expect(lonesumMatrixCount(0) == 1)
    }

    @Test func intervalOrdersMatchOEISA079144() {
        #expect(intervalOrderCounts(upTo: 7) == [1, 1, 3, 19, 207, 3451, 81663, 2602699].map { BigInt($0) })
    }

    @Test func fishburnMatchesOEISA022493() {
        #expect(fishburnCounts(upTo: 10) == [1, 1, 2, 5, 15, 53, 217, 1014, 5335, 31240, 201608].map { BigInt($0) })
    }

    @Test func lonesumCountsAndOrbitsMatchBruteForce() {
        for k in 1...4 {
            let lonesum = RealizableCountTests.allMatrices(k).filter { !RealizableCountTests.hasPermutationSubmatrix(k, $0) }
            #expect(BigInt(lonesum.count) == lonesumMatrixCount(k), "k = \(k)")
            #expect(lonesum.allSatisfy { EdgePattern.isLonesum(k: k, rows: $0) })
            #expect(RealizableCountTests.allMatrices(k).filter { EdgePattern.isLonesum(k: k, rows: $0) }.count == lonesum.count)
            let orbits = Set(lonesum.map { RealizableCountTests.canonical(k, $0) }).count
            #expect(BigInt(orbits) == lonesumMatrixOrbits(k), "k = \(k)")
            // Lonesum matrices are determined by their margins.
            #expect(Set(lonesum.map { EdgePattern.margins(k: k, rows: $0) }).count == lonesum.count)
        }
    }

    @Test func zeroDiagonalLonesumAreIntervalOrders() {
        for k in 1...4 {
            let diagonal = (0..<k).reduce(UInt64(0)) { $0 | 1 << (9 * $1) }
            let zeroDiagonal = RealizableCountTests.allMatrices(k).filter { $0 & diagonal == 0 }
            let lonesum = zeroDiagonal.filter { EdgePattern.isLonesum(k: k, rows: $0) }
            #expect(BigInt(lonesum.count) == intervalOrderCounts(upTo: k)[k], "k = \(k)")
            #expect(lonesum.allSatisfy { LabeledDAG(k: k, rows: $0).isIntervalOrder })
        }
    }

    @Test func realizableCensusMatchesFormulasAndMarginTerms() {
        let margins = [1, 3, 25, 477, 17801]
        for k in 1...5 {
            let census = realizableDAGCensus(k: k).census
            #expect(BigInt(census.dags) == labeledDAGCounts(upTo: k)[k])
            #expect(BigInt(census.lonesum) == intervalOrderCounts(upTo: k)[k])
            #expect(census.intervalOrders == census.lonesum)
            #expect(census.lonesumMarginClasses == census.lonesum)
            #expect(census.marginClasses == margins[k - 1], "k = \(k)")
        }
        for k in 1...5 {
            #expect(BigInt(intervalOrderClassCount(k: k).count) == fishburnCounts(upTo: k)[k])
        }
    }

    @Test func aChainIsNotRealizableInOneRound() {
        let chain = LabeledDAG(k: 3, edges: [(0, 1), (1, 2)])
        #expect(!chain.isLonesum && !chain.isIntervalOrder)
        let closed = LabeledDAG(k: 3, edges: [(0, 1), (1, 2), (0, 2)])
        #expect(closed.isLonesum && closed.isIntervalOrder)
    }

    /// The labeled e.g.f. is the Fishburn o.g.f. at x = 1 − e^{−t}, since 1 − (1 − x)^i becomes
    /// 1 − e^{−it}; with (1 − e^{−t})^m = m! Σ_n (−1)^{n−m} S(n, m) tⁿ/n! that reads
    /// A079144(n) = Σ_m (−1)^{n−m} m! S(n, m) A022493(m): the two series products checked against
    /// each other far past the OEIS terms.
    @Test func labeledAndUnlabeledSeriesAgreeThroughTheSubstitution() {
        let n = 60
        let labeled = intervalOrderCounts(upTo: n), unlabeled = fishburnCounts(upTo: n)
        for k in [8, 30, 60] {
            let stirling = stirlingSecondKindRow(k)
            var sum = BigInt(0)
            for m in 0...k {
                let term = BigInt.factorial(m) * stirling[m] * unlabeled[m]
                if (k - m) % 2 == 0 { sum += term } else { sum -= term }
            }
            #expect(sum == labeled[k], "k = \(k)")
        }
        #expect(labeled[8] == 107_477_247)
    }

    @Test func limitsLeaveNotes() {
        let c = CombinationCounter(maxK: RealizableLimits.maxKRoundDAGs + 1)
            .counts(n: 200, k: RealizableLimits.maxKRoundDAGs + 1, maxDepth: 1)
        #expect(c.realizable.roundDAGs == nil && c.realizable.structural == nil && c.realizable.structuralRatioLog10 == nil)
        #expect(c.realizable.roundPatterns != nil && c.realizable.patterns.count == 1)
        #expect(c.realizable.roundPatternsUpToRelabeling == nil)
    }

    @Test func largeKTermsAgreeWithTheirLogSize() {
        // A048163 ~ (k!)² / (2 (log 2)^{2k+2}) · √(…): check growth only through exact recurrences
        // at the limit, which must finish and be positive and increasing.
        let big = intervalOrderCounts(upTo: 40)
        #expect(zip(big.dropFirst(), big.dropFirst(2)).allSatisfy { $0 < $1 })
        #expect(fishburnCounts(upTo: 40)[40] < big[40])
    }
}
