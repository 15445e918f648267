import Foundation
import Testing
@testable import LinearAlgebra

@Suite struct RankAndLeastSquaresTests {
    /// A sum of r generic outer products has rank r; the gap at r is huge and the margin positive.
    @Test func plantedRank() throws {
        let factors = experts(count: 2, d: 8, seed: 5)
        // (8×3)(3×8) has rank 3: keep three columns of one factor and three rows of the other.
        let left = Matrix(rows: 8, cols: 3, data: (0..<8).flatMap { i in (0..<3).map { factors[0][i, $0] } })
        let right = Matrix(rows: 3, cols: 8, data: Array(factors[1].data[0..<24]))
        let rank = try (left * right).numericalRank()
        #expect(rank.rank == 3)
        #expect(try #require(rank.gap) > 1e12)
        #expect(try #require(rank.margin) > 1)
        // A user tolerance above σ_3 cuts the rank.
        let cut = NumericalRank(singularValues: rank.singularValues, rows: 8, cols: 8, tolerance: rank.singularValues[2] * 1.01)
        #expect(cut.rank == 2 && cut.toleranceIsUserGiven)
    }

    @Test func zeroMatrixHasRankZero() throws {
        let rank = try Matrix<Double>(rows: 3, cols: 4).numericalRank()
        #expect(rank.rank == 0 && rank.tolerance == 0 && rank.gap == nil && rank.margin == nil)
    }

    /// Projecting (1, 2, 3) onto the x–y plane leaves (0, 0, 3): relative residual 3/√14.
    @Test func projectionByHand() throws {
        let a = Matrix<Double>([[1, 1], [0, 1], [0, 0]])
        let b = Matrix<Double>([[1, 0], [2, 0], [3, 0]])
        let fit = try a.leastSquares(b, rcond: -1)
        #expect(fit.rank == 2)
        #expect(abs(fit.relativeResiduals[0] - 3 / 14.0.squareRoot()) < 1e-15)
        #expect(abs(fit.residuals[0] - 3) < 1e-14)
        #expect(abs(fit.solution[0, 0] - -1) < 1e-14 && abs(fit.solution[1, 0] - 2) < 1e-14)
        #expect(fit.relativeResiduals[1] == 0)
    }

    /// rcond above σ_2/σ_1 drops a direction: the fit is then onto the first singular vector only.
    @Test func rcondDropsDirections() throws {
        let a = Matrix<Double>([[3, 0], [0, 1e-3], [0, 0]])
        let b = Matrix<Double>([[0], [1], [0]])
        #expect(try a.leastSquares(b, rcond: 1e-6).relativeResiduals[0] < 1e-15)
        let dropped = try a.leastSquares(b, rcond: 1e-2)
        #expect(dropped.rank == 1 && abs(dropped.relativeResiduals[0] - 1) < 1e-15)
    }

    @Test func errorsNameTheProblem() throws {
        var a = Matrix<Double>.identity(3)
        a[1, 2] = .nan
        #expect(throws: LinearAlgebraError.self) { try a.singularValues() }
        #expect(throws: LinearAlgebraError.self) { try a.eigenvalues() }
        #expect(throws: LinearAlgebraError.shapeMismatch("dgeev needs a square matrix, got 2×3")) {
            try Matrix<Double>(rows: 2, cols: 3).eigenvalues()
        }
        #expect(throws: LinearAlgebraError.shapeMismatch("dgelsd: A has 3 rows but B has 2")) {
            try Matrix<Double>.identity(3).leastSquares(Matrix(rows: 2, cols: 1), rcond: -1)
        }
        #expect(LinearAlgebraError.check(-4, routine: "dgesdd") == .illegalArgument(routine: "dgesdd", argument: 4))
        #expect(LinearAlgebraError.check(-1010, routine: "dgelsd") == .outOfMemory(routine: "dgelsd"))
        #expect(LinearAlgebraError.check(3, routine: "dgesdd") == nil)
    }
}

/// What a rank analysis refuses before any LAPACK call, and the names its failures carry.
@Suite struct RankTargetTests {
    @Test func tooManyFactorsAreRefused() throws {
        let experts = LinearExperts.random(count: 2, dimension: 2, seed: 1)
        let long = [Int](repeating: 0, count: RankQuery.maxTargetFactors + 1)
        #expect(throws: LinearAlgebraError.self) { try experts.rankReport(RankQuery(selected: [0, 1], depth: 1, targets: [long])) }
        do {
            _ = try experts.rankReport(RankQuery(selected: [0, 1], depth: 1, targets: [long]))
        } catch {
            #expect("\(error)".contains("has 65 factors, past the limit of 64"))
        }
        let atLimit = [Int](repeating: 1, count: RankQuery.maxTargetFactors)
        #expect(try experts.rankReport(RankQuery(selected: [0, 1], depth: 1, targets: [atLimit])).families.count == 1)
    }

    /// 1e10·I to the 40th power is 1e400: past Float64, so the target is refused by name before LAPACK sees it.
    @Test func aTargetPastFloat64IsNamed() throws {
        let experts = try LinearExperts([Matrix<Double>(rows: 2, cols: 2, data: [1e10, 0, 0, 1e10]), Matrix<Double>.identity(2)])
        let factors = [Int](repeating: 0, count: 40)
        #expect(throws: LinearAlgebraError.nonFinite(what: "target \(factors.map(String.init).joined(separator: "*")) (the product left Float64's range)")) {
            try experts.rankReport(RankQuery(selected: [0, 1], depth: 1, targets: [factors]))
        }
    }

    @Test func failuresNameWhatTheyHappenedOn() {
        let error = LinearAlgebraError.within("target 1*0", .noConvergence(routine: "dgeev", info: 2))
        #expect(error.description == "target 1*0: LAPACK dgeev did not converge (info = 2)")
    }
}
