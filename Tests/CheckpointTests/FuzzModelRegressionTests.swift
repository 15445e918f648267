import Foundation
import Testing
@testable import Checkpoint
import MoE

/// Findings of the model-directory fuzzer (fuzz/ModelFuzz.swift), rebuilt from the fixtures.
@Suite struct FuzzModelRegressionTests {
    /// The fuzzer's first finding: DeepSeek-V2's routed_scaling_factor (2.5) folded into a W2
    /// value of 3e38, finite in the F32 file, became +∞ in Float weights without a word. Now
    /// a Float load names the tensor, index and product; a Double load holds the value exactly.
    @Test func scaledWeightPastFloatRangeIsAnError() throws {
        let target = "model.layers.0.mlp.experts.2.down_proj.weight"
        let dir = try ModelFixtures.copy("deepseek_v2") { url in
            let path = url.appendingPathComponent("model.safetensors").path
            let offset = try SafeTensorsFile(path: path).info(target).fileOffsets.lowerBound + 4 * 7
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: withUnsafeBytes(of: Float(3e38).bitPattern.littleEndian) { Data($0) })
            try handle.close()
        }
        let model = try ModelLayout(directory: dir)
        #expect(throws: ModelLayoutError.overflow(tensor: target, index: 7, value: Double(Float(3e38)), scale: 2.5, scalar: "Float")) {
            let _: Parameters<Float> = try model.parameters(layer: 0)
        }
        let exact: Parameters<Double> = try model.parameters(layer: 0)
        #expect(exact["experts.2.w2.weight"].data[7] == Double(Float(3e38)) * 2.5)
    }
}
