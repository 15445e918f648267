import BigInt
import Dispatch
import Foundation

/// Labeled DAG counts a(0…K) by Robinson's recurrence
///
///     a(n) = Σ_{m=0}^{n-1} (−1)^{n−m+1} C(n, m) · 2^{m(n−m)} · a(m).
///
/// No step multiplies two large numbers. Each term C(n, m)·a(m)·2^{m(n−m)} is carried
/// from one n to the next as R = C(n,m)·a(m)·2^b with the shift split as
/// m(n−m) = 64ℓ + b: moving to n+1 multiplies R by (n+1)·2^{b′−b} and exactly divides
/// it by (n+1−m) (one small multiply and one small exact division), and the whole-limb
/// part ℓ becomes an offset at which R is added into the sum, touching only the limbs
/// it covers. Terms of each sign go to their own accumulator.
///
/// The m-loop of each n is split across `threads` (each keeps its own sums).
///
/// - Complexity: O(K²) passes over numbers of at most K²/2 bits.
/// - Returns: `[a(0), …, a(K)]`; a = 1, 1, 3, 25, 543, 29281, … (OEIS A003024).
public func labeledDAGCounts(upTo maxK: Int, threads: Int = 2, progress: ((Int) -> Void)? = nil) -> [BigInt] {
    precondition(maxK >= 0 && maxK < 1 << 20, "labeledDAGCounts needs 0 ≤ K < 2^20")
    precondition(threads >= 1, "labeledDAGCounts needs at least one thread")
    var a: [BigInt] = [1]
    a.reserveCapacity(maxK + 1)
    var carried: [BigInt] = []     // R for each m < n
    var shift: [Int] = []          // m(n−m) for each m < n
    carried.reserveCapacity(maxK)
    shift.reserveCapacity(maxK)
    for n in stride(from: 1, through: maxK, by: 1) {
        // The new term m = n − 1: C(n, n−1)·a(n−1) = n·a(n−1), shift (n−1)·1.
        var term = a[n - 1] * n
        term.shiftLeft((n - 1) % 64)
        carried.append(term)
        shift.append(n - 1)
        // Work per m grows like m², so the chunks split Σ m² ≈ m³/3 evenly.
        let chunks = n < 64 ? 1 : threads
        let bounds = (0...chunks).map { c in Int(Foundation.cbrt(Double(c) / Double(chunks)) * Double(n)) }
        var sums = [(plus: BigInt, minus: BigInt)](repeating: (0, 0), count: chunks)
        carried.withUnsafeMutableBufferPointer { carriedBuffer in
            shift.withUnsafeMutableBufferPointer { shiftBuffer in
                sums.withUnsafeMutableBufferPointer { sumsBuffer in
                    let (carried, shift, sums) = (Disjoint(carriedBuffer), Disjoint(shiftBuffer), Disjoint(sumsBuffer))
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        let bits = n * n / 2 + n + 128
                        var plus = BigInt(capacityBits: bits), minus = BigInt(capacityBits: bits)
                        for m in bounds[c]..<(c == chunks - 1 ? n : bounds[c + 1]) {
                            if m < n - 1 {
                                let old = shift[m] % 64, new = (shift[m] + m) % 64
                                shift[m] += m
                                carried[m].step(multiplier: UInt(n), divisor: UInt(n - m), shiftFrom: old, to: new)
                            }
                            if (n - m) % 2 == 1 {
                                plus.add(carried[m], atLimb: shift[m] / 64)
                            } else {
                                minus.add(carried[m], atLimb: shift[m] / 64)
                            }
                        }
                        sums[c] = (plus, minus)
                    }
                }
            }
        }
        a.append(sums.reduce(BigInt(0)) { $0 + $1.plus - $1.minus })
        progress?(n)
    }
    return a
}

extension BigInt {
    /// self · multiplier · 2^(to − from) / divisor, folding the power of two into the
    /// small multiplier or divisor when the product still fits in 64 bits.
    mutating func step(multiplier: UInt, divisor: UInt, shiftFrom from: Int, to: Int) {
        if to >= from {
            let (m, overflow) = multiplier.multipliedReportingOverflow(by: 1 << UInt(to - from))
            if overflow {
                multiply(by: multiplier, exactlyDividingBy: divisor)
                shiftLeft(to - from)
            } else {
                multiply(by: m, exactlyDividingBy: divisor)
            }
        } else {
            let (d, overflow) = divisor.multipliedReportingOverflow(by: 1 << UInt(from - to))
            if overflow {
                multiply(by: multiplier, exactlyDividingBy: divisor)
                self = self >> (from - to)
            } else {
                multiply(by: multiplier, exactlyDividingBy: d)
            }
        }
    }
}

/// A buffer whose elements the threads of one `concurrentPerform` touch disjointly.
struct Disjoint<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
    subscript(i: Int) -> Element {
        get { buffer[i] }
        nonmutating _modify { yield &buffer[i] }
        nonmutating set { buffer[i] = newValue }
    }
}
