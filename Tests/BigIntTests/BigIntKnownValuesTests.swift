import Testing
@testable import BigInt

/// Huge values with independently known digits or structure.
@Suite struct BigIntKnownValuesTests {
    @Test func twoToThe128() {
        #expect((BigInt(1) << 128).description == "340282366920938463463374607431768211456")
    }

    @Test func factorialOf50() {
        #expect(BigInt.factorial(50).description ==
                "30414093201713378043612608166064768844377641568960512000000000000")
    }

    @Test func mersennePrime127() {
        // 2^127 − 1, a Mersenne prime (Lucas).
        #expect(((BigInt(1) << 127) - 1).description == "170141183460469231731687303715884105727")
    }

    @Test func binomials() {
        #expect(BigInt.binomial(100, 50).description == "100891344545564193334812497256")
        #expect(BigInt.binomial(64, 8).asInt == 4_426_165_368)
        #expect(BigInt.binomial(5, 7) == 0)
        // C(2n, n) = Σ C(n, i)² for n = 200 (Vandermonde).
        let sum = (0...200).reduce(BigInt(0)) { $0 + BigInt.binomial(200, $1).power(2) }
        #expect(sum == BigInt.binomial(400, 200))
    }

    @Test func log10OfHugeNumbers() {
        #expect(abs(BigInt(10).power(5000).log10 - 5000) < 1e-9)
        #expect(abs((BigInt(1) << 100_000).log10 - 100_000 * 0.30102999566398120) < 1e-6)
        #expect(BigInt(0).log10 == -.infinity)
        #expect(BigInt(10).power(5000).description.count == 5001)
    }

    @Test func rootsAndFallingFactorials() {
        #expect(BigInt(10).power(60).root(3) == BigInt(10).power(20))
        #expect((BigInt(10).power(60) - 1).root(3) == BigInt(10).power(20) - 1)
        #expect(BigInt(10).fallingFactorial(3).asInt == 720)
        #expect(BigInt(100).fallingFactorial(100) == BigInt.factorial(100))
        #expect(BigInt(5).fallingFactorial(0).asInt == 1)
    }

    @Test func exactDivisionOfHugeValues() {
        let a = BigInt.factorial(300), b = BigInt.factorial(150)
        #expect(a.dividedExactly(by: b) * b == a)
        #expect((a + 1).isMultiple(of: b) == false)
    }
}
