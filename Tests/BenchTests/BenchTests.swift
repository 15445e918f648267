import Bench
import LinearAlgebra
import MoE
import Testing

/// The benchmarks' own correctness checks on small shapes (their timings are not asserted).
@Suite struct BenchTests {
    @Test func gemmIsCheckedAgainstDouble() {
        let r = GemmBenchmark(n: 24, threads: 1, warmup: 0, repeats: 2, cpuFlags: [], replaced: nil, coretype: nil)
        #expect(r.ok && r.checked == 256 && r.timing.seconds.count == 2)
        #expect(r.source == .library && r.cpuBest == nil)
        let forced = GemmBenchmark(n: 4, threads: 1, warmup: 0, repeats: 1, cpuFlags: [], replaced: "Prescott",
                                   coretype: "Haswell")
        #expect(forced.source == .analyze && forced.checked == 16)
    }

    @Test func layerFloat32AgreesWithFloat64() throws {
        let config = LayerConfig(dModel: 12, nExperts: 4, topK: 2, dFF: 8, dG: 4, dagLayers: 2)
        let r = try LayerBenchmark(config: config, tokens: 16, threads: 1, warmup: 0, repeats: 1)
        #expect(r.ok && r.compared > 0 && r.maxRelativeError < LayerBenchmark.tolerance)
    }

    @Test func medianOfTimings() {
        var calls = 0
        let t = BenchTiming(warmup: 2, repeats: 3) { calls += 1 }
        #expect(calls == 5 && t.seconds.count == 3 && t.median >= 0)
    }
}
