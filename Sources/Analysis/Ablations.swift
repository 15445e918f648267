import LinearAlgebra
import MoE

/// The layer's output with parts of its DAG module taken away, each beside the trained one:
/// the module removed (every round's `up` = 0), and for each round l its edge gates replaced by
/// their mean over the tokens per (target, source) entry (a constant structure), hardened to
/// 0/1 at 0.5, or shuffled across tokens (token t takes token π(t)'s whole K×K matrix). The
/// overridden round's gates are fixed; the rounds after it recompute theirs from the ablated
/// states (``DAGMoELayer/forward(_:fixing:)``).
public struct Ablations: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case moduleRemoved = "module removed (up = 0)"
        case meanGates = "mean gates"
        case hardened = "hardened 0/1"
        case shuffled = "shuffled across tokens"
    }

    public struct Row: Sendable {
        public let kind: Kind
        /// The round whose gates were replaced; nil for the module removed (all rounds).
        public let round: Int?
        /// Held-out loss (MSE on the target columns); nil without targets.
        public let loss: Double?
        /// ‖Y_ablated − Y‖_F / ‖Y_removed − Y‖_F: the fraction of the module's effect on the
        /// output the ablation undoes (1 for the module removed).
        public let outputChange: Double
    }

    /// Loss of the trained layer; nil without targets.
    public let trainedLoss: Double?
    public let rows: [Row]
    /// The outputs with the module removed, [T, d] (for the module's share of the output).
    public let removedOutput: Matrix<Double>

    /// Runs every ablation on x ([T, d]); `output` is the layer's own pass on x, `targets`
    /// ([T, c], compared with the first c columns of y) the task's answers when known, and
    /// `shuffleSeed` seeds the permutation of tokens.
    public init(layer: DAGMoELayer<Double>, x: Matrix<Double>, output: LayerOutput<Double>, targets: Matrix<Double>?,
                shuffleSeed: UInt64) {
        let config = layer.config, t = x.rows, k = config.topK
        func loss(_ y: Matrix<Double>) -> Double? { targets.map { Ablations.meanSquaredError(y, $0) } }
        var removed = layer
        for l in 0..<config.dagLayers {
            let name = "dag.\(l).up.weight"
            removed.parameters[name] = Tensor(zeros: removed.parameters[name].shape)
        }
        let yRemoved = removed.forward(x).output.y
        let effect = Ablations.distance(yRemoved, output.y)
        func change(_ y: Matrix<Double>) -> Double { effect > 0 ? Ablations.distance(y, output.y) / effect : 0 }
        var rows = [Row(kind: .moduleRemoved, round: nil, loss: loss(yRemoved), outputChange: effect > 0 ? 1 : 0)]
        var rng = SeededRandom(seed: shuffleSeed)
        var permutation = Array(0..<t)
        for i in stride(from: t - 1, to: 0, by: -1) { permutation.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        for kind in [Kind.meanGates, .hardened, .shuffled] {
            for (l, gates) in output.edgeGates.enumerated() {
                let replaced = Ablations.replace(gates, kind: kind, tokens: t, k: k, permutation: permutation)
                let y = layer.forward(x, fixing: FixedEdgeGates(round: l, gates: replaced)).y
                rows.append(Row(kind: kind, round: l, loss: loss(y), outputChange: change(y)))
            }
        }
        trainedLoss = loss(output.y)
        self.rows = rows
        removedOutput = yRemoved
    }

    static func replace(_ gates: Tensor<Double>, kind: Kind, tokens t: Int, k: Int, permutation: [Int]) -> Tensor<Double> {
        let kk = k * k
        var data = gates.data
        switch kind {
        case .moduleRemoved: break
        case .meanGates:
            for e in 0..<kk {
                let mean = (0..<t).reduce(0.0) { $0 + gates.data[$1 * kk + e] } / Double(max(t, 1))
                for token in 0..<t { data[token * kk + e] = mean }
            }
        case .hardened: data = data.map { $0 > 0.5 ? 1 : 0 }
        case .shuffled:
            for token in 0..<t {
                for e in 0..<kk { data[token * kk + e] = gates.data[permutation[token] * kk + e] }
            }
        }
        return Tensor(shape: gates.shape, data: data)
    }

    /// Mean squared error of y's first c columns against targets [T, c].
    static func meanSquaredError(_ y: Matrix<Double>, _ targets: Matrix<Double>) -> Double {
        var sum = 0.0
        for r in 0..<targets.rows {
            for i in 0..<targets.cols {
                let e = y[r, i] - targets[r, i]
                sum += e * e
            }
        }
        return sum / Double(max(targets.rows * targets.cols, 1))
    }

    static func distance(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
        zip(a.data, b.data).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    /// loss(module removed) − loss(trained): what the module buys; nil without targets.
    public var moduleGain: Double? {
        guard let trainedLoss, let removed = rows.first?.loss else { return nil }
        return removed - trainedLoss
    }

    /// The largest cost over rounds of an ablation kind, as a fraction of the module's gain
    /// (with targets) or as the fraction of the module's output effect undone (without).
    public func worstCost(_ kind: Kind) -> Double? {
        let costs = rows.filter { $0.kind == kind }.map { row -> Double in
            if let gain = moduleGain, let loss = row.loss, let trained = trainedLoss {
                return gain > 0 ? (loss - trained) / gain : 0
            }
            return row.outputChange
        }
        return costs.max()
    }
}
