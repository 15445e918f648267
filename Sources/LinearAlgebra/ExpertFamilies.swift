/// A family of maps that selected linear experts can realize, measured by the dimension of its
/// span (each d×d map flattened to a vector of length d²).
///
/// - `weightedSum`: span{W_i : i selected}, what a weighted sum of experts can express.
/// - `chain(depth: L)`: the span of all products W_{i_l}⋯W_{i_1}, 1 ≤ l ≤ L, every i_j selected
///   and repetition allowed: the maps a chain of at most L experts can express. Depth 1 is the
///   weighted-sum family.
/// - `dag(rounds: L, width: d_g)`: span{W_i} plus every map whose column space lies in
///   range(U_1) + … + range(U_L), the `up` maps of a DAG module with linear experts. Each expert
///   runs once on x and the rounds add maps U_l(…) on top, so this holds the layer's linearization
///   (gate terms aside); a product W_b·W_a is in it only through the rank-(L·d_g) part.
public enum ExpertFamily: Sendable, Equatable {
    case weightedSum
    case chain(depth: Int)
    case dag(rounds: Int, width: Int)

    /// "ws", "chain" or "dag".
    public var name: String {
        switch self {
        case .weightedSum: return "ws"
        case .chain: return "chain"
        case .dag: return "dag"
        }
    }

    /// The longest product in the family (1 for weighted sums), or the DAG module's rounds.
    public var depth: Int {
        switch self {
        case .weightedSum: return 1
        case .chain(let depth): return depth
        case .dag(let rounds, _): return rounds
        }
    }

    /// How many products the family stacks for k selected experts: k + k² + … + k^depth;
    /// nil when that passes Int.max.
    public func columnCount(k: Int) -> Int? {
        if case .dag = self { return nil }
        guard k > 1 else { return k * depth }
        var total = 0, power = 1
        for _ in 0..<depth {
            let (p, o1) = power.multipliedReportingOverflow(by: k)
            let (t, o2) = total.addingReportingOverflow(p)
            if o1 || o2 { return nil }
            (power, total) = (p, t)
        }
        return total
    }

    /// The largest rank the family can have: min(d², k + k² + … + k^depth), or
    /// min(d², k + L·d_g·d) for the DAG family.
    public func bound(k: Int, d: Int) -> Int {
        let space = d * d
        if case .dag(let rounds, let width) = self { return Swift.min(space, k + rounds * width * d) }
        guard let columns = columnCount(k: k) else { return space }
        return Swift.min(space, columns)
    }
}

/// Every product of selected experts up to a length, flattened and stacked, from which each
/// family's span is read off.
///
/// Row j of ``rows`` is vec(P_j), P_j's d² entries in row-major order; products of length 1 come
/// first, then all of length 2, and so on, so the family of depth l is the first
/// k + k² + … + k^l rows. Its singular values are those of the d²×columns matrix with
/// vec(P_j) as columns (a transpose has the same singular values).
///
/// Numerics: the rank is decided from an SVD of the stack itself, never from its Gram matrix.
/// LAPACK's ?gesdd reduces a wide or tall stack by an LQ/QR factorization first and is backward
/// stable, so each σ_i is accurate to about ε·σ_max, the scale of the default tolerance
/// σ_max·max(rows, cols)·ε. The Gram matrix would square the condition number: its eigenvalues σ_i²
/// carry absolute errors of ε·σ_max², so σ_i below √ε·σ_max ≈ 1.5e-8·σ_max would be noise, far
/// above the tolerance (9.1e-13·σ_max for d = 64), and rank drops would be missed.
///
/// Cost: all products of one length come from k gemm calls. Stacking the previous length's
/// products vertically gives an (m·d)×d matrix V, and V·W_s is, in row-major memory, exactly the m
/// flattened products P_j·W_s one after another, so gemm writes them straight into the stack.
/// (Appending a factor on the right yields the same set of words as prepending on the left.)
/// For d = 64, k = 8, L = 3 the stack is 584 × 4096 and the SVD takes well under a second.
public struct ProductStack: Sendable {
    /// The most entries a stack may hold (2²⁵ Float64 values, 256 MiB).
    public static let maxEntries = 1 << 25

    /// count × d², one flattened product per row, shortest products first.
    public let rows: Matrix<Double>
    /// rowsThrough[l − 1] = k + k² + … + k^l: the rows of the family of depth l.
    public let rowsThrough: [Int]
    /// The expert indices multiplied.
    public let selected: [Int]
    public let dimension: Int

    /// Stacks all products of the selected experts of length 1 … `maxLength`.
    ///
    /// Throws when the selection is empty, repeats or names a missing expert, when `maxLength`
    /// < 1, and when the stack would pass ``maxEntries``.
    public init(experts: LinearExperts, selected: [Int], maxLength: Int) throws {
        let d = experts.dimension, k = selected.count
        try ProductStack.checkSelection(selected, count: experts.count)
        guard maxLength >= 1 else { throw LinearAlgebraError.invalidInput("the chain depth must be at least 1 (got \(maxLength))") }
        let family = ExpertFamily.chain(depth: maxLength)
        let columns = family.columnCount(k: k)
        let entries = columns.flatMap { c -> Int? in
            let (e, overflow) = c.multipliedReportingOverflow(by: d * d)
            return overflow ? nil : e
        }
        guard let columns, let entries, entries <= ProductStack.maxEntries else {
            throw LinearAlgebraError.invalidInput(
                "a chain of depth \(maxLength) over \(k) experts of size \(d)×\(d) stacks " +
                "\(columns.map(String.init) ?? "more than \(Int.max)") products of \(d * d) entries, past the limit of " +
                "\(ProductStack.maxEntries) entries; use a smaller depth, fewer experts or smaller ones")
        }
        var data = [Double](repeating: 0, count: columns * d * d)
        for (t, s) in selected.enumerated() {
            data.replaceSubrange(t * d * d..<(t + 1) * d * d, with: experts.matrices[s].data)
        }
        var through = [k]
        var (start, m) = (0, k)
        for _ in 1..<maxLength {
            let next = start + m
            data.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                for (t, s) in selected.enumerated() {
                    experts.matrices[s].data.withUnsafeBufferPointer { w in
                        Double.gemm(transA: false, transB: false, m: m * d, n: d, k: d,
                                    alpha: 1, a: base + start * d * d, lda: d, b: w.baseAddress!, ldb: d,
                                    beta: 0, c: base + (next + t * m) * d * d, ldc: d)
                    }
                }
            }
            (start, m) = (next, m * k)
            through.append(start + m)
        }
        rows = Matrix(rows: columns, cols: d * d, data: data)
        rowsThrough = through
        self.selected = selected
        dimension = d
    }

    /// The stacked products of the family (the first rowsThrough[depth − 1] rows).
    public func matrix(for family: ExpertFamily) -> Matrix<Double> {
        precondition((1...rowsThrough.count).contains(family.depth), "ProductStack holds depths 1…\(rowsThrough.count)")
        let count = rowsThrough[family.depth - 1]
        return Matrix(rows: count, cols: rows.cols, data: Array(rows.data[0..<(count * rows.cols)]))
    }

    /// Throws unless `selected` is a non-empty list of distinct indices below `count`.
    static func checkSelection(_ selected: [Int], count: Int) throws {
        guard !selected.isEmpty else { throw LinearAlgebraError.invalidInput("no experts selected") }
        for i in selected where !(0..<count).contains(i) {
            throw LinearAlgebraError.invalidInput("expert \(i) is selected but does not exist (there are \(count): 0…\(count - 1))")
        }
        guard Set(selected).count == selected.count else {
            throw LinearAlgebraError.invalidInput("the selection \(selected.map(String.init).joined(separator: ",")) repeats an expert")
        }
    }
}

/// The `up` maps U_1 … U_L (each d×d_g) of a DAG module, side by side: a d×(L·d_g) matrix whose
/// range is the column space the module's rounds can write into.
public struct DAGModuleRange: Sendable {
    public let rounds: Int
    public let width: Int
    /// [U_1 | … | U_L], d × (L·d_g).
    public let up: Matrix<Double>

    /// Throws unless `up` has rounds·width columns.
    public init(rounds: Int, width: Int, up: Matrix<Double>) throws {
        guard rounds >= 1, width >= 1, up.cols == rounds * width else {
            throw LinearAlgebraError.invalidInput("a DAG module of \(rounds) rounds of width \(width) needs a d×\(rounds * width) matrix of up maps (got \(up.rows)×\(up.cols))")
        }
        self.rounds = rounds
        self.width = width
        self.up = up
    }

    /// Random U_l with N(0, 1/d) entries from `seed`.
    public static func random(rounds: Int, width: Int, dimension d: Int, seed: UInt64) throws -> DAGModuleRange {
        var rng = SeededRandom(seed: seed)
        return try DAGModuleRange(rounds: rounds, width: width,
                                  up: rng.normalMatrix(rows: d, cols: rounds * width, divisor: Double(d).squareRoot()))
    }

    /// The family's spanning set as rows of length d²: vec(W_i) for the selected experts, then
    /// vec(u_c e_bᵀ) for every column u_c of `up` and every b.
    func stack(experts: LinearExperts, selected: [Int]) throws -> Matrix<Double> {
        let d = experts.dimension
        guard up.rows == d else {
            throw LinearAlgebraError.invalidInput("the DAG module's up maps have \(up.rows) rows; the experts are \(d)×\(d)")
        }
        let count = selected.count + up.cols * d
        guard count * d * d <= ProductStack.maxEntries else {
            throw LinearAlgebraError.invalidInput("the dag family stacks \(count) maps of \(d * d) entries, past the limit of \(ProductStack.maxEntries) entries")
        }
        var rows = Matrix<Double>(rows: count, cols: d * d)
        for (t, s) in selected.enumerated() { for e in 0..<(d * d) { rows[t, e] = experts.matrices[s].data[e] } }
        for c in 0..<up.cols {
            for b in 0..<d {
                let row = selected.count + c * d + b
                for a in 0..<d { rows[row, a * d + b] = up[a, c] }
            }
        }
        return rows
    }

    /// U·A for a random A ((L·d_g)×d, N(0, 1)): a map inside the family whatever the experts.
    public func controlTarget(seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed)
        let a = rng.normalMatrix(rows: up.cols, cols: up.rows)
        return up * a
    }
}
