import Testing
@testable import BigInt

/// Every operator against Int on a grid of small signed values.
@Suite struct BigIntArithmeticTests {
    static let grid = [-1000, -257, -64, -7, -2, -1, 0, 1, 2, 3, 7, 63, 64, 255, 1 << 31, 999_983]

    @Test func additionSubtractionMultiplicationMatchInt() {
        for a in Self.grid {
            for b in Self.grid {
                #expect((BigInt(a) + BigInt(b)).asInt == a + b)
                #expect((BigInt(a) - BigInt(b)).asInt == a - b)
                #expect((BigInt(a) * BigInt(b)).asInt == a * b)
                #expect((BigInt(a) * b).asInt == a * b)
                var x = BigInt(a)
                x += BigInt(b); x -= BigInt(3); x *= BigInt(b)
                #expect(x.asInt == (a + b - 3) * b)
            }
        }
    }

    @Test func divisionTruncatesLikeInt() {
        for a in Self.grid {
            for b in Self.grid where b != 0 {
                let (q, r) = BigInt(a).quotientAndRemainder(dividingBy: BigInt(b))
                #expect(q.asInt == a / b, "\(a) / \(b)")
                #expect(r.asInt == a % b, "\(a) % \(b)")
                #expect(BigInt(a).isMultiple(of: BigInt(b)) == (a % b == 0))
                if a % b == 0 { #expect(BigInt(a).dividedExactly(by: BigInt(b)).asInt == a / b) }
                let ceiling = a / b + ((a % b != 0 && (a < 0) == (b < 0)) ? 1 : 0)
                #expect(BigInt(a).ceilingDivided(by: BigInt(b)).asInt == ceiling)
            }
        }
    }

    @Test func shiftsMatchInt() {
        for a in Self.grid {
            for s in [0, 1, 5, 17] {
                #expect((BigInt(a) << s).asInt == a << s)
                #expect((BigInt(a) >> s).asInt == a >> s, "\(a) >> \(s)")
            }
        }
    }

    @Test func comparisonAndSignMatchInt() {
        for a in Self.grid {
            #expect(BigInt(a).signum == a.signum())
            #expect((-BigInt(a)).asInt == -a)
            #expect(BigInt(a).magnitude.asInt == abs(a))
            for b in Self.grid {
                #expect((BigInt(a) < BigInt(b)) == (a < b))
                #expect((BigInt(a) == BigInt(b)) == (a == b))
            }
        }
    }

    @Test func powersAndBitWidth() {
        for base in [-3, -2, 0, 1, 2, 10] {
            var expected = 1
            for e in 0...12 {
                #expect(BigInt(base).power(e).asInt == expected)
                expected *= base
            }
        }
        for a in [1, 2, 3, 255, 256, 1 << 40] {
            #expect(BigInt(a).bitWidth == Int.bitWidth - a.leadingZeroBitCount)
        }
        #expect(BigInt(0).bitWidth == 0)
    }

    @Test func decimalStringsRoundTrip() {
        for a in Self.grid {
            #expect(BigInt(a).description == String(a))
            #expect(BigInt(String(a)) == BigInt(a))
        }
        #expect(BigInt("12a") == nil)
        #expect(BigInt("") == nil)
        #expect(BigInt("-") == nil)
        #expect(BigInt(" 5") == nil)
    }

    @Test func addAtLimbAndShiftedMatchShiftAndAdd() {
        let a = BigInt(2).power(300) + 12345
        for shift in [0, 1, 63, 64, 65, 200, 1000] {
            var acc = BigInt(3).power(150)
            acc.addShifted(a, by: shift)
            #expect(acc == BigInt(3).power(150) + (a << shift), "shift \(shift)")
        }
        // A carry that runs through every limb of the sum.
        var full = (BigInt(1) << 256) - 1
        full.add(BigInt(1), atLimb: 0)
        #expect(full == BigInt(1) << 256)
    }

    @Test func smallMultiplyDivide() {
        var x = BigInt.factorial(30)
        x.multiply(by: 31, exactlyDividingBy: 30)
        #expect(x == BigInt.factorial(29) * 31)
    }

    @Test func copiesAreIndependent() {
        let a = BigInt(41)
        var b = a
        b += 1
        #expect(a.asInt == 41)
        #expect(b.asInt == 42)
    }
}
