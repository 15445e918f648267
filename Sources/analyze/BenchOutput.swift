import Bench
import Foundation
import LinearAlgebra
import MoE
import Report

/// Text and JSON for `analyze bench`.
enum BenchOutput {
    static func layer(_ r: LayerBenchmark, peer: PeerBenchmark?, format: SummaryFormat) -> String {
        let c = r.config
        var pairs: [(String, JSON)] = [
            ("d", .int(c.dModel)), ("n", .int(c.nExperts)), ("k", .int(c.topK)), ("d_ff", .int(c.dFF)),
            ("d_g", .int(c.dG)), ("depth", .int(c.dagLayers)), ("tokens", .int(r.tokens)),
            ("threads", .int(r.threads)), ("kernel", .string(BLASKernel.loaded)),
            ("repeats", .int(r.timing.seconds.count)),
            ("tokens_per_s", .double(Numbers.rounded(r.tokensPerSecond))), ("ms_per_step", .double(Numbers.rounded(r.msPerStep))),
            ("check", .object([("max_rel_error", .double(r.maxRelativeError)), ("tokens_compared", .int(r.compared)),
                               ("ok", .bool(r.ok))])),
        ]
        if let peer {
            pairs.append(("peer", .object([("impl", .string(peer.name)),
                                           ("tokens_per_s", .double(Numbers.rounded(peer.tokensPerSecond))),
                                           ("ms_per_step", .double(Numbers.rounded(peer.msPerStep)))])))
            pairs.append(("ratio", .double(Numbers.rounded(r.tokensPerSecond / peer.tokensPerSecond))))
        }
        if format == .json { return JSON.object(pairs).rendered() + "\n" }
        var lines = [
            "layer d=\(c.dModel) N=\(c.nExperts) K=\(c.topK) d_ff=\(c.dFF) d_g=\(c.dG) L=\(c.dagLayers) T=\(r.tokens), "
                + "\(r.threads) thread(s), OpenBLAS kernel \(BLASKernel.loaded)",
            "swift    \(perSecond(r.tokensPerSecond)) tokens/s  \(String(format: "%.2f", r.msPerStep)) ms/step "
                + "(median of \(r.timing.seconds.count))",
        ]
        if let peer {
            lines.append("\(peer.name)  \(perSecond(peer.tokensPerSecond)) tokens/s  \(String(format: "%.2f", peer.msPerStep)) ms/step")
            lines.append("ratio    \(String(format: "%.2f", r.tokensPerSecond / peer.tokensPerSecond))× (swift / peer)")
        }
        lines.append("check    Float32 vs Float64 max rel error \(Numbers.short(r.maxRelativeError)) "
            + "over \(r.compared) tokens: \(r.ok ? "ok" : "FAIL")")
        return lines.joined(separator: "\n") + "\n"
    }

    static func gemm(_ r: GemmBenchmark, format: SummaryFormat) -> String {
        let pairs: [(String, JSON)] = [
            ("n", .int(r.n)), ("threads", .int(r.threads)), ("kernel", .string(r.kernel)),
            ("source", .string(r.source.rawValue)),
            ("library_choice", r.source == .environment ? .null : .string(r.replaced ?? r.kernel)),
            ("reexec", .bool(r.replaced != nil)), ("cpu_best", r.cpuBest.map(JSON.string) ?? .null),
            ("ms", .double(Numbers.rounded(r.milliseconds))), ("gflops", .double(Numbers.rounded(r.gflops))),
            ("max_rel_error", .double(r.maxRelativeError)), ("checked", .int(r.checked)), ("ok", .bool(r.ok)),
        ]
        if format == .json { return JSON.object(pairs).rendered() + "\n" }
        let origin: String
        switch r.source {
        case .analyze: origin = "chosen by analyze; OpenBLAS picked \(r.replaced ?? "?")"
        case .environment: origin = "set by OPENBLAS_CORETYPE"
        case .library: origin = "OpenBLAS's own choice"
        }
        return """
        sgemm \(r.n)×\(r.n)×\(r.n), \(r.threads) thread(s): \(String(format: "%.2f", r.milliseconds)) ms, \
        \(String(format: "%.1f", r.gflops)) GFLOP/s (median of \(r.timing.seconds.count))
        kernel \(r.kernel) (\(origin)); best for this CPU: \(r.cpuBest ?? "generic")
        check  max rel error \(Numbers.short(r.maxRelativeError)) over \(r.checked) entries: \(r.ok ? "ok" : "FAIL")

        """
    }

    /// A rate as a grouped integer: 12,345.
    static func perSecond(_ x: Double) -> String { Numbers.grouped(Int(x.rounded())) }
}
