import BigInt

/// Lonesum k×k 0/1 matrices up to relabeling the k nodes (one permutation on rows and columns).
///
/// A lonesum matrix is the only 0/1 matrix with its row sums r and column sums c, and its
/// columns sums, as a multiset, are the conjugate partition of its row sums (the rows are nested).
/// A relabeling permutes the pairs (r_i, c_i), so an orbit is a multiset of k pairs whose first
/// entries form a multiset R of values 0…k and whose second entries form conj(R). For each R the
/// multisets of pairs are the nonnegative integer matrices whose row sums are the multiplicities
/// of the values in R and whose column sums are those in conj(R) (contingency tables).
/// - Complexity: C(2k, k) multisets R; the contingency tables are counted once per pair of sorted
///   margins.
public func lonesumMatrixOrbits(_ k: Int) -> BigInt {
    precondition(k >= 0, "lonesumMatrixOrbits needs k ≥ 0")
    var total = BigInt(0)
    var multiplicities = [Int](repeating: 0, count: k + 1)
    var known: [[Int]: Int] = [:]
    func choose(_ value: Int, _ remaining: Int) {
        if value == k {
            multiplicities[k] = remaining
            let rows = multiplicities.filter { $0 > 0 }.sorted(), columns = conjugateMultiplicities(multiplicities, k: k).sorted()
            let key = rows + [-1] + columns
            if let tables = known[key] { total += BigInt(tables); return }
            let tables = contingencyTables(rows: rows, columns: columns)
            known[key] = tables
            total += BigInt(tables)
            return
        }
        for m in 0...remaining {
            multiplicities[value] = m
            choose(value + 1, remaining - m)
        }
    }
    choose(0, k)
    return total
}

/// The multiplicities (nonzero only) of the column sums c_j = #{rows with sum > j}, j = 0…k−1,
/// for rows whose sums have multiplicities `rowMultiplicities[v]`, v = 0…k.
func conjugateMultiplicities(_ rowMultiplicities: [Int], k: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: k + 1)
    var above = rowMultiplicities.reduce(0, +)
    for j in 0..<k {
        above -= rowMultiplicities[j]
        counts[above] += 1
    }
    return counts.filter { $0 > 0 }
}

/// Nonnegative integer matrices with the given row and column sums (equal totals); the count
/// fits an Int for totals up to ``RealizableLimits/maxKRoundPatternOrbits``.
func contingencyTables(rows: [Int], columns: [Int]) -> Int {
    var memo: [[Int]: Int] = [:]
    func count(_ row: Int, _ remaining: [Int]) -> Int {
        if row == rows.count { return remaining.allSatisfy { $0 == 0 } ? 1 : 0 }
        let key = [row] + remaining
        if let known = memo[key] { return known }
        var total = 0
        var current = remaining
        func fill(_ column: Int, _ left: Int) {
            if column == current.count - 1 {
                guard left <= current[column] else { return }
                current[column] -= left
                total += count(row + 1, current)
                current[column] += left
                return
            }
            for x in 0...min(left, current[column]) {
                current[column] -= x
                fill(column + 1, left - x)
                current[column] += x
            }
        }
        fill(0, rows[row])
        memo[key] = total
        return total
    }
    return count(0, columns)
}
