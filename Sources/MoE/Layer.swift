import LinearAlgebra

/// The DAG-MoE layer of docs/layer.md, forward and backward, batched
/// over T tokens, generic over Float (speed) and Double (checks). docs/layer.md gives the
/// equations as implemented and the backward derivations.
///
/// API:
///
/// ```swift
/// let layer = try DAGMoELayer(parameters: params)            // Parameters<Scalar>, spec names
/// let fresh = try DAGMoELayer<Float>(config: cfg, seed: 1)    // training init, `up` = 0
/// let (out, cache) = layer.forward(x)                          // x: Matrix T×d, T ≥ 1
/// out.y                // Matrix T×d
/// out.topk             // [Int], [T, K] row-major: S in descending p (ties: lower index)
/// out.gates            // Matrix T×K
/// out.edgeGates        // L tensors [T, K, K], [t, i, j] = e_ij (target i, source j)
/// out.loadBalanceLoss, out.zLoss
/// let (gradX, grads) = layer.backward(cache, gradY: g)        // g: Matrix T×d
/// let gx = layer.backward(cache, gradY: g, accumulatingInto: &grads)  // adds onto grads
/// // gradX = dJ/dx (T×d); grads = dJ/dθ by spec name, for
/// // J = Σ⟨y, G⟩ + lb_coef·lb + z_coef·zl (coefficients from the config, or overridden).
/// let jac = layer.tokenJacobians(x: row)                      // one token: J, J_{S_i}, J_shared, g
/// ```
///
/// A cache belongs to the layer (and parameters) that produced it. Selection is piecewise
/// constant: backward differentiates with the forward's S fixed. With L = 0 the same code
/// computes the plain weighted-sum MoE.
public struct DAGMoELayer<Scalar: BLASScalar>: Sendable {
    /// The weights, by spec name; their config is the layer's.
    public var parameters: Parameters<Scalar>

    public var config: LayerConfig { parameters.config }

    /// A layer over given weights; throws `LayerConfigError` for a config it cannot run.
    public init(parameters: Parameters<Scalar>) throws {
        try parameters.config.validate()
        self.parameters = parameters
    }

    /// A layer with fresh weights for training (`Parameters(initializing:seed:)`).
    public init(config: LayerConfig, seed: UInt64) throws {
        try config.validate()
        parameters = Parameters(initializing: config, seed: seed)
    }
}

/// What forward reports, per batch.
public struct LayerOutput<Scalar: BLASScalar>: Sendable {
    /// y, T×d.
    public let y: Matrix<Scalar>
    /// S, [T, K] row-major: token t's experts are `topk[t*K ..< (t+1)*K]`, in descending p.
    public let topk: [Int]
    /// g, T×K, in the order of `topk`.
    public let gates: Matrix<Scalar>
    /// One [T, K, K] tensor per round: [t, i, j] is e_ij, target i, source j.
    public let edgeGates: [Tensor<Scalar>]
    /// lb = N Σ_e f_e P_e over the batch.
    public let loadBalanceLoss: Scalar
    /// zl = mean over tokens of logsumexp(z)².
    public let zLoss: Scalar

    /// Token t's selected experts, in descending p.
    public func selection(ofToken t: Int) -> ArraySlice<Int> {
        let k = gates.cols
        return topk[(t * k)..<((t + 1) * k)]
    }
}

/// Edge gates that replace one round's computed ones (``DAGMoELayer/forward(_:fixing:)``).
public struct FixedEdgeGates<Scalar: BLASScalar>: Sendable {
    /// The round l whose gates are replaced.
    public let round: Int
    /// [T, K, K]: [t, i, j] is e_ij of token t, target i, source j.
    public let gates: Tensor<Scalar>

    public init(round: Int, gates: Tensor<Scalar>) {
        self.round = round
        self.gates = gates
    }
}

/// Everything backward needs from one forward pass (opaque).
public struct LayerCache<Scalar: BLASScalar>: Sendable {
    let shape: LayerShape
    /// The input x, [T, d].
    let x: Buffer<Scalar>
    let router: RouterCache<Scalar>
    let experts: ExpertsCache<Scalar>
    let shared: SwiGLUActivations<Scalar>?
    /// The shared expert's sigmoid gate (extension `shared_gate`), else nil.
    let sharedGate: SharedGateCache<Scalar>?
    let rounds: [DAGRoundCache<Scalar>]
    /// f, the load-balance fractions, [N].
    let fractions: Buffer<Scalar>
}

extension DAGMoELayer {
    /// The layer on a batch x (T×d, T ≥ 1): y, the selection, gates, edge gates and the
    /// auxiliary losses, and the cache for `backward`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Matrix<Scalar>) -> (output: LayerOutput<Scalar>, cache: LayerCache<Scalar>) {
        forward(x, fixing: nil)
    }

    /// The layer on x with round `fixed.round`'s edge gates replaced by `fixed.gates` ([T, K, K]);
    /// the rounds after it compute their gates from the states the fixed gates produce. For
    /// ablations: the output only (backward would differentiate gates that were not computed).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Matrix<Scalar>, fixing fixed: FixedEdgeGates<Scalar>) -> LayerOutput<Scalar> {
        precondition((0..<config.dagLayers).contains(fixed.round) && fixed.gates.shape == [x.rows, config.topK, config.topK],
                     "DAGMoELayer.forward(fixing:): round \(fixed.round) of \(config.dagLayers), gates \(fixed.gates.shape) "
                     + "for \(x.rows) tokens and K = \(config.topK)")
        return forward(x, fixing: Optional(fixed)).output
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func forward(_ x: Matrix<Scalar>, fixing fixed: FixedEdgeGates<Scalar>?)
        -> (output: LayerOutput<Scalar>, cache: LayerCache<Scalar>) {
        let config = self.config
        precondition(x.cols == config.dModel && x.rows >= 1,
                     "DAGMoELayer.forward: x must be T×\(config.dModel) with T ≥ 1, got \(x.rows)×\(x.cols)")
        let s = LayerShape(config, tokens: x.rows), d = s.d, k = s.k
        let input = Buffer(x.data)

        // 1. Router: p, S, g.
        let ext = config.extensions
        let selection = ext.selectionBias ? parameters[ParameterName.selectionBias].data : nil
        let logitBias = ext.routerBias ? parameters[ParameterName.routerBias].data : nil
        let router = parameters.withValues(ParameterName.router) { r in
            withOptionalPointer(selection) { b in
                withOptionalPointer(logitBias) { c in
                    routerForward(config.router, shape: s, x: input.p, weight: r, groups: ext.routerGroups,
                                  scores: ext.routerScores, bias: b, logitBias: c, sparseMixer: ext.sparseMixer)
                }
            }
        }
        // 2. Routed experts, grouped by expert: E_{S_i}(x) for every (token, slot).
        let groups = ExpertGroups(topk: router.topk, experts: s.n)
        let scalesInput = ext.gateScalesInput
        let experts = expertsForward(shape: s, groups: groups, x: input.p, parameters: parameters,
                                     inputGates: scalesInput ? router.gates : nil)

        // 3. Initial nodes x_i^0 = g_i E_{S_i}(x) + x / K (E_{S_i}(g_i x) + x / K with the
        //    extension gate_scales_input).
        var nodes = Buffer<Scalar>(uninitialized: s.nodes * d)
        let invK = 1 / Scalar(k)
        let initial = nodes
        groups.row.withUnsafeBufferPointer { row in
            Parallel.forEach(s.tokens, grain: 64) { range in
                for t in range {
                    let xt = input.p + t * d
                    for i in 0..<k {
                        let r = t * k + i, gate = scalesInput ? 1 : router.gates.p[r]
                        let out = experts.act.out.p + row[r] * d, node = initial.p + r * d
                        for c in 0..<d { node[c] = gate * out[c] + xt[c] * invK }
                    }
                }
            }
        }

        // 4. L rounds of gated message passing.
        var rounds: [DAGRoundCache<Scalar>] = []
        rounds.reserveCapacity(s.rounds)
        for l in 0..<s.rounds {
            let gates = fixed.flatMap { $0.round == l ? Buffer($0.gates.data) : nil }
            let (next, cache) = dagRoundForward(round: l, config: config, shape: s, input: nodes,
                                                parameters: parameters, fixedEdges: gates)
            rounds.append(cache)
            nodes = next
        }

        // 5. y = Σ_i x_i^L (+ Es(x)).
        var y = Matrix<Scalar>(rows: s.tokens, cols: d)
        var shared: SwiGLUActivations<Scalar>? = nil
        if s.sharedFF > 0 {
            let act = SwiGLUActivations<Scalar>(rows: s.tokens, dModel: d, dFF: s.sharedFF)
            swigluForward(blocks: [SwiGLUBlock(first: 0, rows: s.tokens, names: .shared)],
                          dModel: d, dFF: s.sharedFF, x: input.p, parameters: parameters, into: act)
            shared = act
        }
        let sharedGate = config.extensions.sharedGate ? sharedGateForward(shape: s, x: input.p, parameters: parameters) : nil
        y.data.withUnsafeMutableBufferPointer { yb in
            let yp = yb.baseAddress!
            if let shared { yp.update(from: shared.out.p, count: s.tokens * d) }
            sharedGate?.scale(yp, shape: s)
            let last = nodes
            Parallel.forEach(s.tokens, grain: 64) { range in
                for t in range {
                    let yt = yp + t * d
                    for i in 0..<k {
                        let node = last.p + (t * k + i) * d
                        for c in 0..<d { yt[c] += node[c] }
                    }
                }
            }
        }

        // Auxiliary losses.
        let (lb, fractions) = loadBalanceForward(shape: s, probs: router.probs, groups: groups)
        let zl = zLossForward(shape: s, logSumExp: router.logSumExp)

        let output = LayerOutput(
            y: y, topk: router.topk,
            gates: Matrix(rows: s.tokens, cols: k, data: router.gates.array),
            edgeGates: rounds.map { Tensor(shape: [s.tokens, k, k], data: $0.edges.array) },
            loadBalanceLoss: lb, zLoss: zl)
        let cache = LayerCache(shape: s, x: input, router: router, experts: experts, shared: shared, sharedGate: sharedGate,
                               rounds: rounds, fractions: fractions)
        return (output, cache)
    }

    /// Gradients of J = Σ_t ⟨y_t, G_t⟩ + lb_coef·lb + z_coef·zl: dJ/dx (T×d) and dJ/dθ for
    /// every weight. `gradY` is G (T×d, the forward's T); `lbCoef`/`zCoef` default to the config's.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ cache: LayerCache<Scalar>, gradY: Matrix<Scalar>,
                         lbCoef: Double? = nil, zCoef: Double? = nil)
        -> (gradX: Matrix<Scalar>, gradients: Parameters<Scalar>) {
        var gradients = Parameters<Scalar>(zeros: config)
        let gradX = backward(cache, gradY: gradY, accumulatingInto: &gradients, lbCoef: lbCoef, zCoef: zCoef)
        return (gradX, gradients)
    }

    /// The same gradients, with dJ/dθ added onto `gradients` (llm.c style: the caller zeroes
    /// them, or accumulates over micro-batches; a training loop reuses their storage).
    /// Returns dJ/dx.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ cache: LayerCache<Scalar>, gradY: Matrix<Scalar>,
                         accumulatingInto gradients: inout Parameters<Scalar>,
                         lbCoef: Double? = nil, zCoef: Double? = nil) -> Matrix<Scalar> {
        let config = self.config, s = cache.shape, d = s.d, k = s.k
        precondition(gradY.rows == s.tokens && gradY.cols == d,
                     "DAGMoELayer.backward: gradY must be \(s.tokens)×\(d), got \(gradY.rows)×\(gradY.cols)")
        precondition(gradients.config == config, "DAGMoELayer.backward: gradients are for another config")
        let gy = Buffer(gradY.data)
        let dx = Buffer<Scalar>(zeros: s.tokens * d)

        // 5. y = Σ_i x_i^L + Es(x)  ⇒  dx_i^L = G for every node i of the token, and
        //    the shared expert gets dEs = G.
        var dNodes = Buffer<Scalar>(uninitialized: s.nodes * d)
        let dLast = dNodes
        Parallel.forEach(s.tokens, grain: 64) { range in
            for t in range {
                for i in 0..<k { (dLast.p + (t * k + i) * d).update(from: gy.p + t * d, count: d) }
            }
        }
        if let shared = cache.shared {
            let dShared = cache.sharedGate.map {
                sharedGateBackward(shape: s, cache: $0, gradY: gy.p, expertOut: shared.out.p, x: cache.x.p,
                                   parameters: parameters, gradients: &gradients, dX: dx.p)
            }
            let dA = Buffer<Scalar>(uninitialized: s.tokens * s.sharedFF), dB = Buffer<Scalar>(uninitialized: s.tokens * s.sharedFF)
            swigluBackward(blocks: [SwiGLUBlock(first: 0, rows: s.tokens, names: .shared)],
                           dModel: d, dFF: s.sharedFF, x: cache.x.p, parameters: parameters, act: shared,
                           dOut: dShared?.p ?? gy.p, dX: dx.p, gradients: &gradients, dA: dA.p, dB: dB.p)
        }

        // 4. The rounds, last first: dx^{l−1} from dx^l.
        for l in stride(from: s.rounds - 1, through: 0, by: -1) {
            let dIn = Buffer<Scalar>(zeros: s.nodes * d)
            dagRoundBackward(round: l, config: config, shape: s, cache: cache.rounds[l], dOut: dNodes,
                             parameters: parameters, gradients: &gradients, dIn: dIn)
            dNodes = dIn
        }

        // 3. x_i^0 = g_i E_{S_i}(x) + x / K  ⇒  dg_i = dx_i^0 · E_{S_i}(x),
        //    dE_{S_i} = g_i dx_i^0 (into grouped order), dx += (1/K) Σ_i dx_i^0.
        //    (gate_scales_input: x_i^0 = E_{S_i}(g_i x) + x / K  ⇒  dE_{S_i} = dx_i^0, and dg_i
        //    comes from the experts' input gradient below.)
        let scalesInput = config.extensions.gateScalesInput
        let groups = cache.experts.groups
        let dGates = Buffer<Scalar>(uninitialized: s.nodes)
        let dExperts = Buffer<Scalar>(uninitialized: s.nodes * d)
        let invK = 1 / Scalar(k)
        let dInitial = dNodes
        groups.row.withUnsafeBufferPointer { row in
            Parallel.forEach(s.tokens, grain: 64) { range in
                for t in range {
                    let dxt = dx.p + t * d
                    for i in 0..<k {
                        let r = t * k + i, gate = scalesInput ? 1 : cache.router.gates.p[r]
                        let dNode = dInitial.p + r * d
                        let out = cache.experts.act.out.p + row[r] * d, dOut = dExperts.p + row[r] * d
                        var dot: Scalar = 0
                        for c in 0..<d {
                            dot += dNode[c] * out[c]
                            dOut[c] = gate * dNode[c]
                            dxt[c] += invK * dNode[c]
                        }
                        dGates.p[r] = scalesInput ? 0 : dot
                    }
                }
            }
        }

        // 2. The routed experts: dx and the experts' weights.
        expertsBackward(shape: s, cache: cache.experts, dOut: dExperts, parameters: parameters,
                        gradients: &gradients, dX: dx.p,
                        inputGates: scalesInput ? (gates: cache.router.gates, x: UnsafePointer(cache.x.p), dGates: dGates) : nil)

        // 1. The router, with the auxiliary losses' contributions to dp and dz.
        let dProbs = Buffer<Scalar>(zeros: s.tokens * s.n), dLogits = Buffer<Scalar>(zeros: s.tokens * s.n)
        loadBalanceBackward(shape: s, fractions: cache.fractions,
                            coefficient: Scalar(lbCoef ?? config.lbCoef), dProbs: dProbs)
        zLossBackward(shape: s, router: cache.router, coefficient: Scalar(zCoef ?? config.zCoef),
                      dLogits: dLogits)
        parameters.withValues(ParameterName.router) { r in
            gradients.withMutableValues(ParameterName.router) { dR in
                routerBackward(config.router, shape: s, cache: cache.router, dGates: dGates.p,
                               dProbs: dProbs, dLogits: dLogits, x: cache.x.p, weight: r,
                               dX: dx.p, dWeight: dR)
            }
        }
        // z = x Rᵀ + c  ⇒  dc = Σ_t dz_t (extension router_bias).
        if config.extensions.routerBias {
            gradients.withMutableValues(ParameterName.routerBias) { dc in
                for t in 0..<s.tokens { for e in 0..<s.n { dc[e] += dLogits.p[t * s.n + e] } }
            }
        }
        return Matrix(rows: s.tokens, cols: d, data: dx.array)
    }
}

extension LayerCache {
    /// p = softmax(z) for every token, [T, N]: the router's full distribution (also for
    /// `topk_softmax`, whose gates renormalise only the selected entries).
    public var routerProbabilities: Matrix<Scalar> {
        Matrix(rows: shape.tokens, cols: shape.n, data: router.probs.array)
    }
}
