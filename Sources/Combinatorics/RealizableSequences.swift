import BigInt

/// Where the realizable counts of `analyze count` stop being computed.
public enum RealizableLimits {
    /// Lonesum matrices: one row of Stirling numbers, O(k²) additions and small products.
    public static let maxKRoundPatterns = 2048
    /// Interval orders and Fishburn numbers: k products of truncated power series, O(k³) products
    /// of large numbers.
    public static let maxKRoundDAGs = 160
    /// Lonesum matrices up to relabeling: a sum over the C(2k, k) row-sum multisets of a count of
    /// contingency tables.
    public static let maxKRoundPatternOrbits = 10
}

/// Lonesum k×k 0/1 matrices: the poly-Bernoulli number B_k^(−k) (OEIS A048163), by
///
///     L(k) = Σ_{m=0..k} (m!)² · S(k+1, m+1)²,
///
/// S the Stirling numbers of the second kind. A lonesum matrix (no 2×2 submatrix equal to a
/// permutation matrix) has nested rows; reading its distinct nonzero rows as a chain, the rows
/// fall into m + 1 ordered blocks (one for the empty row) and so do the columns, which gives
/// (m!)·S(k+1, m+1) for each side.
/// - Complexity: one row of Stirling numbers, O(k²) small-factor products.
public func lonesumMatrixCount(_ k: Int) -> BigInt {
    precondition(k >= 0, "lonesumMatrixCount needs k ≥ 0")
    let row = stirlingSecondKindRow(k + 1)
    var total = BigInt(0), factorial = BigInt(1)
    for m in 0...k {
        if m > 0 { factorial *= m }
        let term = factorial * row[m + 1]
        total += term * term
    }
    return total
}

/// S(n, 0…n), the Stirling numbers of the second kind, by S(n, m) = m·S(n−1, m) + S(n−1, m−1).
func stirlingSecondKindRow(_ n: Int) -> [BigInt] {
    var row = [BigInt](repeating: 0, count: n + 1)
    row[0] = 1
    for r in stride(from: 1, through: n, by: 1) {
        for m in stride(from: r, through: 1, by: -1) {
            row[m] *= m
            row[m] += row[m - 1]
        }
        row[0] = 0
    }
    return row
}

/// Labeled (strict) interval orders on 0…K points (OEIS A079144), from the exponential generating
/// function Σ_{n≥0} Π_{i=1..n} (1 − e^{−i·x}).
///
/// Each factor has no constant term, so only n ≤ K contributes below x^{K+1}. Series are held as
/// m!·[x^m] (integers) and multiplied by binomial convolution; the factor 1 − e^{−ix} has
/// m!·[x^m] = (−1)^{m+1}·i^m for m ≥ 1.
/// - Complexity: K series products of O(K²) large-number products each.
public func intervalOrderCounts(upTo k: Int) -> [BigInt] {
    precondition(k >= 0, "intervalOrderCounts needs K ≥ 0")
    let binomials = pascalTriangle(k)
    var product = [BigInt](repeating: 0, count: k + 1)
    product[0] = 1
    var total = product
    for i in stride(from: 1, through: k, by: 1) {
        var factor = [BigInt](repeating: 0, count: k + 1), power = BigInt(1)
        for m in stride(from: 1, through: k, by: 1) {
            power *= i
            factor[m] = m % 2 == 1 ? power : -power
        }
        var next = [BigInt](repeating: 0, count: k + 1)
        for m in stride(from: i, through: k, by: 1) {
            var sum = BigInt(0)
            for j in stride(from: i - 1, through: m - 1, by: 1) where !product[j].isZero {
                sum += binomials[m][j] * product[j] * factor[m - j]
            }
            next[m] = sum
        }
        product = next
        for m in stride(from: i, through: k, by: 1) { total[m] += product[m] }
    }
    return total
}

/// Unlabeled interval orders on 0…K points, the Fishburn numbers (OEIS A022493), from the
/// ordinary generating function Σ_{n≥0} Π_{i=1..n} (1 − (1 − x)^i), whose factor i has
/// [x^m] = (−1)^{m+1}·C(i, m) for m ≥ 1.
/// - Complexity: K truncated series products of O(K²) large-number products each.
public func fishburnCounts(upTo k: Int) -> [BigInt] {
    precondition(k >= 0, "fishburnCounts needs K ≥ 0")
    let binomials = pascalTriangle(k)
    var product = [BigInt](repeating: 0, count: k + 1)
    product[0] = 1
    var total = product
    for i in stride(from: 1, through: k, by: 1) {
        var next = [BigInt](repeating: 0, count: k + 1)
        for m in stride(from: i, through: k, by: 1) {
            var sum = BigInt(0)
            for j in stride(from: i - 1, through: m - 1, by: 1) where m - j <= i && !product[j].isZero {
                let c = product[j] * binomials[i][m - j]
                if (m - j) % 2 == 1 { sum += c } else { sum -= c }
            }
            next[m] = sum
        }
        product = next
        for m in stride(from: i, through: k, by: 1) { total[m] += product[m] }
    }
    return total
}

/// C(n, j) for 0 ≤ j ≤ n ≤ `size`.
func pascalTriangle(_ size: Int) -> [[BigInt]] {
    var rows: [[BigInt]] = [[1]]
    for n in stride(from: 1, through: size, by: 1) {
        let previous = rows[n - 1]
        rows.append((0...n).map { j in j == 0 || j == n ? BigInt(1) : previous[j - 1] + previous[j] })
    }
    return rows
}
