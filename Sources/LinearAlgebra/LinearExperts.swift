/// Linear experts E_i(x) = W_i·x with W_i ∈ R^{d×d}, the setting in which rank questions about
/// expert aggregation become linear algebra.
public struct LinearExperts: Sendable {
    /// W_0 … W_{N−1}, each d×d.
    public let matrices: [Matrix<Double>]
    /// A name per expert for error messages (a tensor name, or "expert i").
    public let names: [String]
    public let dimension: Int

    /// Checks that every matrix is d×d for one d ≥ 1 and finite; errors name the offending expert.
    public init(_ matrices: [Matrix<Double>], names: [String]? = nil) throws {
        let names = names ?? matrices.indices.map { "expert \($0)" }
        guard names.count == matrices.count else {
            throw LinearAlgebraError.shapeMismatch("\(matrices.count) experts but \(names.count) names")
        }
        guard let first = matrices.first else { throw LinearAlgebraError.invalidInput("no experts given") }
        let d = first.rows
        for (w, name) in zip(matrices, names) {
            guard w.rows == d, w.cols == d, d >= 1 else {
                throw LinearAlgebraError.shapeMismatch(
                    "\(name) is \(w.rows)×\(w.cols), but every expert must be \(d)×\(d) like \(names[0])")
            }
            guard w.isFinite else { throw LinearAlgebraError.nonFinite(what: name) }
        }
        self.init(unchecked: matrices, names: names)
    }

    private init(unchecked matrices: [Matrix<Double>], names: [String]) {
        self.matrices = matrices
        self.names = names
        dimension = matrices[0].rows
    }

    /// `count` experts with independent N(0, 1/d) entries from ``SeededRandom/nextNormal()`` (expert 0 first,
    /// each row-major). The 1/√d scale keeps ‖W·x‖ ≈ ‖x‖, so products of any length have
    /// comparable norms and no depth dominates the singular values by scale alone.
    public static func random(count: Int, dimension d: Int, seed: UInt64) -> LinearExperts {
        precondition(count >= 1 && d >= 1, "LinearExperts.random needs at least one expert of size ≥ 1")
        var rng = SeededRandom(seed: seed)
        let scale = Double(d).squareRoot()
        let matrices = (0..<count).map { _ in rng.normalMatrix(rows: d, cols: d, divisor: scale) }
        return LinearExperts(unchecked: matrices, names: matrices.indices.map { "expert \($0)" })
    }

    public var count: Int { matrices.count }

    /// W_{f_0}·W_{f_1}⋯W_{f_last} for factors written left to right ("b*a" is [b, a]: a acts first).
    /// Throws when an index is out of range or the list is empty.
    public func product(_ factors: [Int]) throws -> Matrix<Double> {
        guard !factors.isEmpty else { throw LinearAlgebraError.invalidInput("an empty product of experts") }
        for i in factors where !(0..<count).contains(i) {
            throw LinearAlgebraError.invalidInput("expert \(i) does not exist (there are \(count): 0…\(count - 1))")
        }
        return factors.dropLast().reversed().reduce(matrices[factors.last!]) { acc, i in matrices[i] * acc }
    }
}
