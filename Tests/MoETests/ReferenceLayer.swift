import Foundation
@testable import MoE

/// The spec's layer written token by token with plain loops, straight from
/// docs/layer.md, as an independent answer for the batched,
/// gemm-based implementation: it forms c_ij = [h_i; h_j] and multiplies M c_ij per pair.
struct ReferenceLayer {
    let config: LayerConfig
    let parameters: Parameters<Double>

    struct TokenResult {
        var y: [Double]
        var probs: [Double]
        var logSumExp: Double
        var topk: [Int]
        var gates: [Double]
        /// edges[l][i][j].
        var edges: [[[Double]]]
    }

    /// W v for a row-major rows×cols matrix.
    func matVec(_ name: String, _ v: [Double]) -> [Double] {
        let w = parameters[name], rows = w.shape[0], cols = w.shape[1]
        return (0..<rows).map { r in (0..<cols).reduce(0.0) { $0 + w.data[r * cols + $1] * v[$1] } }
    }

    func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }

    /// A SwiGLU expert by prefix, for example "experts.2" or "shared".
    func expert(_ prefix: String, _ x: [Double]) -> [Double] {
        let a = matVec("\(prefix).w1.weight", x), b = matVec("\(prefix).w3.weight", x)
        let h = zip(a, b).map { $0 * sigmoid($0) * $1 }
        return matVec("\(prefix).w2.weight", h)
    }

    func norm(_ l: Int, _ x: [Double]) -> [Double] {
        let d = Double(x.count), eps = config.normEps, w = parameters["dag.\(l).norm.weight"].data
        switch config.norm {
        case .rmsnorm:
            let ms = x.reduce(0) { $0 + $1 * $1 } / d
            return x.indices.map { x[$0] / (ms + eps).squareRoot() * w[$0] }
        case .layernorm:
            let mean = x.reduce(0, +) / d
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / d
            let b = parameters["dag.\(l).norm.bias"].data
            return x.indices.map { (x[$0] - mean) / (variance + eps).squareRoot() * w[$0] + b[$0] }
        }
    }

    func token(_ x: [Double]) -> TokenResult {
        let n = config.nExperts, k = config.topK
        // 1. Router.
        let z = matVec("router.weight", x)
        let zmax = z.max()!
        let sum = z.reduce(0) { $0 + exp($1 - zmax) }
        let p = z.map { exp($0 - zmax) / sum }
        let order = (0..<n).sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
        let s = Array(order.prefix(k))
        let gates: [Double]
        switch config.router {
        case .softmaxTopK: gates = s.map { p[$0] }
        case .topKSoftmax:
            let m = s.map { z[$0] }.max()!
            let total = s.reduce(0) { $0 + exp(z[$1] - m) }
            gates = s.map { exp(z[$0] - m) / total }
        }
        // 2–3. Experts and initial nodes.
        var nodes = (0..<k).map { i in
            zip(expert("experts.\(s[i])", x), x).map { gates[i] * $0 + $1 / Double(k) }
        }
        // 4. Rounds.
        var edges: [[[Double]]] = []
        for l in 0..<config.dagLayers {
            let hs = nodes.map { matVec("dag.\(l).down.weight", norm(l, $0)) }
            let a = parameters["dag.\(l).edge.weight"].data, b = parameters["dag.\(l).edge.bias"].data[0]
            var e = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            var next = nodes
            for i in 0..<k {
                var m = [Double](repeating: 0, count: config.dG)
                for j in 0..<k {
                    let c = hs[i] + hs[j]
                    e[i][j] = sigmoid(zip(a, c).reduce(0) { $0 + $1.0 * $1.1 } + b)
                    let mc = matVec("dag.\(l).node.weight", c)
                    for r in m.indices { m[r] += e[i][j] * mc[r] }
                }
                let um = matVec("dag.\(l).up.weight", m)
                for c in next[i].indices { next[i][c] += um[c] }
            }
            nodes = next
            edges.append(e)
        }
        // 5. Readout.
        var y = [Double](repeating: 0, count: x.count)
        for node in nodes { for c in y.indices { y[c] += node[c] } }
        if config.sharedDFF > 0 {
            let es = expert("shared", x)
            for c in y.indices { y[c] += es[c] }
        }
        return TokenResult(y: y, probs: p, logSumExp: zmax + log(sum), topk: s, gates: gates, edges: edges)
    }

    /// The auxiliary losses over a batch of token results.
    func losses(_ tokens: [TokenResult]) -> (lb: Double, zl: Double) {
        let n = config.nExperts, t = Double(tokens.count), pairs = t * Double(config.topK)
        var lb = 0.0
        for e in 0..<n {
            let f = Double(tokens.reduce(0) { $0 + $1.topk.filter { $0 == e }.count }) / pairs
            let meanP = tokens.reduce(0) { $0 + $1.probs[e] } / t
            lb += f * meanP
        }
        let zl = tokens.reduce(0) { $0 + $1.logSumExp * $1.logSumExp } / t
        return (Double(n) * lb, zl)
    }
}
