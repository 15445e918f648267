import BigInt
import Combinatorics
import Testing

/// Module edge patterns up to relabeling: Burnside against a hand-made list for
/// K = 2, L = 1 and against brute-force orbit enumeration for K ≤ 3, L ≤ 2.
struct ModuleOrbitTests {
    /// A pattern's image under σ: bit l·K² + i·K + j is the edge i → j of round l.
    static func relabel(_ pattern: Int, _ sigma: [Int], k: Int, rounds: Int) -> Int {
        var image = 0
        for l in 0..<rounds {
            for i in 0..<k {
                for j in 0..<k where pattern >> (l * k * k + i * k + j) & 1 == 1 {
                    image |= 1 << (l * k * k + sigma[i] * k + sigma[j])
                }
            }
        }
        return image
    }

    /// The orbits of all 2^(K²·L) patterns under every permutation of the K slots.
    static func bruteOrbits(k: Int, rounds: Int) -> [Set<Int>] {
        let perms = UnlabeledDAGTests.permutations(k)
        var seen = [Bool](repeating: false, count: 1 << (k * k * rounds)), orbits: [Set<Int>] = []
        for pattern in seen.indices where !seen[pattern] {
            let orbit = Set(perms.map { relabel(pattern, $0, k: k, rounds: rounds) })
            for p in orbit { seen[p] = true }
            orbits.append(orbit)
        }
        return orbits
    }

    @Test("K = 2, L = 1: the 16 patterns fall into the 10 orbits listed by hand")
    func handListedOrbits() {
        // Bits "abcd" = cells (0,0) (0,1) (1,0) (1,1): self edge 0, edge 0→1, edge 1→0, self edge 1.
        // Swapping the slots sends (a, b, c, d) to (d, c, b, a).
        let byHand: [[String]] = [
            ["0000"], ["1001"], ["0110"], ["1111"],            // fixed by the swap
            ["1000", "0001"], ["0100", "0010"], ["1100", "0011"],
            ["1010", "0101"], ["1110", "0111"], ["1101", "1011"],
        ]
        func pattern(_ bits: String) -> Int {
            bits.enumerated().reduce(0) { $0 | ($1.element == "1" ? 1 << $1.offset : 0) }
        }
        let listed = Set(byHand.map { Set($0.map(pattern)) })
        #expect(listed.flatMap { $0 }.count == 16)
        #expect(Set(ModuleOrbitTests.bruteOrbits(k: 2, rounds: 1)) == listed)
        #expect(modulePatternOrbits(k: 2, rounds: [1]) == [BigInt(byHand.count)])
    }

    @Test("Burnside equals brute-force orbit counts for K ≤ 3, L ≤ 2")
    func bruteForce() {
        for k in 1...3 {
            let burnside = modulePatternOrbits(k: k, rounds: [1, 2])
            for rounds in 1...2 {
                #expect(burnside[rounds - 1] == BigInt(ModuleOrbitTests.bruteOrbits(k: k, rounds: rounds).count),
                        "K = \(k), L = \(rounds)")
            }
        }
    }

    @Test("L = 1 gives the binary relations on K unlabeled points (OEIS A000595); L = 0 one empty pattern")
    func publishedTerms() {
        let relations = [1, 2, 10, 104, 3044, 291968, 96928992]
        #expect((0...6).map { modulePatternOrbits(k: $0, rounds: [1])[0] } == relations.map { BigInt($0) })
        #expect(modulePatternOrbits(k: 5, rounds: [0]) == [BigInt(1)])
    }

    @Test("orbits lie between 2^(K²L)/K! and 2^(K²L), and approach the lower end")
    func bounds() {
        let k = 12, rounds = [1, 2, 4]
        for (l, orbits) in zip(rounds, modulePatternOrbits(k: k, rounds: rounds)) {
            let patterns = BigInt(1) << (k * k * l)
            #expect(orbits * BigInt.factorial(k) >= patterns && orbits <= patterns)
            #expect(orbits.log10 - (patterns.log10 - BigInt.factorial(k).log10) < 1e-4)
        }
    }
}
