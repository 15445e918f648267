import Foundation
import LinearAlgebra
@testable import MoE
import TestSupport

/// Small configurations and random layers shared by the MoE tests.
enum LayerTestSupport {
    /// W2 (silu(W1 x) ⊙ W3 x) by the formula, with the weights `PREFIX.w1.weight` … of `p`
    /// (`experts.3`, `shared`) and hidden width `dFF`.
    static func swiglu(_ p: Parameters<Double>, _ prefix: String, dFF ff: Int, _ x: [Double]) -> [Double] {
        let d = p.config.dModel
        let w1 = p["\(prefix).w1.weight"].data, w3 = p["\(prefix).w3.weight"].data, w2 = p["\(prefix).w2.weight"].data
        let h = (0..<ff).map { f -> Double in
            let a = (0..<d).reduce(0.0) { $0 + w1[f * d + $1] * x[$1] }
            let b = (0..<d).reduce(0.0) { $0 + w3[f * d + $1] * x[$1] }
            return a / (1 + Foundation.exp(-a)) * b
        }
        return (0..<d).map { c in (0..<ff).reduce(0.0) { $0 + w2[c * ff + $1] * h[$1] } }
    }

    /// A small config; sizes are chosen so that finite differences over every weight stay fast.
    static func config(router: LayerConfig.Router = .softmaxTopK, norm: LayerConfig.Norm = .rmsnorm,
                       shared: Bool = false, rounds: Int = 1, lbCoef: Double = 0.3, zCoef: Double = 0.2) -> LayerConfig {
        LayerConfig(dModel: 6, nExperts: 5, topK: 3, dFF: 4, dG: 3, dagLayers: rounds, norm: norm,
                    normEps: 1e-5, router: router, sharedDFF: shared ? 3 : 0, lbCoef: lbCoef, zCoef: zCoef)
    }

    /// Every weight random and of order one, `up` and the norm weights included
    /// (a fresh init has `up` = 0, which would hide the DAG module's gradients).
    static func randomParameters(_ config: LayerConfig, seed: UInt64) -> Parameters<Double> {
        var rng = SeededRandom(seed: seed &+ 1000)
        var p = Parameters<Double>(initializing: config, seed: seed)
        for (name, shape) in config.parameterShapes {
            let count = shape.reduce(1, *)
            let data: [Double]
            if name.hasSuffix("norm.weight") {
                data = (0..<count).map { _ in 1 + rng.nextUniform(-0.3, 0.3) }
            } else if name.hasSuffix("norm.bias") || name.hasSuffix("up.weight") || name.hasSuffix("edge.bias") {
                data = (0..<count).map { _ in rng.nextUniform(-0.5, 0.5) }
            } else if name == "router.weight" {
                data = (0..<count).map { _ in rng.nextNormal() }
            } else {
                data = p[name].data
            }
            p[name] = Tensor(shape: shape, data: data)
        }
        return p
    }

    /// A T×d matrix of standard normals.
    static func randomMatrix(rows: Int, cols: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed)
        return Matrix(rows: rows, cols: cols, data: (0..<(rows * cols)).map { _ in rng.nextNormal() })
    }

    /// The smallest gap, over tokens, between the K-th and the (K+1)-th largest p
    /// (the distance of the batch from a change of selection); +∞ when K = N.
    static func selectionMargin(_ layer: DAGMoELayer<Double>, _ x: Matrix<Double>) -> Double {
        let (_, cache) = layer.forward(x)
        let n = layer.config.nExperts, k = layer.config.topK
        guard k < n else { return .infinity }
        var margin = Double.infinity
        for t in 0..<x.rows {
            let p = (0..<n).map { cache.router.probs.p[t * n + $0] }.sorted(by: >)
            margin = min(margin, p[k - 1] - p[k])
        }
        return margin
    }

    /// A random layer and batch whose selection is at least `margin` from any change,
    /// trying seeds from `seed` on.
    static func wellSeparatedCase(_ config: LayerConfig, tokens: Int, seed: UInt64, margin: Double = 1e-3)
        throws -> (layer: DAGMoELayer<Double>, x: Matrix<Double>, g: Matrix<Double>) {
        var s = seed
        while true {
            let layer = try DAGMoELayer(parameters: randomParameters(config, seed: s))
            let x = randomMatrix(rows: tokens, cols: config.dModel, seed: s &+ 7)
            if selectionMargin(layer, x) >= margin {
                return (layer, x, randomMatrix(rows: tokens, cols: config.dModel, seed: s &+ 13))
            }
            s &+= 101
        }
    }

    /// J = Σ⟨y, G⟩ + lb_coef·lb + z_coef·zl, the objective backward differentiates.
    static func objective(_ layer: DAGMoELayer<Double>, _ x: Matrix<Double>, _ g: Matrix<Double>) -> Double {
        let out = layer.forward(x).output
        var j = 0.0
        for i in 0..<g.data.count { j += out.y.data[i] * g.data[i] }
        return j + layer.config.lbCoef * out.loadBalanceLoss + layer.config.zCoef * out.zLoss
    }

    /// One directional derivative compared by central differences: for each parameter
    /// tensor and for x, a random direction v, (J(w + εv) − J(w − εv)) / 2ε against
    /// ⟨backward gradient, v⟩. Returns (name, finite difference, backward) per check.
    static func directionalChecks(_ layer: DAGMoELayer<Double>, _ x: Matrix<Double>, _ g: Matrix<Double>,
                                  seed: UInt64, epsilon eps: Double) -> [(name: String, numeric: Double, analytic: Double)] {
        let (gradX, grads) = layer.backward(layer.forward(x).cache, gradY: g)
        var rng = SeededRandom(seed: seed)
        var out: [(String, Double, Double)] = []
        for name in layer.parameters.names {
            let v = (0..<grads[name].data.count).map { _ in rng.nextNormal() }
            let numeric = centralDifference(step: eps) { s in
                var moved = layer
                for i in v.indices { moved.parameters.tensors[name]!.data[i] += s * v[i] }
                return objective(moved, x, g)
            }
            out.append((name, numeric, zip(grads[name].data, v).reduce(0) { $0 + $1.0 * $1.1 }))
        }
        let v = (0..<x.data.count).map { _ in rng.nextNormal() }
        let numeric = centralDifference(step: eps) { s in
            var moved = x
            for i in v.indices { moved.data[i] += s * v[i] }
            return objective(layer, moved, g)
        }
        out.append(("x", numeric, zip(gradX.data, v).reduce(0) { $0 + $1.0 * $1.1 }))
        return out
    }
}
