import BigInt
import Combinatorics
import Testing

/// Unlabeled DAG counts by the cycle-index method, against published terms and
/// against brute-force fixed-point counts of every permutation for k ≤ 5.
struct UnlabeledDAGTests {
    /// OEIS A003087, n = 0…15 (terms through n = 18 were computed by R. W. Robinson).
    static let published = [
        "1", "1", "2", "6", "31", "302", "5984", "243668", "20286025", "3424938010",
        "1165948612902", "797561675349580", "1094026876269892596", "3005847365735456265830",
        "16530851611091131512031070", "181908117707763484218885361402",
    ]

    @Test("unlabeled counts equal OEIS A003087 for n = 0…15")
    func publishedTerms() {
        #expect(unlabeledDAGCounts(upTo: 15).map(\.description) == UnlabeledDAGTests.published)
    }

    @Test("counts up to 20 extend those up to 15 and grow like a(n)/n!")
    func upToTwenty() {
        let counter = UnlabeledDAGCounter(upTo: 20)
        #expect(counter.unlabeled.prefix(16).map(\.description) == UnlabeledDAGTests.published)
        // Each class holds at most n! labeled DAGs, and almost every large DAG has no
        // automorphism, so a(n) is a little above labeled(n)/n!.
        let labeled = labeledDAGCounts(upTo: 20)
        let excess = counter.unlabeled[20].log10 - (labeled[20].log10 - BigInt.factorial(20).log10)
        #expect(excess > 0 && excess < 1e-3)
    }

    /// All permutations of 0..<n.
    static func permutations(_ n: Int) -> [[Int]] {
        func extend(_ prefix: [Int]) -> [[Int]] {
            prefix.count == n ? [prefix] : (0..<n).filter { !prefix.contains($0) }.flatMap { extend(prefix + [$0]) }
        }
        return extend([])
    }

    /// The cycle type of a permutation.
    static func cycleType(_ sigma: [Int]) -> CycleType {
        var seen = Set<Int>(), lengths: [Int] = []
        for start in sigma.indices where !seen.contains(start) {
            var i = start, length = 0
            while seen.insert(i).inserted { i = sigma[i]; length += 1 }
            lengths.append(length)
        }
        return CycleType(lengths: lengths)
    }

    /// `dag` relabeled by σ: node i becomes σ[i].
    static func relabel(_ dag: LabeledDAG, _ sigma: [Int]) -> UInt64 {
        var image: UInt64 = 0
        for i in 0..<dag.k {
            var rest = dag.successors(i)
            while rest != 0 {
                image |= 1 << (8 * sigma[i] + sigma[rest.trailingZeroBitCount])
                rest &= rest - 1
            }
        }
        return image
    }

    @Test("F(λ) equals the labeled DAGs a permutation of type λ fixes, by brute force, k = 1…5", arguments: 1...5)
    func fixedCountsMatchBruteForce(k: Int) {
        var dags: [LabeledDAG] = []
        enumerateLabeledDAGs(k: k) { dags.append($0) }
        let counter = UnlabeledDAGCounter(upTo: k)
        var byType: [CycleType: Int] = [:]
        for sigma in UnlabeledDAGTests.permutations(k) {
            let type = UnlabeledDAGTests.cycleType(sigma)
            // Every permutation of a type fixes as many DAGs; check one of each in full.
            let fixed = byType[type] ?? dags.filter { UnlabeledDAGTests.relabel($0, sigma) == $0.rows }.count
            byType[type] = fixed
            #expect(counter.fixedDAGs(type) == BigInt(fixed), "σ = \(sigma)")
        }
        #expect(byType.count == CycleType.all(k).count)
        // Burnside over all k! permutations.
        let orbitSum = byType.reduce(BigInt(0)) { $0 + $1.key.classSize * $1.value }
        #expect(orbitSum.dividedExactly(by: BigInt.factorial(k)) == counter.unlabeled[k])
    }

    @Test("F(1ⁿ), the identity's fixed DAGs, is the labeled count")
    func identityFixesAll() {
        let counter = UnlabeledDAGCounter(upTo: 12), labeled = labeledDAGCounts(upTo: 12)
        for n in 0...12 {
            #expect(counter.fixedDAGs(CycleType(lengths: Array(repeating: 1, count: n))) == labeled[n])
        }
    }

    @Test("cycle types: p(n) of them, class sizes summing to n!")
    func cycleTypes() {
        let partitions = [1, 1, 2, 3, 5, 7, 11, 15, 22, 30, 42]
        for n in 0...10 {
            let types = CycleType.all(n)
            #expect(types.count == partitions[n])
            #expect(types.reduce(BigInt(0)) { $0 + $1.classSize } == BigInt.factorial(n))
            #expect(Set(types).count == types.count)
        }
        #expect(CycleType.all(20).count == 627)
        #expect(CycleType(lengths: [2, 1, 2]).lengths == [2, 2, 1])
        #expect(CycleType(lengths: [3, 2]).centralizerOrder == 6)
        // σ = (0 1)(2) on the 3×3 cells: {00, 11}, {01, 10}, {02, 12}, {20, 21}, {22}.
        #expect(CycleType(lengths: [2, 1]).orbitsOnOrderedPairs == 5)
    }
}
