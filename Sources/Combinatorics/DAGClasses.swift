/// Visits one canonical form for each isomorphism class of DAGs on k nodes, with
/// the number of its automorphisms.
///
/// Every DAG has labelings in topological order (each edge from a smaller label to
/// a larger), whose adjacency is strictly upper triangular; read column by column
/// (the predecessor mask of node 1, of node 2, …) each gives a code. The canonical
/// form of a class is its topological labeling with the largest code. Each of the
/// 2^(k(k−1)/2) upper-triangular matrices is tested by a search over its own
/// topological labelings that builds their codes column by column: it stops at the
/// first larger column (not canonical) and abandons a branch at a smaller one. The
/// labelings that reproduce the matrix exactly are its automorphisms, so the class
/// holds k!/automorphisms labeled DAGs.
///
/// - Parameters:
///   - k: 0…``DAGEnumerationLimits/maxK``.
///   - interval: `progress` is called after every `interval` matrices with the number tested,
///     out of 2^(k(k−1)/2).
///   - progress: returns false to stop early.
///   - visit: the canonical form (upper triangular) and its automorphism count.
/// - Returns: true when every class was visited, false when `progress` stopped it.
@discardableResult
public func enumerateDAGClasses(k: Int, progressEvery interval: Int = 1 << 12,
                                progress: (Int) -> Bool = { _ in true },
                                visit: (LabeledDAG, _ automorphisms: Int) -> Void) -> Bool {
    precondition((0...DAGEnumerationLimits.maxK).contains(k), "enumerateDAGClasses needs 0 ≤ k ≤ \(DAGEnumerationLimits.maxK)")
    precondition(interval >= 1, "enumerateDAGClasses needs a positive progress interval")
    let pairs = k * (k - 1) / 2
    // The matrix under test: predecessors[j] = its column j, a mask of labels < j.
    var predecessors = [UInt64](repeating: 0, count: max(k, 1))
    // The labeling being built: label of each node (original index), nodes labeled so far.
    var label = [Int](repeating: 0, count: max(k, 1))
    var automorphisms = 0, beaten = false

    /// Tries every node that may take label t next, given the labeled set.
    func assign(_ t: Int, _ labeled: UInt64) {
        if t == k { automorphisms += 1; return }
        var candidates: UInt64 = ((1 << k) - 1) & ~labeled
        while candidates != 0 {
            let x = candidates.trailingZeroBitCount
            candidates &= candidates - 1
            guard predecessors[x] & ~labeled == 0 else { continue }
            var column: UInt64 = 0, rest = predecessors[x]
            while rest != 0 {
                column |= 1 << label[rest.trailingZeroBitCount]
                rest &= rest - 1
            }
            if column > predecessors[t] { beaten = true; return }
            if column < predecessors[t] { continue }
            label[x] = t
            assign(t + 1, labeled | 1 << x)
            if beaten { return }
        }
    }

    for code in 0..<(1 << pairs) {
        var offset = 0, rows: UInt64 = 0
        for j in 0..<k {
            predecessors[j] = UInt64(code >> offset) & ((1 << j) - 1)
            offset += j
            var rest = predecessors[j]
            while rest != 0 {
                rows |= 1 << (8 * rest.trailingZeroBitCount + j)
                rest &= rest - 1
            }
        }
        automorphisms = 0
        beaten = false
        assign(0, 0)
        if !beaten { visit(LabeledDAG(k: k, rows: rows), automorphisms) }
        if (code + 1) % interval == 0 && !progress(code + 1) { return false }
    }
    return true
}
