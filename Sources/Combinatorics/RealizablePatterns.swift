/// Tests that say whether one round of the spec's edge gate can produce a 0/1 pattern.
///
/// The gate is e_ij = σ(s_i + t_j + b), so a thresholded round [s_i + t_j + b > 0] has nested
/// rows: row i holds the j with t_j > −s_i − b, a set that grows with s_i. A matrix with nested
/// rows is *lonesum*; with a zero diagonal (no self edge) it is an interval order.
public enum EdgePattern {
    /// Whether the k×k 0/1 matrix with byte rows `rows` (bit 8·i + j is entry (i, j)) is lonesum:
    /// any two of its rows are nested, one a subset of the other.
    public static func isLonesum(k: Int, rows: UInt64) -> Bool {
        precondition((0...8).contains(k), "EdgePattern holds at most 8 nodes")
        for i in 0..<k {
            let a = (rows >> (8 * i)) & 0xFF
            for j in (i + 1)..<k {
                let b = (rows >> (8 * j)) & 0xFF
                if a & b != a && a & b != b { return false }
            }
        }
        return true
    }

    /// Row sums and column sums of the matrix, four bits each, packed into one word: row sums in
    /// bits 0…31, column sums in bits 32…63. Two matrices share margins exactly when the words agree.
    public static func margins(k: Int, rows: UInt64) -> UInt64 {
        precondition((0...8).contains(k), "EdgePattern holds at most 8 nodes")
        var key: UInt64 = 0
        for i in 0..<k {
            let row = (rows >> (8 * i)) & 0xFF
            key |= UInt64(row.nonzeroBitCount) << (4 * i)
            var column: UInt64 = 0
            for r in 0..<k { column += (rows >> (8 * r + i)) & 1 }
            key |= column << (32 + 4 * i)
        }
        return key
    }
}

extension LabeledDAG {
    /// Whether one round of the spec's edge gate can produce exactly these edges:
    /// the adjacency matrix is lonesum (``EdgePattern/isLonesum(k:rows:)``).
    public var isLonesum: Bool { EdgePattern.isLonesum(k: k, rows: rows) }

    /// Whether the edges form a strict interval order: transitive, and no two edges a→b, c→d
    /// on four distinct nodes without a→d or c→b (no induced 2+2).
    ///
    /// A poset test, independent of ``isLonesum``; on a zero diagonal the two agree (Fishburn).
    public var isIntervalOrder: Bool {
        for a in 0..<k {
            var rest = successors(a)
            while rest != 0 {
                let b = rest.trailingZeroBitCount
                rest &= rest - 1
                if successors(b) & ~successors(a) != 0 { return false }
            }
        }
        for a in 0..<k {
            for c in 0..<k where c != a {
                var bs = successors(a) & ~(1 << c)
                while bs != 0 {
                    let b = bs.trailingZeroBitCount
                    bs &= bs - 1
                    let ds = successors(c) & ~(1 << a | 1 << b)
                    if ds != 0 && !hasEdge(c, b) && ds & ~successors(a) != 0 { return false }
                }
            }
        }
        return true
    }

    /// Out-degrees and in-degrees packed as in ``EdgePattern/margins(k:rows:)``.
    public var margins: UInt64 { EdgePattern.margins(k: k, rows: rows) }
}

extension EdgePattern {
    /// Every lonesum k×k 0/1 matrix (self entries included) as byte rows, by testing all 2^(k²).
    public static func allLonesum(k: Int) -> [UInt64] {
        precondition((0...5).contains(k), "allLonesum tests all 2^(k²) matrices: k ≤ 5")
        return (0..<(1 << (k * k))).compactMap { code in
            var rows: UInt64 = 0
            for i in 0..<k { rows |= UInt64((code >> (k * i)) & ((1 << k) - 1)) << (8 * i) }
            return isLonesum(k: k, rows: rows) ? rows : nil
        }
    }
}

/// How a sample of thresholded edge patterns compares with the lonesum class.
public struct PatternSampleSummary: Sendable, Equatable {
    public let k: Int
    /// Distinct patterns observed.
    public let observed: Int
    /// Observed patterns that are lonesum (all of them, if the theory holds).
    public let lonesum: Int
    /// Observed patterns without self edges (acyclic: interval orders).
    public let acyclic: Int
    /// Lonesum patterns there are: A048163(k).
    public let classSize: Int
    /// Observed patterns that are not lonesum, as byte rows (empty if the theory holds).
    public let outside: [UInt64]

    /// Compares `observed` (byte rows, k ≤ 5) with every lonesum pattern.
    public init(k: Int, observed: Set<UInt64>) {
        precondition((1...5).contains(k), "PatternSampleSummary needs 1 ≤ k ≤ 5")
        let diagonal = (0..<k).reduce(UInt64(0)) { $0 | 1 << (9 * $1) }
        self.k = k
        self.observed = observed.count
        outside = observed.filter { !EdgePattern.isLonesum(k: k, rows: $0) }.sorted()
        lonesum = observed.count - outside.count
        acyclic = observed.filter { $0 & diagonal == 0 && EdgePattern.isLonesum(k: k, rows: $0) }.count
        classSize = lonesumMatrixCount(k).asInt!
    }

    /// Whether every lonesum pattern was observed.
    public var coversClass: Bool { lonesum == classSize }
}
