import LinearAlgebra

/// The linearization of an L = 0 block (y = x + Σ_i g_i(x) E_{S_i}(x) + s(x) Es(x)) at one
/// token, as products with blocks of vectors instead of d×d matrices: J V and Jᵀ U by forward
/// and reverse mode through the router, the selected experts and the shared expert, and with
/// them R V and Rᵀ U for R = J − I − Σ_i g_i J_{S_i} − J_shared (J_shared = s·J_s), the part
/// of J that no gate-weighted sum of expert Jacobians explains. Only the K selected experts
/// (and the shared one) are needed: the selection is held fixed, as in the dense test.
public struct BlockLinearization: Sendable {
    public let dModel: Int
    let router: LayerConfig.Router
    /// R, N×d.
    let routerWeight: Matrix<Double>
    /// p over the N experts at the token.
    let probabilities: [Double]
    let selection: [Int]
    let gates: [Double]
    let experts: [any ExpertProducts]
    let states: [ExpertState]
    /// E_{S_i}(x), d each.
    let outputs: [[Double]]
    let shared: (expert: any ExpertProducts, state: ExpertState, output: [Double])?
    /// The shared gate's weight w and s = σ(w·x), nil without the extension (s = 1).
    let sharedGate: (weight: [Double], s: Double)?

    /// The block of `config` at token `token` of `routing` (x its d values): `experts` are the
    /// token's selected experts in selection order; `shared` the shared expert, `sharedGate`
    /// the shared gate's weight, when the layer has them.
    public init(config: LayerConfig, x: [Double], routerWeight: [Double], routing: BlockRouting, token t: Int,
                experts: [any ExpertProducts], shared: (any ExpertProducts)?, sharedGate: [Double]?) {
        precondition(config.dagLayers == 0, "BlockLinearization: an L = 0 block")
        precondition(experts.count == config.topK, "BlockLinearization: the K selected experts")
        let d = config.dModel, n = config.nExperts
        dModel = d
        router = config.router
        self.routerWeight = Matrix(rows: n, cols: d, data: routerWeight)
        probabilities = Array(routing.probabilities.data[(t * n)..<((t + 1) * n)])
        selection = Array(routing.selection(ofToken: t))
        gates = Array(routing.gates.data[(t * config.topK)..<((t + 1) * config.topK)])
        let column = Matrix(rows: d, cols: 1, data: x)
        self.experts = experts
        states = experts.map { $0.state(column) }
        outputs = zip(experts, states).map { $0.output($1).data }
        self.shared = shared.map { e in
            let state = e.state(column)
            return (e, state, e.output(state).data)
        }
        self.sharedGate = sharedGate.map { w in
            var z = 0.0
            for c in 0..<d { z += w[c] * x[c] }
            return (w, Double.sigmoid(z))
        }
    }

    /// J V and R V for V (d×m).
    public func apply(_ v: Matrix<Double>) -> (j: Matrix<Double>, r: Matrix<Double>) {
        let m = v.cols, k = selection.count
        // dg (K×m) from dz = R_w V.
        let dz = Matrix.product(routerWeight, v)
        var dg = Matrix<Double>(rows: k, cols: m)
        for c in 0..<m {
            switch router {
            case .softmaxTopK:
                // g_i = p[S_i], dp = p ⊙ (dz − ⟨p, dz⟩).
                var mean = 0.0
                for e in probabilities.indices { mean += probabilities[e] * dz[e, c] }
                for i in 0..<k { dg[i, c] = probabilities[selection[i]] * (dz[selection[i], c] - mean) }
            case .topKSoftmax:
                // g = softmax(z[S]): dg_i = g_i (dz[S_i] − Σ_j g_j dz[S_j]).
                var mean = 0.0
                for i in 0..<k { mean += gates[i] * dz[selection[i], c] }
                for i in 0..<k { dg[i, c] = gates[i] * (dz[selection[i], c] - mean) }
            }
        }
        var j = v, subtract = Matrix<Double>(rows: dModel, cols: m)
        for i in 0..<k {
            let jv = experts[i].jvp(states[i], token: 0, v)
            for a in 0..<dModel {
                for c in 0..<m {
                    j[a, c] += outputs[i][a] * dg[i, c] + gates[i] * jv[a, c]
                    subtract[a, c] += gates[i] * jv[a, c]
                }
            }
        }
        if let shared {
            let jv = shared.expert.jvp(shared.state, token: 0, v)
            let s = sharedGate?.s ?? 1
            var wv = [Double](repeating: 0, count: m)
            if let w = sharedGate?.weight {
                for a in 0..<dModel { for c in 0..<m { wv[c] += w[a] * v[a, c] } }
            }
            for a in 0..<dModel {
                for c in 0..<m {
                    j[a, c] += s * jv[a, c] + s * (1 - s) * shared.output[a] * wv[c]
                    subtract[a, c] += s * jv[a, c]
                }
            }
        }
        var r = j
        for i in r.data.indices { r.data[i] -= v.data[i] + subtract.data[i] }
        return (j, r)
    }

    /// Jᵀ U and Rᵀ U for U (d×m).
    public func applyTransposed(_ u: Matrix<Double>) -> (j: Matrix<Double>, r: Matrix<Double>) {
        let m = u.cols, k = selection.count, n = probabilities.count
        // c_i = E_iᵀ U, back through the gates to dz (N×m), then R_wᵀ dz.
        var dz = Matrix<Double>(rows: n, cols: m)
        for c in 0..<m {
            var ct = [Double](repeating: 0, count: k)
            for i in 0..<k { for a in 0..<dModel { ct[i] += outputs[i][a] * u[a, c] } }
            switch router {
            case .softmaxTopK:
                var mean = 0.0
                for i in 0..<k { mean += probabilities[selection[i]] * ct[i] }
                for e in 0..<n { dz[e, c] = -probabilities[e] * mean }
                for i in 0..<k { dz[selection[i], c] += probabilities[selection[i]] * ct[i] }
            case .topKSoftmax:
                var mean = 0.0
                for i in 0..<k { mean += gates[i] * ct[i] }
                for i in 0..<k { dz[selection[i], c] += gates[i] * (ct[i] - mean) }
            }
        }
        var j = Matrix.product(routerWeight, dz, transposeA: true)
        for i in j.data.indices { j.data[i] += u.data[i] }
        var subtract = Matrix<Double>(rows: dModel, cols: m)
        for i in 0..<k {
            let ju = experts[i].vjp(states[i], token: 0, u)
            for q in j.data.indices {
                j.data[q] += gates[i] * ju.data[q]
                subtract.data[q] += gates[i] * ju.data[q]
            }
        }
        if let shared {
            let ju = shared.expert.vjp(shared.state, token: 0, u)
            let s = sharedGate?.s ?? 1
            for q in j.data.indices {
                j.data[q] += s * ju.data[q]
                subtract.data[q] += s * ju.data[q]
            }
            if let w = sharedGate?.weight {
                for c in 0..<m {
                    var eu = 0.0
                    for a in 0..<dModel { eu += shared.output[a] * u[a, c] }
                    for a in 0..<dModel { j[a, c] += s * (1 - s) * w[a] * eu }
                }
            }
        }
        var r = j
        for i in r.data.indices { r.data[i] -= u.data[i] + subtract.data[i] }
        return (j, r)
    }
}
