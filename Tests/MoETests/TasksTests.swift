import Foundation
import LinearAlgebra
import MoE
import Testing
import TestSupport

/// The synthetic tasks: layout of the code slice, targets against a direct computation
/// with matrix products, determinism, and the loss and its gradient.
@Suite struct TasksTests {
    /// f(v) = tanh(W v + b) computed with `Matrix.product` and Foundation's tanh.
    static func apply(_ f: SyntheticTask.HiddenFunction, _ v: [Double]) -> [Double] {
        let column = Matrix(rows: v.count, cols: 1, data: v)
        let wv = Matrix.product(f.weight, column)
        return (0..<v.count).map { Foundation.tanh(wv[$0, 0] + f.bias[$0]) }
    }

    @Test(arguments: SyntheticTask.Kind.allCases)
    func targetsFollowTheCodeInTheInput(kind: SyntheticTask.Kind) throws {
        let task = try SyntheticTask(kind: kind, dModel: 20, functions: 3, seed: 5)
        let c = task.contentWidth, f = 3
        #expect(c == 20 - kind.steps * 3)
        var rng = SeededRandom(seed: 9)
        let batch: TaskBatch<Double> = task.batch(tokens: 40, rng: &rng)
        for t in 0..<40 {
            let row = (0..<20).map { batch.x[t, $0] }
            // The code: one one-hot block per step, naming the recorded function.
            var codes: [Int] = []
            for s in 0..<kind.steps {
                let block = Array(row[(c + s * f)..<(c + (s + 1) * f)])
                #expect(block.filter { $0 == 1 }.count == 1 && block.filter { $0 == 0 }.count == f - 1)
                codes.append(block.firstIndex(of: 1)!)
            }
            #expect(codes == Array(batch.codes[(t * kind.steps)..<((t + 1) * kind.steps)]))
            let v = Array(row[0..<c])
            let fs = codes.map { task.functions[$0] }
            let want: [Double]
            switch kind {
            case .sum: want = zip(TasksTests.apply(fs[0], v), TasksTests.apply(fs[1], v)).map { $0 + $1 }
            case .composition: want = TasksTests.apply(fs[1], TasksTests.apply(fs[0], v))
            case .composition3: want = TasksTests.apply(fs[2], TasksTests.apply(fs[1], TasksTests.apply(fs[0], v)))
            }
            for i in 0..<c { #expect(Swift.abs(batch.target[t, i] - want[i]) < 1e-12) }
        }
    }

    @Test func seedsFixFunctionsAndBatches() throws {
        let a = try SyntheticTask(kind: .composition, dModel: 16, seed: 3)
        let b = try SyntheticTask(kind: .composition, dModel: 16, seed: 3)
        let other = try SyntheticTask(kind: .composition, dModel: 16, seed: 4)
        #expect(a.functions[2].weight == b.functions[2].weight)
        #expect(a.functions[2].weight != other.functions[2].weight)
        var r1 = SeededRandom(seed: 1), r2 = SeededRandom(seed: 1)
        let x1: TaskBatch<Float> = a.batch(tokens: 8, rng: &r1)
        let x2: TaskBatch<Float> = a.batch(tokens: 8, rng: &r2)
        #expect(x1.x == x2.x && x1.target == x2.target)
        let held1: TaskBatch<Float> = a.heldOut(tokens: 8), held2: TaskBatch<Float> = b.heldOut(tokens: 8)
        #expect(held1.x == held2.x)
        #expect(held1.x != x1.x)
        // Distinct functions give distinct outputs, and the targets are not near constant.
        let v = [Double](repeating: 0.5, count: a.contentWidth)
        #expect(a.functions[0](v) != a.functions[1](v))
        let big: TaskBatch<Double> = a.heldOut(tokens: 512)
        #expect(big.targetVariance > 0.05)
    }

    @Test func lossAndGradientMatchFiniteDifferences() throws {
        let task = try SyntheticTask(kind: .sum, dModel: 12, functions: 2, seed: 2)
        var rng = SeededRandom(seed: 4)
        let batch: TaskBatch<Double> = task.batch(tokens: 5, rng: &rng)
        let y = Matrix<Double>(rows: 5, cols: 12, data: (0..<60).map { _ in rng.nextNormal() })
        let (loss, gradient) = batch.meanSquaredError(y)
        // By definition: mean over the 5·8 content entries.
        var sum = 0.0
        for t in 0..<5 { for i in 0..<8 { sum += (y[t, i] - batch.target[t, i]) * (y[t, i] - batch.target[t, i]) } }
        #expect(Swift.abs(loss - sum / 40) < 1e-14)
        for index in [0, 7, 8, 11, 30, 59] {
            let numeric = centralDifference(step: 1e-6) { s in
                var moved = y
                moved.data[index] += s
                return batch.meanSquaredError(moved).loss
            }
            #expect(Swift.abs(numeric - gradient.data[index]) < 1e-8)
        }
        #expect(gradient.data[8] == 0 && gradient.data[11] == 0)
    }

    @Test func tooNarrowTokensAreAnError() {
        #expect(throws: TaskError.self) { try SyntheticTask(kind: .composition3, dModel: 12, functions: 4) }
        #expect(throws: TaskError.self) { try SyntheticTask(kind: .sum, dModel: 12, functions: 0) }
    }
}
