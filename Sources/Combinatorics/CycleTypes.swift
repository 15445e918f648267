import BigInt

/// The cycle type of a permutation of n points: how many cycles it has of each length.
///
/// Two permutations are conjugate in S_n exactly when their cycle types agree, so a
/// count that depends only on the cycle type (the structures a permutation fixes)
/// can be summed over the p(n) cycle types instead of the n! permutations.
///
/// ```swift
/// CycleType.all(3).map(\.lengths)   // [[1, 1, 1], [2, 1], [3]]
/// ```
public struct CycleType: Hashable, Sendable {
    /// `multiplicities[p]` cycles of length p, for p = 1…n; index 0 is always 0.
    public let multiplicities: [Int]

    /// A cycle type from cycle lengths in any order; every length must be positive.
    public init(lengths: [Int]) {
        precondition(lengths.allSatisfy { $0 >= 1 }, "cycle lengths must be positive")
        var m = [Int](repeating: 0, count: lengths.reduce(0, +) + 1)
        for p in lengths { m[p] += 1 }
        multiplicities = m
    }

    /// The number of points n.
    public var n: Int { multiplicities.count - 1 }

    /// The cycle lengths, longest first.
    public var lengths: [Int] {
        multiplicities.indices.reversed().flatMap { p in [Int](repeating: p, count: multiplicities[p]) }
    }

    /// z = Π_p p^{m_p} · m_p!, the order of the centralizer of a permutation of this type.
    public var centralizerOrder: BigInt {
        var z = BigInt(1)
        for p in multiplicities.indices where multiplicities[p] > 0 {
            z *= BigInt(p).power(multiplicities[p]) * BigInt.factorial(multiplicities[p])
        }
        return z
    }

    /// n!/z: how many permutations of n points have this cycle type.
    public var classSize: BigInt { BigInt.factorial(n).dividedExactly(by: centralizerOrder) }

    /// Orbits of a permutation of this type on ordered pairs (i, j), i = j included:
    /// Σ over pairs of cycles (c, d), c = d included, of gcd(|c|, |d|).
    public var orbitsOnOrderedPairs: Int {
        var total = 0
        for p in multiplicities.indices where multiplicities[p] > 0 {
            for q in multiplicities.indices where multiplicities[q] > 0 {
                total += multiplicities[p] * multiplicities[q] * greatestCommonDivisor(p, q)
            }
        }
        return total
    }

    /// Every cycle type of S_n, in reverse lexicographic order of the lengths
    /// (the identity 1ⁿ last); one type, the empty one, for n = 0.
    /// - Complexity: p(n) types: 627 at n = 20, 37,338 at n = 40.
    public static func all(_ n: Int) -> [CycleType] {
        precondition(n >= 0, "CycleType.all needs n ≥ 0")
        var out: [CycleType] = []
        var parts: [Int] = []
        func extend(_ remaining: Int, _ largest: Int) {
            if remaining == 0 {
                out.append(CycleType(lengths: parts, n: n))
                return
            }
            for p in stride(from: min(remaining, largest), through: 1, by: -1) {
                parts.append(p)
                extend(remaining - p, p)
                parts.removeLast()
            }
        }
        extend(n, n)
        return out
    }

    private init(lengths: [Int], n: Int) {
        var m = [Int](repeating: 0, count: n + 1)
        for p in lengths { m[p] += 1 }
        multiplicities = m
    }
}

/// The greatest common divisor of two non-negative integers (gcd(0, 0) = 0).
func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
