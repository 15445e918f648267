/// A dense row-major matrix of Float or Double, the storage every LAPACK and CBLAS
/// call in the project works on.
///
/// Element (i, j) is `data[i * cols + j]`.
public struct Matrix<Scalar: BLASScalar>: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var data: [Scalar]

    /// A rows×cols matrix of zeros.
    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "Matrix needs non-negative sizes")
        self.rows = rows
        self.cols = cols
        data = [Scalar](repeating: 0, count: rows * cols)
    }

    /// A matrix over existing row-major data; `data.count` must be rows·cols.
    public init(rows: Int, cols: Int, data: [Scalar]) {
        precondition(rows >= 0 && cols >= 0 && data.count == rows * cols,
                     "Matrix(rows: \(rows), cols: \(cols)) needs \(rows * cols) values, got \(data.count)")
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    /// A matrix from nested rows (tests and small literals).
    public init(_ nested: [[Scalar]]) {
        let cols = nested.first?.count ?? 0
        precondition(nested.allSatisfy { $0.count == cols }, "Matrix rows must have equal length")
        self.init(rows: nested.count, cols: cols, data: nested.flatMap { $0 })
    }

    /// The n×n identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public subscript(i: Int, j: Int) -> Scalar {
        get { data[i * cols + j] }
        set { data[i * cols + j] = newValue }
    }

    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for i in 0..<rows { for j in 0..<cols { t[j, i] = self[i, j] } }
        return t
    }

    /// Frobenius norm.
    public var frobeniusNorm: Scalar {
        data.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    /// Whether every entry is finite.
    public var isFinite: Bool { data.allSatisfy { $0.isFinite } }
}
