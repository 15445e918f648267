/// One eigenvalue re + i·im of a real matrix; complex ones come in conjugate pairs.
public struct Eigenvalue<Scalar: LAPACKScalar>: Sendable, Equatable {
    public let re: Scalar
    public let im: Scalar

    public init(re: Scalar, im: Scalar) {
        self.re = re
        self.im = im
    }

    /// |λ|, without overflow for large parts.
    public var modulus: Scalar {
        let scale = Swift.max(Swift.abs(re), Swift.abs(im))
        guard scale > 0 else { return 0 }
        let (a, b) = (re / scale, im / scale)
        return scale * (a * a + b * b).squareRoot()
    }
}

extension Matrix where Scalar: LAPACKScalar {
    /// The eigenvalues of a square matrix from LAPACK ?geev, sorted by descending modulus
    /// (ties: larger real part, then larger imaginary part first).
    ///
    /// Throws for a non-square or non-finite matrix and when the QR algorithm does not converge.
    /// An eigenvalue of algebraic multiplicity m can come back perturbed by about ε^(1/m)·‖A‖
    /// (a nilpotent Jordan block is the extreme case); triangular input is exact.
    public func eigenvalues() throws -> [Eigenvalue<Scalar>] {
        let routine = Scalar.routine("geev")
        guard rows == cols else {
            throw LinearAlgebraError.shapeMismatch("\(routine) needs a square matrix, got \(rows)×\(cols)")
        }
        guard isFinite else { throw LinearAlgebraError.nonFinite(what: "the matrix passed to \(routine)") }
        guard rows > 0 else { return [] }
        var a = data
        var wr = [Scalar](repeating: 0, count: rows), wi = wr
        let info = a.withUnsafeMutableBufferPointer { pa in
            wr.withUnsafeMutableBufferPointer { pr in
                wi.withUnsafeMutableBufferPointer { pi in
                    Scalar.geev(n: rows, a: pa.baseAddress!, lda: rows, wr: pr.baseAddress!, wi: pi.baseAddress!)
                }
            }
        }
        if let error = LinearAlgebraError.check(info, routine: routine) { throw error }
        if info > 0 { throw LinearAlgebraError.noConvergence(routine: routine, info: Int(info)) }
        return zip(wr, wi).map { Eigenvalue(re: $0, im: $1) }.sorted { a, b in
            let (ma, mb) = (a.modulus, b.modulus)
            if ma != mb { return ma > mb }
            return a.re != b.re ? a.re > b.re : a.im > b.im
        }
    }
}
