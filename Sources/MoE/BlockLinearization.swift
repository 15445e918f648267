import LinearAlgebra

/// The linearization of an L = 0 block (y = x + Σ_i g_i(x) E_{S_i}(x) + s(x) Es(x), or with the
/// extension `gate_scales_input` y = x + Σ_i E_{S_i}(g_i(x) x) + …) at one token, as products
/// with blocks of vectors instead of d×d matrices: J V and Jᵀ U by forward and reverse mode
/// through the router, the selected experts and the shared expert, and with them R V and Rᵀ U
/// for R = J − I − Σ_i g_i J_{S_i} − J_shared (J_shared = s·J_s; J_{S_i} taken where expert i
/// runs), the part of J that no gate-weighted sum of expert Jacobians explains. Only the K
/// selected experts (and the shared one) are needed: the selection is held fixed, as in the
/// dense test. The gates' derivative ∂g/∂z (K×N) comes from the layer's own router backward,
/// so every router extension (sigmoid scores, biases, groups, the sparse mixer) is covered.
public struct BlockLinearization: Sendable {
    public let dModel: Int
    /// R, N×d.
    let routerWeight: Matrix<Double>
    /// ∂g/∂z at the token, K×N.
    let gateJacobian: Matrix<Double>
    let gates: [Double]
    let experts: [any ExpertProducts]
    let states: [ExpertState]
    /// The gate term's direction for slot i, d each: E_{S_i}(x), or J_{S_i}(g_i x)·x when the gate
    /// scales the input (so J = I + Σ_i [g_i J_{S_i} + direction_i ∇g_iᵀ] + …).
    let directions: [[Double]]
    let shared: (expert: any ExpertProducts, state: ExpertState, output: [Double])?
    /// The shared gate's weight w and s = σ(w·x), nil without the extension (s = 1).
    let sharedGate: (weight: [Double], s: Double)?

    /// The block of `config` at token `token` of `routing` (x its d values): `experts` are the
    /// token's selected experts in selection order; `shared` the shared expert, `sharedGate`
    /// the shared gate's weight, `routerBias` and `selectionBias` the router's biases, when the
    /// layer has them.
    public init(config: LayerConfig, x: [Double], routerWeight: [Double], routerBias: [Double]? = nil,
                selectionBias: [Double]? = nil, routing: BlockRouting, token t: Int,
                experts: [any ExpertProducts], shared: (any ExpertProducts)?, sharedGate: [Double]?) {
        precondition(config.dagLayers == 0, "BlockLinearization: an L = 0 block")
        precondition(experts.count == config.topK, "BlockLinearization: the K selected experts")
        let d = config.dModel, n = config.nExperts, k = config.topK
        dModel = d
        self.routerWeight = Matrix(rows: n, cols: d, data: routerWeight)
        let routed = Self.gateJacobian(config, x: x, routerWeight: routerWeight, bias: routerBias,
                                       selectionBias: selectionBias)
        gateJacobian = routed.matrix
        precondition(routed.selection == Array(routing.selection(ofToken: t)),
                     "BlockLinearization: token \(t) routes as in `routing`")
        let gates = Array(routing.gates.data[(t * k)..<((t + 1) * k)])
        self.gates = gates
        self.experts = experts
        let scalesInput = config.extensions.gateScalesInput
        let states = experts.indices.map { i in
            experts[i].state(Matrix(rows: d, cols: 1, data: scalesInput ? x.map { $0 * gates[i] } : x))
        }
        self.states = states
        let column = Matrix(rows: d, cols: 1, data: x)
        directions = experts.indices.map { i in
            scalesInput ? experts[i].jvp(states[i], token: 0, column).data : experts[i].output(states[i]).data
        }
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

    /// ∂g/∂z (K×N) at x, row i from the router's backward with dJ/dg = e_i, and the selection.
    static func gateJacobian(_ config: LayerConfig, x: [Double], routerWeight: [Double], bias: [Double]?,
                             selectionBias: [Double]?) -> (matrix: Matrix<Double>, selection: [Int]) {
        let s = LayerShape(config, tokens: 1), n = s.n, k = s.k
        var out = Matrix<Double>(rows: k, cols: n)
        let dX = Buffer<Double>(zeros: s.d), dWeight = Buffer<Double>(zeros: n * s.d)
        let cache = x.withUnsafeBufferPointer { xp in
            routerWeight.withUnsafeBufferPointer { wp in
                BlockRouting.route(config, shape: s, x: xp.baseAddress!, weight: wp.baseAddress!, bias: bias,
                                   selectionBias: selectionBias)
            }
        }
        for i in 0..<k {
            var unit = [Double](repeating: 0, count: k)
            unit[i] = 1
            let dProbs = Buffer<Double>(zeros: n), dLogits = Buffer<Double>(zeros: n)
            unit.withUnsafeBufferPointer { dg in
                x.withUnsafeBufferPointer { xp in
                    routerWeight.withUnsafeBufferPointer { wp in
                        routerBackward(config.router, shape: s, cache: cache, dGates: dg.baseAddress!, dProbs: dProbs,
                                       dLogits: dLogits, x: xp.baseAddress!, weight: wp.baseAddress!, dX: dX.p,
                                       dWeight: dWeight.p)
                    }
                }
            }
            for e in 0..<n { out[i, e] = dLogits.p[e] }
        }
        return (out, cache.topk)
    }

    /// J V and R V for V (d×m).
    public func apply(_ v: Matrix<Double>) -> (j: Matrix<Double>, r: Matrix<Double>) {
        let m = v.cols, k = gates.count
        // dg = ∂g/∂z · R_w V, K×m.
        let dg = Matrix.product(gateJacobian, Matrix.product(routerWeight, v))
        var j = v, subtract = Matrix<Double>(rows: dModel, cols: m)
        for i in 0..<k {
            let jv = experts[i].jvp(states[i], token: 0, v)
            for a in 0..<dModel {
                for c in 0..<m {
                    j[a, c] += directions[i][a] * dg[i, c] + gates[i] * jv[a, c]
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
        let m = u.cols, k = gates.count
        // c_i = direction_iᵀ U (K×m), back through the gates to dz = (∂g/∂z)ᵀ c (N×m), then R_wᵀ dz.
        var ct = Matrix<Double>(rows: k, cols: m)
        for i in 0..<k { for a in 0..<dModel { for c in 0..<m { ct[i, c] += directions[i][a] * u[a, c] } } }
        let dz = Matrix.product(gateJacobian, ct, transposeA: true)
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
