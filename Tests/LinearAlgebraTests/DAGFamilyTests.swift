import Foundation
import Testing
@testable import LinearAlgebra

/// The `dag` family: span{W_i} + every map with column space in range(U), against an
/// independent projection and the rank it must have.
@Suite struct DAGFamilyTests {
    /// ‖(I − QQᵀ)T − best fit from span{(I − QQᵀ)W_i}‖ / ‖T‖ with Q an orthonormal basis of
    /// range(U) by Gram–Schmidt: the residual of T against span{W_i} ⊕ {maps into range(U)}.
    static func residual(_ t: Matrix<Double>, experts: [Matrix<Double>], up: Matrix<Double>) -> Double {
        let d = t.rows
        var basis: [[Double]] = []
        for c in 0..<up.cols {
            var v = (0..<d).map { up[$0, c] }
            for q in basis { let dot = zip(q, v).reduce(0) { $0 + $1.0 * $1.1 }; v = zip(v, q).map { $0 - dot * $1 } }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-10 { basis.append(v.map { $0 / norm }) }
        }
        func project(_ m: Matrix<Double>) -> [Double] {
            var out = m.data
            for b in 0..<d {
                let column = (0..<d).map { m[$0, b] }
                for q in basis {
                    let dot = zip(q, column).reduce(0) { $0 + $1.0 * $1.1 }
                    for a in 0..<d { out[a * d + b] -= dot * q[a] }
                }
            }
            return out
        }
        var span: [[Double]] = []
        for w in experts {
            var v = project(w)
            for q in span { let dot = zip(q, v).reduce(0) { $0 + $1.0 * $1.1 }; v = zip(v, q).map { $0 - dot * $1 } }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-10 { span.append(v.map { $0 / norm }) }
        }
        var r = project(t)
        for q in span { let dot = zip(q, r).reduce(0) { $0 + $1.0 * $1.1 }; r = zip(r, q).map { $0 - dot * $1 } }
        return r.reduce(0) { $0 + $1 * $1 }.squareRoot() / t.data.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    @Test func rankAndResidualsAgainstProjection() throws {
        let d = 6, w = experts(count: 3, d: d, seed: 5)
        let linear = try LinearExperts(w)
        for (rounds, width) in [(1, 1), (2, 1), (1, 3), (2, 3)] {
            let module = try DAGModuleRange.random(rounds: rounds, width: width, dimension: d, seed: 9)
            let report = try linear.rankReport(RankQuery(selected: [0, 1, 2], depth: 2, targets: [[1, 0], [2]],
                                                         dagModule: module))
            let dag = try #require(report.families.last)
            #expect(dag.family == .dag(rounds: rounds, width: width))
            // Generic W and U: the spans meet only where they must.
            #expect(dag.rank.rank == min(d * d, 3 + rounds * width * d))
            #expect(dag.bound == min(d * d, 3 + rounds * width * d))
            let composed = dag.targets[0]
            let expected = DAGFamilyTests.residual(w[1] * w[0], experts: w, up: module.up)
            #expect(abs(composed.residual - expected) < 1e-9)
            #expect(composed.expressible == (rounds * width >= d))
            #expect(dag.targets[1].expressible)
            // The control U·A lies in the dag span and outside the weighted sum's.
            #expect(dag.targets[2].name == "U*A" && dag.targets[2].expressible)
            #expect(!report.families[0].targets[2].expressible)
            // The chain composes: W_1·W_0 is in its span.
            #expect(report.families[1].targets[0].expressible)
        }
    }

    @Test func wideModuleReachesEveryMap() throws {
        let d = 4, linear = try LinearExperts(experts(count: 2, d: d, seed: 2))
        let module = try DAGModuleRange.random(rounds: 2, width: 2, dimension: d, seed: 3)
        let report = try linear.rankReport(RankQuery(selected: [0, 1], depth: 1, targets: [[1, 0]], dagModule: module))
        #expect(report.families.last?.rank.rank == d * d)
        #expect(report.families.last?.targets[0].expressible == true)
    }

    @Test func mismatchedUpMapsAreRejected() throws {
        #expect(throws: LinearAlgebraError.self) { try DAGModuleRange(rounds: 2, width: 2, up: Matrix(rows: 4, cols: 3)) }
        let linear = try LinearExperts(experts(count: 2, d: 4, seed: 2))
        let module = try DAGModuleRange.random(rounds: 1, width: 1, dimension: 5, seed: 3)
        #expect(throws: LinearAlgebraError.self) { try linear.rankReport(RankQuery(selected: [0, 1], depth: 1, dagModule: module)) }
    }
}
