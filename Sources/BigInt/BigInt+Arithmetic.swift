import CGMP

extension BigInt {
    public static func + (a: BigInt, b: BigInt) -> BigInt {
        make { cgmp_add($0, a.storage.pointer, b.storage.pointer) }
    }

    public static func - (a: BigInt, b: BigInt) -> BigInt {
        make { cgmp_sub($0, a.storage.pointer, b.storage.pointer) }
    }

    public static func * (a: BigInt, b: BigInt) -> BigInt {
        make { cgmp_mul($0, a.storage.pointer, b.storage.pointer) }
    }

    public static func * (a: BigInt, b: Int) -> BigInt {
        make { cgmp_mul_si($0, a.storage.pointer, b) }
    }

    public static prefix func - (a: BigInt) -> BigInt {
        make { cgmp_neg($0, a.storage.pointer) }
    }

    public static func += (a: inout BigInt, b: BigInt) {
        a.makeUnique()
        cgmp_add(a.storage.pointer, a.storage.pointer, b.storage.pointer)
    }

    public static func -= (a: inout BigInt, b: BigInt) {
        a.makeUnique()
        cgmp_sub(a.storage.pointer, a.storage.pointer, b.storage.pointer)
    }

    public static func *= (a: inout BigInt, b: BigInt) {
        a.makeUnique()
        cgmp_mul(a.storage.pointer, a.storage.pointer, b.storage.pointer)
    }

    public static func *= (a: inout BigInt, b: Int) {
        a.makeUnique()
        cgmp_mul_si(a.storage.pointer, a.storage.pointer, b)
    }

    /// |self|.
    public var magnitude: BigInt { BigInt.make { cgmp_abs($0, storage.pointer) } }

    /// self · 2^n. Traps on negative n.
    public static func << (a: BigInt, n: Int) -> BigInt {
        precondition(n >= 0, "BigInt shift by a negative amount")
        return make { cgmp_mul_2exp($0, a.storage.pointer, UInt(n)) }
    }

    /// ⌊self / 2^n⌋ (floor, as `>>` on Int). Traps on negative n.
    public static func >> (a: BigInt, n: Int) -> BigInt {
        precondition(n >= 0, "BigInt shift by a negative amount")
        return make { cgmp_fdiv_q_2exp($0, a.storage.pointer, UInt(n)) }
    }

    /// self^e for e ≥ 0.
    public func power(_ e: Int) -> BigInt {
        precondition(e >= 0, "BigInt.power needs a non-negative exponent")
        return BigInt.make { cgmp_pow_ui($0, storage.pointer, UInt(e)) }
    }

    /// Quotient and remainder truncated toward zero, as Int's `/` and `%`. Traps on zero.
    public func quotientAndRemainder(dividingBy d: BigInt) -> (quotient: BigInt, remainder: BigInt) {
        precondition(!d.isZero, "BigInt division by zero")
        let q = Storage(), r = Storage()
        cgmp_tdiv_qr(q.pointer, r.pointer, storage.pointer, d.storage.pointer)
        return (BigInt(storage: q), BigInt(storage: r))
    }

    public static func / (a: BigInt, b: BigInt) -> BigInt { a.quotientAndRemainder(dividingBy: b).quotient }
    public static func % (a: BigInt, b: BigInt) -> BigInt { a.quotientAndRemainder(dividingBy: b).remainder }

    /// ⌈self / d⌉. Traps on zero.
    public func ceilingDivided(by d: BigInt) -> BigInt {
        precondition(!d.isZero, "BigInt division by zero")
        return BigInt.make { cgmp_cdiv_q($0, storage.pointer, d.storage.pointer) }
    }

    /// Whether d divides self exactly.
    public func isMultiple(of d: BigInt) -> Bool {
        cgmp_divisible_p(storage.pointer, d.storage.pointer) != 0
    }

    /// self / d when d is known to divide self (faster than `/`). Traps when it does not.
    public func dividedExactly(by d: BigInt) -> BigInt {
        precondition(!d.isZero && isMultiple(of: d), "BigInt.dividedExactly: the division is not exact")
        return BigInt.make { cgmp_divexact($0, storage.pointer, d.storage.pointer) }
    }

    /// self += a · 2^(64·limbs), for self ≥ 0 and a ≥ 0, touching only the limbs at or
    /// above `limbs` (the DAG recurrences add small terms far to the left of large sums).
    public mutating func add(_ a: BigInt, atLimb limbs: Int) {
        precondition(signum >= 0 && a.signum >= 0 && limbs >= 0, "add(_:atLimb:) needs non-negative operands")
        makeUnique()
        cgmp_add_at_limb(storage.pointer, a.storage.pointer, limbs)
    }

    /// self += a · 2^shift, for self ≥ 0 and a ≥ 0.
    public mutating func addShifted(_ a: BigInt, by shift: Int) {
        precondition(shift >= 0, "addShifted needs a non-negative shift")
        let bits = shift % 64
        add(bits == 0 ? a : a << bits, atLimb: shift / 64)
    }

    /// self = self · m / d for positive m and d (each below 2^64) where d divides self · m.
    public mutating func multiply(by m: UInt, exactlyDividingBy d: UInt) {
        precondition(m > 0 && d > 0, "multiply(by:exactlyDividingBy:) needs positive factors")
        makeUnique()
        if m != 1 { cgmp_mul_ui(storage.pointer, storage.pointer, m) }
        if d != 1 { cgmp_divexact_ui(storage.pointer, storage.pointer, d) }
    }

    /// self = self · 2^n (in place).
    public mutating func shiftLeft(_ n: Int) {
        precondition(n >= 0, "shiftLeft needs n ≥ 0")
        makeUnique()
        cgmp_mul_2exp(storage.pointer, storage.pointer, UInt(n))
    }

    /// The binomial coefficient C(n, k); zero when k < 0 or k > n.
    public static func binomial(_ n: Int, _ k: Int) -> BigInt {
        precondition(n >= 0, "binomial needs n ≥ 0")
        guard k >= 0, k <= n else { return BigInt(0) }
        return make { cgmp_bin_uiui($0, UInt(n), UInt(k)) }
    }

    /// n! for n ≥ 0.
    public static func factorial(_ n: Int) -> BigInt {
        precondition(n >= 0, "factorial needs n ≥ 0")
        return make { cgmp_fac_ui($0, UInt(n)) }
    }
}

extension BigInt {
    /// ⌊self^(1/n)⌋ for self ≥ 0 and n ≥ 1.
    public func root(_ n: Int) -> BigInt {
        precondition(n >= 1 && signum >= 0, "BigInt.root needs n ≥ 1 and a non-negative value")
        return BigInt.make { _ = cgmp_root($0, storage.pointer, UInt(n)) }
    }

    /// self · (self − 1) ⋯ (self − k + 1), the falling factorial, for k ≥ 0.
    public func fallingFactorial(_ k: Int) -> BigInt {
        precondition(k >= 0, "fallingFactorial needs k ≥ 0")
        // A balanced product tree keeps the operands of each multiplication similar in size.
        func product(_ lo: Int, _ hi: Int) -> BigInt {
            if hi - lo == 1 { return self - BigInt(lo) }
            let mid = (lo + hi) / 2
            return product(lo, mid) * product(mid, hi)
        }
        return k == 0 ? BigInt(1) : product(0, k)
    }
}
