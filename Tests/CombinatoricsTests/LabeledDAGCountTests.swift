import Testing
import BigInt
@testable import Combinatorics

/// a(k) against OEIS A003024 and against the exponential generating function identity.
@Suite struct LabeledDAGCountTests {
    @Test func knownTerms() {
        let known = ["1", "1", "3", "25", "543", "29281", "3781503", "1138779265", "783702329343"]
        #expect(labeledDAGCounts(upTo: 8).map(\.description) == known)
    }

    @Test func threadedAndSequentialAgree() {
        #expect(labeledDAGCounts(upTo: 150, threads: 1) == labeledDAGCounts(upTo: 150, threads: 3))
    }

    /// Σ a(k) x^k/(k! 2^C(k,2)) · Σ (−1)^k x^k/(k! 2^C(k,2)) = 1, so for n ≥ 1
    /// Σ_{k=0}^{n} (−1)^{n−k} a(k) · n!/(k!(n−k)!) · 2^{C(n,2) − C(k,2) − C(n−k,2)} = 0,
    /// with C(n,2) − C(k,2) − C(n−k,2) = k(n−k): an independent recomputation of a(n)
    /// from a(0…n−1) by plain products, checked at n = 50 and n = 200.
    @Test(arguments: [50, 200])
    func generatingFunctionIdentity(n: Int) {
        let a = labeledDAGCounts(upTo: n)
        var sum = BigInt(0)
        for k in 0...n {
            let term = BigInt.binomial(n, k) * a[k] * (BigInt(1) << (k * (n - k)))
            sum = (n - k) % 2 == 0 ? sum + term : sum - term
        }
        #expect(sum == 0)
    }

    /// Digit counts and residues of a(50) and a(200) from the plain recurrence in
    /// tools/labeled_dags_reference.py (Python integers).
    @Test func knownValuesAtFiftyAndTwoHundred() {
        let a = labeledDAGCounts(upTo: 200)
        #expect(a[50].description.count == 425)
        #expect((a[50] % BigInt(1_000_000_007)).asInt == 438_378_499)
        #expect(a[200].description.count == 6332)
        #expect((a[200] % BigInt(1_000_000_007)).asInt == 668_489_004)
    }
}
