/// A thin singular value decomposition A = U·diag(values)·Vᵀ of an m×n matrix.
///
/// With r = min(m, n): `u` is m×r, `vt` is r×n, both with orthonormal rows/columns, and
/// `values` holds the r singular values in descending order. `u` and `vt` are nil when only
/// the values were asked for.
public struct SingularValueDecomposition<Scalar: LAPACKScalar>: Sendable {
    public let values: [Scalar]
    public let u: Matrix<Scalar>?
    public let vt: Matrix<Scalar>?
    /// The LAPACK routine that produced the result ("dgesdd", or "dgesvd" after a fallback).
    public let routine: String
}

/// Which LAPACK driver computes an SVD.
public enum SVDAlgorithm: Sendable {
    /// Divide and conquer (?gesdd), falling back to QR iteration when it does not converge.
    case divideAndConquer
    /// QR iteration (?gesvd) only: slower, the reference the fallback uses.
    case qrIteration
}

extension Matrix where Scalar: LAPACKScalar {
    /// The singular values, descending (min(rows, cols) of them).
    ///
    /// Throws ``LinearAlgebraError/nonFinite(what:)`` for NaN or infinite entries and
    /// ``LinearAlgebraError/noConvergence(routine:info:)`` when both drivers fail.
    /// An empty matrix has no singular values.
    public func singularValues(algorithm: SVDAlgorithm = .divideAndConquer) throws -> [Scalar] {
        try svd(vectors: false, algorithm: algorithm).values
    }

    /// The thin SVD, with singular vectors unless `vectors` is false; see
    /// ``SingularValueDecomposition``. Throws like ``singularValues(algorithm:)``.
    public func svd(vectors: Bool = true, algorithm: SVDAlgorithm = .divideAndConquer) throws -> SingularValueDecomposition<Scalar> {
        guard isFinite else { throw LinearAlgebraError.nonFinite(what: "the \(rows)×\(cols) matrix passed to the SVD") }
        let r = Swift.min(rows, cols)
        guard r > 0 else {
            return SingularValueDecomposition(values: [], u: vectors ? Matrix(rows: rows, cols: 0) : nil,
                                              vt: vectors ? Matrix(rows: 0, cols: cols) : nil, routine: "none")
        }
        if algorithm == .divideAndConquer {
            var result = lapackDriver(vectors: vectors, name: Scalar.routine("gesdd")) { a, s, u, vt, _, shape in
                Scalar.gesdd(rowMajor: shape.rowMajor, jobz: UInt8(ascii: vectors ? "S" : "N"), m: shape.m, n: shape.n,
                             a: a, lda: shape.lda, s: s, u: u, ldu: shape.ldu, vt: vt, ldvt: shape.ldvt)
            }
            if case .failure(.noConvergence) = result {
                result = qrIteration(vectors: vectors)
            }
            return try result.get()
        }
        return try qrIteration(vectors: vectors).get()
    }

    private func qrIteration(vectors: Bool) -> Result<SingularValueDecomposition<Scalar>, LinearAlgebraError> {
        lapackDriver(vectors: vectors, name: Scalar.routine("gesvd")) { a, s, u, vt, superb, shape in
            Scalar.gesvd(rowMajor: shape.rowMajor, job: UInt8(ascii: vectors ? "S" : "N"), m: shape.m, n: shape.n,
                         a: a, lda: shape.lda, s: s, u: u, ldu: shape.ldu, vt: vt, ldvt: shape.ldvt, superb: superb)
        }
    }

    /// How a driver sees the buffer. Singular vectors need the row-major layout. For values only, a
    /// wide matrix is handed over as its column-major transpose (the same bytes, the same singular
    /// values): LAPACK then reads a tall matrix in place, takes its QR path and LAPACKE copies
    /// nothing, about a third faster for the 584 × 4096 product stacks.
    private struct DriverShape {
        let rowMajor: Bool
        let m, n, lda, ldu, ldvt: Int
    }

    private func driverShape(vectors: Bool) -> DriverShape {
        if vectors || rows >= cols {
            return DriverShape(rowMajor: true, m: rows, n: cols, lda: cols, ldu: Swift.min(rows, cols), ldvt: cols)
        }
        return DriverShape(rowMajor: false, m: cols, n: rows, lda: cols, ldu: 1, ldvt: 1)
    }

    /// Runs one driver on a copy of the matrix with output buffers of the thin shapes.
    private func lapackDriver(
        vectors: Bool, name: String,
        _ call: (UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>, UnsafeMutablePointer<Scalar>?,
                 UnsafeMutablePointer<Scalar>?, UnsafeMutablePointer<Scalar>, DriverShape) -> Int32
    ) -> Result<SingularValueDecomposition<Scalar>, LinearAlgebraError> {
        let r = Swift.min(rows, cols)
        var a = data
        var s = [Scalar](repeating: 0, count: r)
        var superb = [Scalar](repeating: 0, count: Swift.max(r, 1))
        var u = Matrix(rows: vectors ? rows : 0, cols: vectors ? r : 0)
        var vt = Matrix(rows: vectors ? r : 0, cols: vectors ? cols : 0)
        let shape = driverShape(vectors: vectors)
        let info = a.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                superb.withUnsafeMutableBufferPointer { pw in
                    u.data.withUnsafeMutableBufferPointer { pu in
                        vt.data.withUnsafeMutableBufferPointer { pv in
                            call(pa.baseAddress!, ps.baseAddress!, vectors ? pu.baseAddress : nil,
                                 vectors ? pv.baseAddress : nil, pw.baseAddress!, shape)
                        }
                    }
                }
            }
        }
        if let error = LinearAlgebraError.check(info, routine: name) { return .failure(error) }
        if info > 0 { return .failure(.noConvergence(routine: name, info: Int(info))) }
        return .success(SingularValueDecomposition(values: s, u: vectors ? u : nil, vt: vectors ? vt : nil, routine: name))
    }
}
