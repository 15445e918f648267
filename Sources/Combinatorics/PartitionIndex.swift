/// A perfect index of every cycle type (integer partition) of size at most N, so
/// tables over cycle types can be plain arrays.
///
/// With Q(p, s) the number of partitions with parts ≤ p and size ≤ s, a partition
/// ν, read as its multiplicities (ν_N, ν_{N−1}, …, ν_1) in lexicographic order, has
/// index Σ_p Σ_{j<ν_p} Q(p−1, s_p − j·p), where s_p = N − Σ_{q>p} q·ν_q is the size
/// still unspent when length p is reached. Each length adds its own term, so a
/// search that chooses multiplicities longest length first builds the index as it goes.
struct PartitionIndex: Sendable {
    /// The largest size indexed.
    let maxSize: Int
    /// Q(N, N): the number of indices, 0 ..< count.
    let count: Int
    /// terms[start[p·(N+1) + s] + v] = Σ_{j<v} Q(p−1, s − j·p), for v = 0…⌊s/p⌋.
    private let terms: [Int]
    private let start: [Int]

    init(maxSize n: Int) {
        precondition(n >= 0, "PartitionIndex needs N ≥ 0")
        // q[p][s] = Q(p, s); Q(0, s) = 1.
        var q = [[Int]](repeating: [Int](repeating: 1, count: n + 1), count: n + 1)
        for p in stride(from: 1, through: n, by: 1) {
            for s in 0...n {
                q[p][s] = stride(from: s, through: 0, by: -p).reduce(0) { $0 + q[p - 1][$1] }
            }
        }
        var terms: [Int] = [], start = [Int](repeating: 0, count: (n + 1) * (n + 1))
        for p in stride(from: 1, through: n, by: 1) {
            for s in 0...n {
                start[p * (n + 1) + s] = terms.count
                var sum = 0
                for j in 0...(s / p) {
                    terms.append(sum)
                    sum += q[p - 1][s - j * p]
                }
            }
        }
        maxSize = n
        count = q[n][n]
        self.terms = terms
        self.start = start
    }

    /// The index's term for choosing `multiplicity` cycles of `length` with `budget` points unspent.
    @inline(__always)
    func term(length p: Int, budget s: Int, multiplicity v: Int) -> Int {
        terms[start[p * (maxSize + 1) + s] + v]
    }

    /// The index of a cycle type of size at most N.
    func index(_ type: CycleType) -> Int {
        precondition(type.n <= maxSize, "PartitionIndex: cycle type larger than N")
        var budget = maxSize, index = 0
        for p in stride(from: type.n, through: 1, by: -1) where type.multiplicities[p] > 0 {
            index += term(length: p, budget: budget, multiplicity: type.multiplicities[p])
            budget -= p * type.multiplicities[p]
        }
        return index
    }
}
