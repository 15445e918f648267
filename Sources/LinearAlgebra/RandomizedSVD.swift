/// The leading singular values of square d×d operators known only through products A·V and
/// Aᵀ·U with blocks of vectors (Halko, Martinsson, Tropp 2011, "Finding structure with
/// randomness", algorithms 4.1, 4.4 and 5.1): sketch Y = A Ω with m Gaussian probes, q power
/// iterations Y ← A orth(Aᵀ orth(Y)) (re-orthonormalised between steps, §4.5), Q = orth(Y),
/// then the singular values of B = Qᵀ A. A second, independent sketch of p probes bounds what
/// Q missed: ‖(I − QQᵀ) A‖₂ ≤ 10 √(2/π) max_i ‖(I − QQᵀ) A ω_i‖ with probability at least
/// 1 − 10⁻ᵖ (§4.3, eq. 4.3).
///
/// Several operators run in lockstep, so that a caller whose products share costly work (the
/// experts of a layer, for R and J alike) pays for it once per step: `apply` receives one
/// block per operator and returns the products in the same order.
public struct RandomizedSVD: Sendable {
    /// Approximations of σ_1 ≥ … ≥ σ_m, from below.
    public let values: [Double]
    /// m.
    public let probes: Int
    /// The a-posteriori bound on ‖(I − QQᵀ) A‖₂ (nil when no confirming sketch was asked for).
    public let residualBound: Double?

    /// Runs the range finder on each operator: `probes[i]` Gaussian probes (at most d),
    /// `confirmProbes[i]` for its confirming sketch (0: none), q power iterations, all from
    /// the seeded stream `seed`.
    public static func leading(size d: Int, probes: [Int], confirmProbes: [Int], powerIterations q: Int, seed: UInt64,
                               apply: ([Matrix<Double>]) -> [Matrix<Double>],
                               applyTransposed: ([Matrix<Double>]) -> [Matrix<Double>]) throws -> [RandomizedSVD] {
        precondition(probes.count == confirmProbes.count && probes.allSatisfy { (1...max(d, 1)).contains($0) },
                     "RandomizedSVD: between 1 and d probes per operator")
        var rng = SeededRandom(seed: seed)
        let omegas = probes.map { rng.normalMatrix(rows: d, cols: $0) }
        var y = apply(omegas)
        for _ in 0..<q {
            let z = applyTransposed(y.map(orthonormalized)).map(orthonormalized)
            y = apply(z)
        }
        let qs = y.map(orthonormalized)
        let bt = applyTransposed(qs)
        var bounds = [Double?](repeating: nil, count: probes.count)
        let confirming = confirmProbes.map { rng.normalMatrix(rows: d, cols: $0) }
        if confirmProbes.contains(where: { $0 > 0 }) {
            let y2 = apply(confirming)
            for i in y2.indices where confirmProbes[i] > 0 {
                let missed = y2[i] - Matrix.product(qs[i], Matrix.product(qs[i], y2[i], transposeA: true))
                bounds[i] = 10 * (2 / Double.pi).squareRoot() * missed.columnNorms().max()!
            }
        }
        return try bt.indices.map { i in
            RandomizedSVD(values: try bt[i].singularValues(), probes: probes[i], residualBound: bounds[i])
        }
    }

    /// Columns orthonormalised by modified Gram–Schmidt, twice ("twice is enough"); a column
    /// that vanishes against the earlier ones becomes zero.
    public static func orthonormalized(_ a: Matrix<Double>) -> Matrix<Double> {
        var q = a
        let rows = a.rows, cols = a.cols
        for j in 0..<cols {
            let before = (0..<rows).reduce(0.0) { $0 + q[$1, j] * q[$1, j] }.squareRoot()
            for _ in 0..<2 {
                for i in 0..<j {
                    var dot = 0.0
                    for r in 0..<rows { dot += q[r, i] * q[r, j] }
                    for r in 0..<rows { q[r, j] -= dot * q[r, i] }
                }
            }
            let norm = (0..<rows).reduce(0.0) { $0 + q[$1, j] * q[$1, j] }.squareRoot()
            let keep = norm > 1e-14 * before && norm > 0
            for r in 0..<rows { q[r, j] = keep ? q[r, j] / norm : 0 }
        }
        return q
    }
}

extension Matrix where Scalar == Double {
    /// Columns `range` as a matrix.
    public func columns(_ range: Range<Int>) -> Matrix {
        var out = Matrix(rows: rows, cols: range.count)
        for r in 0..<rows { for (c, j) in range.enumerated() { out[r, c] = self[r, j] } }
        return out
    }

    /// The blocks side by side (equal row counts).
    public static func joiningColumns(_ blocks: [Matrix]) -> Matrix {
        let rows = blocks.first?.rows ?? 0
        var out = Matrix(rows: rows, cols: blocks.map(\.cols).reduce(0, +))
        var offset = 0
        for b in blocks {
            precondition(b.rows == rows, "Matrix.joiningColumns: row counts differ")
            for r in 0..<rows { for c in 0..<b.cols { out[r, offset + c] = b[r, c] } }
            offset += b.cols
        }
        return out
    }

    static func - (a: Matrix, b: Matrix) -> Matrix {
        var out = a
        for i in out.data.indices { out.data[i] -= b.data[i] }
        return out
    }
}
