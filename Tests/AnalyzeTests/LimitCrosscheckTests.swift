import Checkpoint
import Foundation
import Testing

/// A spec-layout checkpoint of all-ones weights with d_ff = d_g = 1, written to a temporary
/// file: small on disk whatever K, L and d say.
private func tinyLayer(d: Int, experts: Int, topK: Int, dagLayers: Int, refTokens: Int? = nil) throws -> String {
    let metadata = ["d_model": String(d), "n_experts": String(experts), "top_k": String(topK), "d_ff": "1", "d_g": "1",
                    "dag_layers": String(dagLayers), "norm": "rmsnorm", "norm_eps": "1e-6", "router": "softmax_topk"]
    var w = SafeTensorsWriter(metadata: metadata)
    func ones(_ name: String, _ shape: [Int]) throws {
        try w.add(name, shape: shape, floats: [Float](repeating: 1, count: shape.reduce(1, *)))
    }
    try ones("router.weight", [experts, d])
    for e in 0..<experts {
        try ones("experts.\(e).w1.weight", [1, d])
        try ones("experts.\(e).w2.weight", [d, 1])
        try ones("experts.\(e).w3.weight", [1, d])
    }
    for l in 0..<dagLayers {
        try ones("dag.\(l).norm.weight", [d])
        try ones("dag.\(l).down.weight", [1, d])
        try ones("dag.\(l).edge.weight", [1, 2])
        try ones("dag.\(l).edge.bias", [1])
        try ones("dag.\(l).node.weight", [1, 2])
        try ones("dag.\(l).up.weight", [d, 1])
    }
    if let refTokens { try ones("ref.x", [refTokens, d]) }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("limit-\(UUID()).safetensors").path
    try w.write(to: path)
    return path
}

/// `analyze crosscheck` bounds its work before starting: a file of a few hundred kilobytes
/// (K = 1024 with 1,024 tokens of ref.x) made it allocate 17 GB, and one of width d = 16,384
/// asked for Jacobians of 2 GB each and SVDs of hours.
@Suite struct LimitCrosscheckTests {
    @Test func edgeGatesOfManyTokensAreRefused() throws {
        let path = try tinyLayer(d: 1, experts: 1024, topK: 1024, dagLayers: 1, refTokens: 1024)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path])
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        // 1024 · (1024·(3 + 2) + 1024·(1024 + 2 + 1) + 4) values.
        #expect(r.stderr.contains("ref.x: 1024 tokens through a layer with K = 1024, L = 1, d = 1, d_ff = 1 need about "
                                  + "1082134528 activations, past the limit of 268435456"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func tooManyRandomTokensAreRefused() throws {
        let path = try tinyLayer(d: 1, experts: 1024, topK: 1024, dagLayers: 1)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path, "--tokens", "1024", "--jacobian-tokens", "0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--tokens: 1024 tokens"), "\(r.stderr)")
        let few = try runAnalyze(["crosscheck", path, "--tokens", "2", "--jacobian-tokens", "0"])
        #expect(few.status == 0, "\(few.stderr)")
    }

    @Test func wideJacobiansAreRefusedUnlessSkipped() throws {
        let path = try tinyLayer(d: 16384, experts: 1, topK: 1, dagLayers: 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("(K + 2)·d² values per token (K = 1, d = 16384), past the limit of 268435456; "
                                  + "--jacobian-tokens 0 skips it"), "\(r.stderr)")
        let skipped = try runAnalyze(["crosscheck", path, "--jacobian-tokens", "0"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("expert utilization"))
    }

    /// d = 4096: 16 tokens · 4096³ is eight times the SVD budget, so at most 2 tokens.
    @Test func jacobianWorkNamesHowManyTokensFit() throws {
        let path = try tinyLayer(d: 4096, experts: 1, topK: 1, dagLayers: 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("the Jacobian test on 16 tokens of width d = 4096 costs tokens·d³ past the limit "
                                  + "of 137438953472 (16 tokens at d = 2048); --jacobian-tokens 2 or 0"), "\(r.stderr)")
    }
}
