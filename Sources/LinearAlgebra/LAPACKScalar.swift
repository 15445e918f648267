import CLAPACK

/// Float or Double with the LAPACKE routines the decompositions use.
///
/// Every routine works on row-major buffers (`LAPACK_ROW_MAJOR`), for which LAPACKE transposes
/// into column-major workspace itself; the SVD drivers also take column-major buffers
/// (`rowMajor` false), which LAPACK reads in place. The return value is LAPACK's `info`.
public protocol LAPACKScalar: BLASScalar {
    /// Singular values (`jobz` "N") or a thin SVD (`jobz` "S") by divide and conquer (?gesdd).
    static func gesdd(rowMajor: Bool, jobz: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                      s: UnsafeMutablePointer<Self>, u: UnsafeMutablePointer<Self>?, ldu: Int,
                      vt: UnsafeMutablePointer<Self>?, ldvt: Int) -> Int32
    /// Singular values or a thin SVD by QR iteration (?gesvd); `superb` holds min(m,n)−1 values.
    static func gesvd(rowMajor: Bool, job: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                      s: UnsafeMutablePointer<Self>, u: UnsafeMutablePointer<Self>?, ldu: Int,
                      vt: UnsafeMutablePointer<Self>?, ldvt: Int, superb: UnsafeMutablePointer<Self>) -> Int32
    /// Minimum-norm least squares by SVD (?gelsd); singular values ≤ rcond·σ_max count as zero.
    static func gelsd(m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                      b: UnsafeMutablePointer<Self>, ldb: Int, s: UnsafeMutablePointer<Self>,
                      rcond: Self, rank: UnsafeMutablePointer<Int32>) -> Int32
    /// Eigenvalues of a general square matrix (?geev without eigenvectors).
    static func geev(n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                     wr: UnsafeMutablePointer<Self>, wi: UnsafeMutablePointer<Self>) -> Int32
    /// The routine's name for messages: "dgesdd" or "sgesdd" for `gesdd`, and so on.
    static func routine(_ base: String) -> String
}

@inline(__always) private func c(_ ascii: UInt8) -> CChar { CChar(bitPattern: ascii) }
@inline(__always) private func layout(_ rowMajor: Bool) -> Int32 { rowMajor ? LAPACK_ROW_MAJOR : LAPACK_COL_MAJOR }

extension Double: LAPACKScalar {
    public static func gesdd(rowMajor: Bool, jobz: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                             s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>?, ldu: Int,
                             vt: UnsafeMutablePointer<Double>?, ldvt: Int) -> Int32 {
        LAPACKE_dgesdd(layout(rowMajor), c(jobz), Int32(m), Int32(n), a, Int32(lda), s,
                       u, Int32(ldu), vt, Int32(ldvt))
    }

    public static func gesvd(rowMajor: Bool, job: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                             s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>?, ldu: Int,
                             vt: UnsafeMutablePointer<Double>?, ldvt: Int,
                             superb: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgesvd(layout(rowMajor), c(job), c(job), Int32(m), Int32(n), a, Int32(lda), s,
                       u, Int32(ldu), vt, Int32(ldvt), superb)
    }

    public static func gelsd(m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                             b: UnsafeMutablePointer<Double>, ldb: Int, s: UnsafeMutablePointer<Double>,
                             rcond: Double, rank: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), a, Int32(lda), b, Int32(ldb),
                       s, rcond, rank)
    }

    public static func geev(n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                            wr: UnsafeMutablePointer<Double>, wi: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgeev(LAPACK_ROW_MAJOR, c(UInt8(ascii: "N")), c(UInt8(ascii: "N")), Int32(n), a, Int32(lda),
                      wr, wi, nil, 1, nil, 1)
    }

    public static func routine(_ base: String) -> String { "d" + base }
}

extension Float: LAPACKScalar {
    public static func gesdd(rowMajor: Bool, jobz: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                             s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>?, ldu: Int,
                             vt: UnsafeMutablePointer<Float>?, ldvt: Int) -> Int32 {
        LAPACKE_sgesdd(layout(rowMajor), c(jobz), Int32(m), Int32(n), a, Int32(lda), s,
                       u, Int32(ldu), vt, Int32(ldvt))
    }

    public static func gesvd(rowMajor: Bool, job: UInt8, m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                             s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>?, ldu: Int,
                             vt: UnsafeMutablePointer<Float>?, ldvt: Int,
                             superb: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgesvd(layout(rowMajor), c(job), c(job), Int32(m), Int32(n), a, Int32(lda), s,
                       u, Int32(ldu), vt, Int32(ldvt), superb)
    }

    public static func gelsd(m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                             b: UnsafeMutablePointer<Float>, ldb: Int, s: UnsafeMutablePointer<Float>,
                             rcond: Float, rank: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), a, Int32(lda), b, Int32(ldb),
                       s, rcond, rank)
    }

    public static func geev(n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                            wr: UnsafeMutablePointer<Float>, wi: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgeev(LAPACK_ROW_MAJOR, c(UInt8(ascii: "N")), c(UInt8(ascii: "N")), Int32(n), a, Int32(lda),
                      wr, wi, nil, 1, nil, 1)
    }

    public static func routine(_ base: String) -> String { "s" + base }
}
