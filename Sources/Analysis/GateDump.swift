import Checkpoint
import LinearAlgebra
import MoE

/// The per-token routing of an analysis as a safetensors file, for users' own plots:
/// `topk` I64 [T, K] (in descending p), `gates` [T, K], `edge_gates.{l}` [T, K, K] ([t, i, j]:
/// target i, source j), `module_share` [T] when the usage analysis ran, and `x` [T, d]; all F32.
/// The metadata names the checkpoint and the inputs.
public enum GateDump {
    public static func writer(_ analysis: CheckpointAnalysis) throws(CheckpointError) -> SafeTensorsWriter {
        let out = analysis.output, x = analysis.inputTokens, t = out.y.rows, k = out.gates.cols
        var writer = SafeTensorsWriter(metadata: ["checkpoint": analysis.file, "inputs": analysis.inputs,
                                                  "dag_layers": String(out.edgeGates.count)])
        try writer.add("x", shape: [t, x.cols], doubles: x.data)
        try writer.add("topk", shape: [t, k], int64s: out.topk.map(Int64.init))
        try writer.add("gates", shape: [t, k], doubles: out.gates.data)
        for (l, e) in out.edgeGates.enumerated() { try writer.add("edge_gates.\(l)", shape: [t, k, k], doubles: e.data) }
        if let usage = analysis.usage { try writer.add("module_share", shape: [t], doubles: usage.moduleShare) }
        return writer
    }
}
