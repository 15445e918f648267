/// Limits of the DAG enumerators.
public enum DAGEnumerationLimits {
    /// Largest k enumerated: a(7) = 1,138,779,265 labeled DAGs (minutes); the bit
    /// tricks below need node masks under 2^7.
    public static let maxK = 7
}

/// Visits every labeled DAG on k nodes exactly once, rejecting no candidate.
///
/// Nodes are added in label order. Removing the last node of a DAG leaves a DAG, and
/// node v joins a DAG on 0…v−1 with out-set O and in-set I without closing a cycle
/// exactly when I avoids O and everything O reaches. Each node's descendants and
/// ancestors are kept as bit masks packed in one word, so choosing I, and updating
/// the masks after v joins, take a handful of word operations.
///
/// - Parameters:
///   - k: 0…``DAGEnumerationLimits/maxK`` (k = 0 visits the empty DAG).
///   - interval: `progress` is called after every `interval` DAGs with the number visited.
///   - progress: returns false to stop the enumeration early.
///   - visit: called once per DAG.
/// - Returns: true when every DAG was visited, false when `progress` stopped it.
@discardableResult
public func enumerateLabeledDAGs(k: Int, progressEvery interval: Int = 1 << 16,
                                 progress: (Int) -> Bool = { _ in true },
                                 visit: (LabeledDAG) -> Void) -> Bool {
    precondition((0...DAGEnumerationLimits.maxK).contains(k), "enumerateLabeledDAGs needs 0 ≤ k ≤ \(DAGEnumerationLimits.maxK)")
    precondition(interval >= 1, "enumerateLabeledDAGs needs a positive progress interval")
    var visited = 0, untilProgress = interval, stopped = false

    func leaf(_ rows: UInt64) {
        visit(LabeledDAG(k: k, rows: rows))
        visited += 1
        untilProgress -= 1
        if untilProgress == 0 {
            untilProgress = interval
            if !progress(visited) { stopped = true }
        }
    }

    /// Adds node v to a DAG on 0…v−1 in every possible way.
    /// `successors`, `descendants`, `ancestors`: one byte per node.
    func extend(_ v: Int, _ successors: UInt64, _ descendants: UInt64, _ ancestors: UInt64) {
        let earlier: UInt64 = (1 << v) - 1, row = UInt64(8 * v), bit: UInt64 = 1 << v
        var out: UInt64 = 0
        while true {
            let reach = out | union(out, of: descendants)
            let free = earlier & ~reach
            let withOut = successors | out << row
            var into = free
            while true {
                let rows = withOut | spreadToBytes(into) << UInt64(v)
                if v + 1 == k {
                    leaf(rows)
                } else {
                    let above = into | union(into, of: ancestors)
                    extend(v + 1, rows,
                           descendants | spreadToBytes(above) &* (bit | reach) | reach << row,
                           ancestors | spreadToBytes(reach) &* (bit | above) | above << row)
                }
                if stopped || into == 0 { break }
                into = (into - 1) & free
            }
            if stopped || out == earlier { return }
            out += 1
        }
    }

    if k == 0 { leaf(0) } else { extend(0, 0, 0, 0) }
    return !stopped
}

/// The union of the bytes of `packed` selected by `mask`.
@inline(__always)
private func union(_ mask: UInt64, of packed: UInt64) -> UInt64 {
    var rest = mask, result: UInt64 = 0
    while rest != 0 {
        result |= (packed >> UInt64(8 * rest.trailingZeroBitCount)) & 0xFF
        rest &= rest - 1
    }
    return result
}

/// Bit i of a mask below 2^7 moved to bit 8·i: one byte per node, so that
/// `spreadToBytes(m) &* b` writes the byte b (< 2^8) into every node of m.
/// The seven shifted copies of m made by the multiply do not overlap.
@inline(__always)
private func spreadToBytes(_ mask: UInt64) -> UInt64 {
    (mask &* 0x0002_0408_1020_4081) & 0x0101_0101_0101_0101
}
