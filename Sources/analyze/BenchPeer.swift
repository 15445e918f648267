import Checkpoint
import Foundation
import MoE

/// A peer's figure for the same benchmark, read from the JSON tools/bench_layer.py writes:
/// `{"impl": "pytorch …", "d": …, "n": …, "k": …, "d_ff": …, "d_g": …, "depth": …,
///   "tokens": …, "threads": …, "tokens_per_s": …, "ms_per_step": …}`.
struct PeerBenchmark: Sendable {
    let name: String
    let shape: [String: Int]
    let tokensPerSecond: Double
    let msPerStep: Double

    static let shapeKeys = ["d", "n", "k", "d_ff", "d_g", "depth", "tokens", "threads"]
    /// The largest peer file read (tools/bench_layer.py writes a few hundred bytes).
    static let maxBytes = 1 << 20

    init(path: String) throws {
        let data: Data
        do { data = Data(try FileByteSource(path: path).readAll(limit: PeerBenchmark.maxBytes)) } catch {
            throw UsageError("--peer: \(error)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw UsageError("--peer \(path) is not a JSON object")
        }
        var shape: [String: Int] = [:]
        for key in PeerBenchmark.shapeKeys {
            guard let v = object[key] as? Int else { throw UsageError("--peer \(path) lacks the integer \"\(key)\"") }
            shape[key] = v
        }
        guard let tps = object["tokens_per_s"] as? Double, let ms = object["ms_per_step"] as? Double,
              tps > 0, ms > 0 else {
            throw UsageError("--peer \(path) lacks positive \"tokens_per_s\" and \"ms_per_step\"")
        }
        name = object["impl"] as? String ?? "peer"
        self.shape = shape
        tokensPerSecond = tps
        msPerStep = ms
    }

    /// Throws unless the peer measured this shape, token count and thread count.
    func requireSame(config c: LayerConfig, tokens: Int, threads: Int) throws {
        let ours = ["d": c.dModel, "n": c.nExperts, "k": c.topK, "d_ff": c.dFF, "d_g": c.dG,
                    "depth": c.dagLayers, "tokens": tokens, "threads": threads]
        for key in PeerBenchmark.shapeKeys where ours[key] != shape[key] {
            throw UsageError("--peer measured \(key) = \(shape[key]!), this run has \(ours[key]!)")
        }
    }
}
