import Foundation
@testable import LinearAlgebra

/// A product of Givens rotations G(i, j, θ) over all pairs i < j with angles from `seed`:
/// exactly orthogonal up to rounding, with no LAPACK involved in building it.
func rotation(_ n: Int, seed: UInt64) -> Matrix<Double> {
    var q = Matrix<Double>.identity(n)
    var g = SeededRandom(seed: seed)
    for i in 0..<n {
        for j in (i + 1)..<n {
            let theta = Double(g.next() >> 11) * 0x1p-53 * 2 * Double.pi
            let (c, s) = (cos(theta), sin(theta))
            for k in 0..<n {
                let (a, b) = (q[i, k], q[j, k])
                q[i, k] = c * a - s * b
                q[j, k] = s * a + c * b
            }
        }
    }
    return q
}

/// A rows×cols matrix with `values` on the diagonal.
func diagonal(_ values: [Double], rows: Int, cols: Int) -> Matrix<Double> {
    var m = Matrix<Double>(rows: rows, cols: cols)
    for (i, v) in values.enumerated() { m[i, i] = v }
    return m
}

/// The largest entry-wise difference.
func maxDifference(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
}

/// Experts with independent N(0, 1) entries in every listed position and 0 elsewhere.
func experts(count: Int, d: Int, seed: UInt64, where keep: (Int, Int) -> Bool = { _, _ in true }) -> [Matrix<Double>] {
    var g = SeededRandom(seed: seed)
    return (0..<count).map { _ in
        var m = Matrix<Double>(rows: d, cols: d)
        for i in 0..<d { for j in 0..<d where keep(i, j) { m[i, j] = g.nextNormal() } }
        return m
    }
}

/// a·x + b·y for matrices.
func combine(_ a: Double, _ x: Matrix<Double>, _ b: Double, _ y: Matrix<Double>) -> Matrix<Double> {
    Matrix(rows: x.rows, cols: x.cols, data: zip(x.data, y.data).map { a * $0 + b * $1 })
}
