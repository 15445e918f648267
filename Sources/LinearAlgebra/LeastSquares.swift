/// The minimum-norm least-squares solution X of A·X ≈ B, and how well it fits.
public struct LeastSquaresSolution<Scalar: LAPACKScalar>: Sendable {
    /// n×nrhs: column j minimizes ‖B_j − A·x‖ (and ‖x‖ among the minimizers).
    public let solution: Matrix<Scalar>
    /// The effective rank of A the solver used (singular values ≤ rcond·σ_max dropped).
    public let rank: Int
    /// The singular values of A, descending.
    public let singularValues: [Scalar]
    /// ‖B_j − A·X_j‖₂ for each right-hand side, recomputed from A and X (not read off LAPACK's
    /// workspace), so it is right whatever the rank.
    public let residuals: [Scalar]
    /// residuals[j] / ‖B_j‖₂, and 0 for a zero right-hand side (it is in every span).
    public let relativeResiduals: [Scalar]
}

extension Matrix where Scalar: LAPACKScalar {
    /// Solves min ‖B − A·X‖ column by column with LAPACK's SVD-based ?gelsd.
    ///
    /// A·X is then the orthogonal projection of B onto the span of A's columns, restricted to
    /// the singular directions above `rcond`·σ_max (`rcond` < 0: machine precision). Pass
    /// `tolerance / σ_max` to project onto the span that ``NumericalRank`` counts.
    ///
    /// Throws for mismatched row counts, non-finite entries, and when the SVD does not converge.
    public func leastSquares(_ b: Matrix, rcond: Scalar) throws -> LeastSquaresSolution<Scalar> {
        let routine = Scalar.routine("gelsd")
        guard b.rows == rows else {
            throw LinearAlgebraError.shapeMismatch("\(routine): A has \(rows) rows but B has \(b.rows)")
        }
        guard isFinite else { throw LinearAlgebraError.nonFinite(what: "the matrix A passed to \(routine)") }
        guard b.isFinite else { throw LinearAlgebraError.nonFinite(what: "the right-hand side B passed to \(routine)") }
        let (m, n, nrhs) = (rows, cols, b.cols)
        guard m > 0, n > 0, nrhs > 0 else {
            let norms = b.columnNorms()
            return LeastSquaresSolution(solution: Matrix(rows: n, cols: nrhs), rank: 0, singularValues: [],
                                        residuals: norms, relativeResiduals: norms.map { $0 > 0 ? 1 : 0 })
        }
        var a = data
        var x = Matrix(rows: Swift.max(m, n), cols: nrhs)
        x.data.replaceSubrange(0..<(m * nrhs), with: b.data)
        var s = [Scalar](repeating: 0, count: Swift.min(m, n))
        var rank: Int32 = 0
        let info = a.withUnsafeMutableBufferPointer { pa in
            x.data.withUnsafeMutableBufferPointer { px in
                s.withUnsafeMutableBufferPointer { ps in
                    Scalar.gelsd(m: m, n: n, nrhs: nrhs, a: pa.baseAddress!, lda: n, b: px.baseAddress!, ldb: nrhs,
                                 s: ps.baseAddress!, rcond: rcond, rank: &rank)
                }
            }
        }
        if let error = LinearAlgebraError.check(info, routine: routine) { throw error }
        if info > 0 { throw LinearAlgebraError.noConvergence(routine: routine, info: Int(info)) }
        let solution = Matrix(rows: n, cols: nrhs, data: Array(x.data[0..<(n * nrhs)]))
        var r = Matrix.product(self, solution)
        for i in r.data.indices { r.data[i] = b.data[i] - r.data[i] }
        let residuals = r.columnNorms()
        let relative = zip(residuals, b.columnNorms()).map { res, norm in norm > 0 ? res / norm : 0 }
        return LeastSquaresSolution(solution: solution, rank: Int(rank), singularValues: s,
                                    residuals: residuals, relativeResiduals: relative)
    }

    /// The Euclidean norm of each column.
    func columnNorms() -> [Scalar] {
        var sums = [Scalar](repeating: 0, count: cols)
        for i in 0..<rows { for j in 0..<cols { sums[j] += self[i, j] * self[i, j] } }
        return sums.map { $0.squareRoot() }
    }
}
