#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// Synthetic regression tasks with a known answer, generated on the fly from seeds.
///
/// A task has F hidden functions f_1 … f_F on R^c, each a one-layer tanh network
/// f_j(v) = tanh(W_j v + b_j) with W_j entries N(0, gain²/c) (gain 1.5, so that tanh is
/// used in its bend, not its linear middle) and b_j entries N(0, 0.1²).
///
/// A token x ∈ R^d carries its content and which functions apply:
///
///     x = [ v (c values) | one-hot(a) (F) | one-hot(b) (F) | … ]     c = d − steps·F
///
/// v ~ N(0, I); the reserved slice holds one one-hot block of F entries per step, the
/// first block naming the function applied first. a, b, … are uniform over 1…F,
/// independently (repeats allowed). The target is, on the content slice:
///
/// - `composition`:  f_b(f_a(v))            (two steps in sequence)
/// - `sum`:          f_a(v) + f_b(v)        (the control: a weighted sum expresses it)
/// - `composition3`: f_c(f_b(f_a(v)))       (three steps in sequence)
///
/// The loss is the mean squared error over the c content coordinates only (`contentWidth`);
/// the code slice is input, not predicted.
///
/// The hidden functions and the held-out batch come from the task's seed, so every run
/// of a task shares them; training batches come from the caller's generator.
public struct SyntheticTask: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case composition, sum, composition3

        /// Hidden functions applied per token.
        public var steps: Int { self == .composition3 ? 3 : 2 }
    }

    /// One hidden function: f(v) = tanh(W v + b), W is c×c.
    public struct HiddenFunction: Sendable {
        public let weight: Matrix<Double>
        public let bias: [Double]

        /// f(v) for one content vector.
        public func callAsFunction(_ v: [Double]) -> [Double] {
            (0..<bias.count).map { i in
                var s = bias[i]
                for j in 0..<v.count { s += weight[i, j] * v[j] }
                return tanh(s)
            }
        }
    }

    public let kind: Kind
    /// d: token width.
    public let dModel: Int
    /// F: hidden functions.
    public let functionCount: Int
    public let seed: UInt64
    public let functions: [HiddenFunction]

    /// The gain of the hidden functions' weights.
    public static let gain = 1.5

    /// c = d − steps·F, the width of the content slice (the first c coordinates).
    public var contentWidth: Int { dModel - kind.steps * functionCount }

    /// A task; throws `TaskError` unless F ≥ 1 and the content slice has at least one coordinate.
    public init(kind: Kind, dModel: Int, functions count: Int = 4, seed: UInt64 = 1) throws(TaskError) {
        guard count >= 1 else { throw TaskError("the task needs at least one hidden function, got \(count)") }
        let c = dModel - kind.steps * count
        guard c >= 1 else {
            throw TaskError("d = \(dModel) leaves no content coordinates: \(kind.rawValue) reserves "
                            + "\(kind.steps)·\(count) = \(kind.steps * count) for the function code")
        }
        self.kind = kind
        self.dModel = dModel
        self.functionCount = count
        self.seed = seed
        var rng = SeededRandom(seed: seed)
        let scale = SyntheticTask.gain / Double(c).squareRoot()
        functions = (0..<count).map { _ in
            HiddenFunction(weight: Matrix(rows: c, cols: c, data: (0..<(c * c)).map { _ in scale * rng.nextNormal() }),
                           bias: (0..<c).map { _ in 0.1 * rng.nextNormal() })
        }
    }

    /// The target's content for content v and the functions `codes` (0-based, first applied first).
    public func target(content v: [Double], codes: [Int]) -> [Double] {
        switch kind {
        case .sum:
            let fa = functions[codes[0]](v), fb = functions[codes[1]](v)
            return zip(fa, fb).map { $0 + $1 }
        case .composition, .composition3:
            return codes.reduce(v) { value, code in functions[code](value) }
        }
    }

    /// `tokens` tokens drawn from `rng`: inputs, targets (content slice, T×c) and the codes.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func batch<Scalar: BLASScalar>(tokens: Int, rng: inout SeededRandom,
                                         as _: Scalar.Type = Scalar.self) -> TaskBatch<Scalar> {
        let c = contentWidth, f = functionCount, steps = kind.steps
        var x = [Scalar](repeating: 0, count: tokens * dModel)
        var y = [Scalar](repeating: 0, count: tokens * c)
        var allCodes: [Int] = []
        allCodes.reserveCapacity(tokens * steps)
        for t in 0..<tokens {
            let v = (0..<c).map { _ in rng.nextNormal() }
            let codes = (0..<steps).map { _ in Int(rng.next() % UInt64(f)) }
            for i in 0..<c { x[t * dModel + i] = Scalar(v[i]) }
            for (s, code) in codes.enumerated() { x[t * dModel + c + s * f + code] = 1 }
            let out = target(content: v, codes: codes)
            for i in 0..<c { y[t * c + i] = Scalar(out[i]) }
            allCodes += codes
        }
        return TaskBatch(x: Matrix(rows: tokens, cols: dModel, data: x), target: Matrix(rows: tokens, cols: c, data: y),
                         codes: allCodes)
    }

    /// The task's fixed held-out batch: `tokens` tokens from a stream derived from the task's seed
    /// (not the stream of the hidden functions, nor any training stream).
    public func heldOut<Scalar: BLASScalar>(tokens: Int, as _: Scalar.Type = Scalar.self) -> TaskBatch<Scalar> {
        var rng = SeededRandom(seed: seed ^ 0x48E1_D0A7_5EED_0001)
        return batch(tokens: tokens, rng: &rng)
    }
}

/// A batch of a synthetic task.
public struct TaskBatch<Scalar: BLASScalar>: Sendable {
    /// Inputs, T×d: content, then the function code.
    public let x: Matrix<Scalar>
    /// Targets on the content slice, T×c.
    public let target: Matrix<Scalar>
    /// The functions per token, [T, steps], 0-based, first applied first.
    public let codes: [Int]

    /// Mean squared error of outputs y (T×d, content in the first c columns) against the
    /// target, and its gradient dLoss/dy (T×d, zero outside the content slice).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func meanSquaredError(_ y: Matrix<Scalar>) -> (loss: Double, gradient: Matrix<Scalar>) {
        let t = target.rows, c = target.cols, d = y.cols
        precondition(y.rows == t && d >= c, "meanSquaredError: y is \(y.rows)×\(d), target \(t)×\(c)")
        var gradient = Matrix<Scalar>(rows: t, cols: d)
        var sum = 0.0
        let scale = 2 / Double(t * c)
        for r in 0..<t {
            for i in 0..<c {
                let e = Double(y[r, i]) - Double(target[r, i])
                sum += e * e
                gradient.data[r * d + i] = Scalar(scale * e)
            }
        }
        return (sum / Double(t * c), gradient)
    }

    /// The mean squared deviation of the targets from their mean: the loss of the best
    /// constant prediction, the scale to judge a loss by.
    public var targetVariance: Double {
        let t = target.rows, c = target.cols
        var total = 0.0
        for i in 0..<c {
            var mean = 0.0
            for r in 0..<t { mean += Double(target[r, i]) }
            mean /= Double(t)
            for r in 0..<t { total += (Double(target[r, i]) - mean) * (Double(target[r, i]) - mean) }
        }
        return total / Double(t * c)
    }
}

/// A task that cannot be built, with the reason.
public struct TaskError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
