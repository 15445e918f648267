extension Matrix {
    /// op(A)·op(B) through CBLAS gemm, where op transposes when asked.
    public static func product(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
        let m = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows, n = transposeB ? b.rows : b.cols
        precondition(k == kb, "Matrix.product: inner sizes \(k) and \(kb) differ")
        var c = Matrix(rows: m, cols: n)
        guard m > 0, n > 0 else { return c }
        if k == 0 { return c }
        a.data.withUnsafeBufferPointer { pa in
            b.data.withUnsafeBufferPointer { pb in
                c.data.withUnsafeMutableBufferPointer { pc in
                    Scalar.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                                alpha: 1, a: pa.baseAddress!, lda: max(a.cols, 1),
                                b: pb.baseAddress!, ldb: max(b.cols, 1),
                                beta: 0, c: pc.baseAddress!, ldc: max(n, 1))
                }
            }
        }
        return c
    }

    public static func * (a: Matrix, b: Matrix) -> Matrix { product(a, b) }
}
