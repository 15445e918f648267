import Foundation
import Testing
@testable import LinearAlgebra

/// Planted structure whose ranks follow by hand.
@Suite struct ExpertFamilyTests {
    func ranks(_ report: RankReport) -> [Int] { report.families.map(\.rank.rank) }

    /// W_4 = W_0 + 2·W_1: the weighted-sum span loses one dimension, W_4 is expressible from
    /// {W_0, W_1}, and every chain over {0,…,4} spans what the chain over {0,…,3} spans
    /// (4 + 16 = 20 at depth 2 in the 36-dimensional space of 6×6 maps).
    @Test func linearDependencyDropsTheRankByOne() throws {
        var w = experts(count: 5, d: 6, seed: 21)
        w[4] = combine(1, w[0], 2, w[1])
        let linear = try LinearExperts(w)
        let all = try linear.rankReport(RankQuery(selected: [0, 1, 2, 3, 4], depth: 2, targets: [[4], [2, 3]]))
        #expect(ranks(all) == [4, 20])
        #expect(all.families.map(\.bound) == [5, 30])
        #expect(try #require(all.families[0].rank.gap) > 1e10)
        let ws = all.families[0].targets, chain = all.families[1].targets
        #expect(ws[0].expressible && ws[0].residual < 1e-14)
        #expect(!ws[1].expressible && ws[1].residual > 0.1)
        #expect(chain[1].expressible)
        #expect(all.families.allSatisfy { $0.solverRank == $0.rank.rank && $0.svdRoutine == "dgesdd" })

        let four = try linear.rankReport(RankQuery(selected: [0, 1, 2, 3], depth: 2))
        #expect(ranks(four) == [4, 20])
        let pair = try linear.rankReport(RankQuery(selected: [0, 1], depth: 1, targets: [[4]]))
        #expect(pair.families[0].targets[0].expressible)
    }

    /// Experts that are polynomials c₀I + c₁M + c₂M² in one matrix M commute, and every product
    /// stays in the algebra span{I, M, …, M^{d−1}} (Cayley–Hamilton): ranks 3, 5, 5 for d = 5,
    /// however large the bound.
    @Test func commutingExpertsStayInThePolynomialAlgebra() throws {
        let d = 5
        let m = experts(count: 1, d: d, seed: 8)[0]
        var coefficients = SeededRandom(seed: 9)
        let w = (0..<4).map { _ in
            let (c0, c1, c2) = (coefficients.nextNormal(), coefficients.nextNormal(), coefficients.nextNormal())
            return combine(1, combine(c0, .identity(d), c1, m), c2, m * m)
        }
        let report = try LinearExperts(w).rankReport(RankQuery(selected: [0, 1, 2, 3], depth: 3, targets: [[3, 1, 0]]))
        #expect(ranks(report) == [3, 5, 5])
        #expect(report.families.map(\.bound) == [4, 20, 25])
        #expect(maxDifference(w[0] * w[1], w[1] * w[0]) < 1e-12)
        #expect(report.families[2].targets[0].expressible && report.families[1].targets[0].expressible)
        #expect(!report.families[0].targets[0].expressible)
    }

    /// Strictly upper triangular 4×4 experts: products of length l live on the l-th superdiagonal
    /// and above, so length ≥ 4 products vanish exactly and the rank stops at the dimension 6 of
    /// the strictly upper triangular maps: 3 (three generic experts), 3 + 3 (the three entries at
    /// j ≥ i + 2), then 6 at every further depth. Their eigenvalues are exactly 0.
    @Test func nilpotentChainsStopGrowing() throws {
        let w = experts(count: 3, d: 4, seed: 13) { i, j in j > i }
        let linear = try LinearExperts(w)
        let report = try linear.rankReport(RankQuery(selected: [0, 1, 2], depth: 5, targets: [[2, 1, 0, 2], [1]], eigenvalues: true))
        #expect(ranks(report) == [3, 6, 6, 6, 6])
        #expect(report.families.map(\.bound) == [3, 12, 16, 16, 16])
        #expect(report.families[4].rank.singularValues[6...].allSatisfy { $0 < 1e-14 })
        let stack = try ProductStack(experts: linear, selected: [0, 1, 2], maxLength: 4)
        #expect(stack.rowsThrough == [3, 12, 39, 120])
        #expect(stack.rows.data[(39 * 16)...].allSatisfy { $0 == 0 })
        #expect(report.spectra.map(\.name) == ["0", "1", "2", "2*1*0*2"])
        #expect(report.spectra.allSatisfy { $0.eigenvalues.allSatisfy { $0.re == 0 && $0.im == 0 } })
        // The length-4 target is the zero map: residual 0, expressible by every family.
        #expect(report.families.allSatisfy { $0.targets[0].residual == 0 && $0.targets[0].expressible })
    }

    /// The stack holds every product exactly once, in the order the docs promise.
    @Test func stackMatchesDirectProducts() throws {
        let linear = LinearExperts.random(count: 3, dimension: 3, seed: 2)
        let stack = try ProductStack(experts: linear, selected: [2, 0], maxLength: 3)
        #expect(stack.rowsThrough == [2, 6, 14])
        var words: [[Int]] = [[2], [0]]
        var level = words
        for _ in 1..<3 {
            level = [2, 0].flatMap { s in level.map { $0 + [s] } }
            words += level
        }
        for (row, word) in words.enumerated() {
            let direct = try linear.product(word)
            let got = Matrix(rows: 3, cols: 3, data: Array(stack.rows.data[(row * 9)..<((row + 1) * 9)]))
            #expect(maxDifference(got, direct) < 1e-14)
        }
    }

    @Test func badRequestsThrow() throws {
        let linear = LinearExperts.random(count: 3, dimension: 4, seed: 1)
        #expect(throws: LinearAlgebraError.self) { try linear.rankReport(RankQuery(selected: [0, 3], depth: 1)) }
        #expect(throws: LinearAlgebraError.self) { try linear.rankReport(RankQuery(selected: [0, 0], depth: 1)) }
        #expect(throws: LinearAlgebraError.self) { try linear.rankReport(RankQuery(selected: [], depth: 1)) }
        #expect(throws: LinearAlgebraError.self) { try linear.rankReport(RankQuery(selected: [0], depth: 0)) }
        #expect(throws: LinearAlgebraError.self) { try linear.rankReport(RankQuery(selected: [0], depth: 1, targets: [[7]])) }
        #expect(throws: LinearAlgebraError.self) { try linear.rankReport(RankQuery(selected: [0], depth: 1, tolerance: -1)) }
        #expect(throws: LinearAlgebraError.self) { try ProductStack(experts: linear, selected: [0, 1, 2], maxLength: 40) }
        var bad = linear.matrices
        bad[1][0, 0] = .infinity
        #expect(throws: LinearAlgebraError.nonFinite(what: "experts.1.weight")) {
            try LinearExperts(bad, names: ["experts.0.weight", "experts.1.weight", "experts.2.weight"])
        }
        #expect(throws: LinearAlgebraError.self) { try LinearExperts([.identity(2), .identity(3)]) }
    }

    @Test func boundsAndColumnCounts() {
        #expect(ExpertFamily.chain(depth: 3).columnCount(k: 8) == 584)
        #expect(ExpertFamily.chain(depth: 3).bound(k: 8, d: 64) == 584)
        #expect(ExpertFamily.chain(depth: 3).bound(k: 8, d: 8) == 64)
        #expect(ExpertFamily.chain(depth: 100).columnCount(k: 2) == nil)
        #expect(ExpertFamily.chain(depth: 100).bound(k: 2, d: 3) == 9)
        #expect(ExpertFamily.chain(depth: 7).columnCount(k: 1) == 7)
        #expect(ExpertFamily.weightedSum.bound(k: 6, d: 2) == 4)
    }
}
