import Foundation
import Testing
@testable import LinearAlgebra

/// The LAPACK wiring checked against singular values known in closed form.
@Suite struct SVDClosedFormTests {
    /// A = Q₁·diag(σ)·Q₂ with rotation products Q₁, Q₂ has exactly the singular values σ.
    @Test(arguments: [(6, 6), (7, 4), (3, 8)], [SVDAlgorithm.divideAndConquer, .qrIteration])
    func rotatedDiagonal(shape: (Int, Int), algorithm: SVDAlgorithm) throws {
        let (m, n) = shape
        let sigma = (0..<min(m, n)).map { 10 / pow(3, Double($0)) }
        let a = rotation(m, seed: 1) * diagonal(sigma, rows: m, cols: n) * rotation(n, seed: 2)
        let svd = try a.svd(algorithm: algorithm)
        #expect(svd.routine == (algorithm == .divideAndConquer ? "dgesdd" : "dgesvd"))
        for (got, want) in zip(svd.values, sigma) { #expect(abs(got - want) <= 1e-13 * sigma[0]) }
        // Values only: a wide matrix goes to LAPACK as its column-major transpose.
        let values = try a.singularValues(algorithm: algorithm)
        #expect(values.count == sigma.count)
        for (got, want) in zip(values, sigma) { #expect(abs(got - want) <= 1e-13 * sigma[0]) }

        let (u, vt) = (try #require(svd.u), try #require(svd.vt))
        #expect(u.rows == m && u.cols == sigma.count && vt.rows == sigma.count && vt.cols == n)
        let rebuilt = u * diagonal(svd.values, rows: sigma.count, cols: sigma.count) * vt
        #expect(maxDifference(rebuilt, a) < 1e-13 * sigma[0])
        #expect(maxDifference(Matrix.product(u, u, transposeA: true), .identity(sigma.count)) < 1e-13)
        #expect(maxDifference(Matrix.product(vt, vt, transposeB: true), .identity(sigma.count)) < 1e-13)
    }

    /// The n×n second-difference matrix (2 on the diagonal, −1 beside it) is symmetric positive
    /// definite with eigenvalues 2 − 2cos(jπ/(n+1)), so those are its singular values too.
    @Test func secondDifferenceMatrix() throws {
        let n = 9
        var a = Matrix<Double>(rows: n, cols: n)
        for i in 0..<n {
            a[i, i] = 2
            if i + 1 < n { a[i, i + 1] = -1; a[i + 1, i] = -1 }
        }
        let want = (1...n).map { 2 - 2 * cos(Double($0) * .pi / Double(n + 1)) }.sorted(by: >)
        let got = try a.singularValues()
        for (g, w) in zip(got, want) { #expect(abs(g - w) < 1e-14 * 4) }
        let eig = try a.eigenvalues()
        for (g, w) in zip(eig, want) { #expect(abs(g.re - w) < 1e-13 && g.im == 0) }
    }

    /// The all-ones m×n matrix has one singular value √(mn) and zeros; rank 1.
    @Test func allOnes() throws {
        let a = Matrix<Double>(rows: 5, cols: 3, data: Array(repeating: 1, count: 15))
        let rank = try a.numericalRank()
        #expect(abs(rank.singularValues[0] - 15.0.squareRoot()) < 1e-14 * 4)
        #expect(rank.rank == 1)
        #expect(rank.tolerance == rank.singularValues[0] * 5 * Double.ulpOfOne)
    }

    /// Float goes through sgesdd and sgeev with the same answers to single precision.
    @Test func singlePrecision() throws {
        let a = (rotation(4, seed: 3) * diagonal([4, 3, 2, 1], rows: 4, cols: 4) * rotation(4, seed: 4))
        let f = Matrix<Float>(rows: 4, cols: 4, data: a.data.map { Float($0) })
        let svd = try f.svd(vectors: false)
        #expect(svd.routine == "sgesdd")
        for (g, w) in zip(svd.values, [4, 3, 2, 1] as [Float]) { #expect(abs(g - w) < 1e-5) }
    }

    /// A rotation by θ in the plane has eigenvalues e^{±iθ}.
    @Test func rotationEigenvalues() throws {
        let theta = 0.7
        let a = Matrix<Double>([[cos(theta), -sin(theta)], [sin(theta), cos(theta)]])
        let eig = try a.eigenvalues()
        #expect(eig.count == 2)
        #expect(abs(eig[0].re - cos(theta)) < 1e-15 && abs(eig[0].im - sin(theta)) < 1e-15)
        #expect(abs(eig[1].im + sin(theta)) < 1e-15)
        #expect(abs(eig[0].modulus - 1) < 1e-15)
    }
}
