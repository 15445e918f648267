import Foundation
import LinearAlgebra
import Testing
@testable import MoE

/// Selection order, ties, both gate rules and the router's statistics on hand-made logits.
@Suite struct RouterTests {
    /// A router over d = 1 with x = 1, so that the logits are the weight column itself.
    static func route(_ logits: [Double], k: Int, _ kind: LayerConfig.Router) -> RouterCache<Double> {
        let config = LayerConfig(dModel: 1, nExperts: logits.count, topK: k, dFF: 1, dG: 1, dagLayers: 0)
        let x: [Double] = [1]
        return x.withUnsafeBufferPointer { xp in
            logits.withUnsafeBufferPointer { w in
                routerForward(kind, shape: LayerShape(config, tokens: 1), x: xp.baseAddress!, weight: w.baseAddress!)
            }
        }
    }

    @Test func selectionIsDescendingWithTiesToLowerIndex() {
        #expect(Self.route([1, 3, 3, 2, 3], k: 3, .softmaxTopK).topk == [1, 2, 4])
        #expect(Self.route([1, 3, 3, 2, 3], k: 4, .softmaxTopK).topk == [1, 2, 4, 3])
        #expect(Self.route([0, 0, 0, 0], k: 2, .softmaxTopK).topk == [0, 1])
        #expect(Self.route([-5, 7, 0.5, 7.25], k: 4, .topKSoftmax).topk == [3, 1, 2, 0])
    }

    @Test func softmaxTopKGatesAreTheProbabilities() {
        let logits = [0.5, -1, 2, 1.5]
        let r = Self.route(logits, k: 2, .softmaxTopK)
        let total = logits.map { exp($0) }.reduce(0, +)
        #expect(r.topk == [2, 3])
        #expect(abs(r.gates.p[0] - exp(2) / total) < 1e-15)
        #expect(abs(r.gates.p[1] - exp(1.5) / total) < 1e-15)
        #expect(abs(r.logSumExp.p[0] - log(total)) < 1e-15)
        #expect(abs(r.probs.array.reduce(0, +) - 1) < 1e-15)
    }

    @Test func topKSoftmaxGatesRenormaliseOverTheSelection() {
        let r = Self.route([0.5, -1, 2, 1.5], k: 2, .topKSoftmax)
        let pair = exp(2.0) + exp(1.5)
        #expect(abs(r.gates.p[0] - exp(2) / pair) < 1e-15)
        #expect(abs(r.gates.p[1] - exp(1.5) / pair) < 1e-15)
    }

    /// Huge logits do not overflow: softmax is shifted by the maximum.
    @Test func largeLogitsStayFinite() {
        let r = Self.route([1000, 999, -1000], k: 2, .topKSoftmax)
        #expect(r.gates.array.allSatisfy { $0.isFinite })
        #expect(abs(r.logSumExp.p[0] - (1000 + log(1 + exp(-1.0)))) < 1e-12)
        #expect(abs(r.gates.p[0] - 1 / (1 + exp(-1.0))) < 1e-15)
    }

    /// Pairs grouped by expert in a stable order, with `row` and `pair` inverse to each other.
    @Test func expertGroupsAreAStableCountingSort() {
        let groups = ExpertGroups(topk: [2, 0, 1, 2, 2, 1], experts: 4)
        #expect(groups.offsets == [0, 1, 3, 6, 6])
        #expect(groups.pair == [1, 2, 5, 0, 3, 4])
        for q in 0..<6 { #expect(groups.pair[groups.row[q]] == q) }
        #expect(groups.count(3) == 0)
    }
}
