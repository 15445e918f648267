import Checkpoint
import Foundation
import Testing

/// A copy of safetensors `source` written by `SafeTensorsWriter` with `change` applied to the
/// values of each tensor (as Double, stored back in the tensor's float width, F16 as F32, or
/// in F64 when `widen`); integer tensors are copied unchanged. Returns the temporary path.
private func rewritten(_ source: String, widen: Bool = false, _ change: (String, inout [Double]) -> Void) throws -> String {
    let file = try SafeTensorsFile(path: source)
    var writer = SafeTensorsWriter(metadata: file.metadata)
    for name in file.names {
        let info = try file.info(name)
        guard info.dtype.isWeightFloat else {
            try writer.add(name, shape: info.shape, int64s: try file.int64s(name))
            continue
        }
        var values = try file.doubles(name)
        change(name, &values)
        let width: SafeTensorsWriter.FloatDType = switch widen ? .f64 : info.dtype {
        case .f64: .f64
        case .bf16: .bf16
        default: .f32  // F16 (the writer has no F16) widens exactly to F32
        }
        try writer.add(name, shape: info.shape, doubles: values, as: width)
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("nonfinite-\(UUID()).safetensors").path
    try writer.write(to: path)
    return path
}

/// `source` with element `index` of tensor `tensor` set to `value`.
private func with(_ source: String, _ tensor: String, _ index: Int, _ value: Double) throws -> String {
    try rewritten(source) { name, values in if name == tensor { values[index] = value } }
}

/// NaN and ±∞ in weights, inputs and references never end in a PASS: `analyze crosscheck` and
/// `analyze rank` name the tensor and index, or fail the comparison naming the reference.
@Suite struct NonFiniteCommandTests {
    static let layer = CrosscheckFixtures.directory.appendingPathComponent("random_l0_softmax_topk_rmsnorm.safetensors").path
    static let experts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/rank_experts.safetensors").path

    /// The fixture itself passes, so each failure below is the edit's doing.
    @Test func untouchedCopyPasses() throws {
        let path = try rewritten(Self.layer) { _, _ in }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path, "--jacobian-tokens", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("PASS"))
    }

    @Test(arguments: [
        ("experts.0.w1.weight", 5, Double.nan),
        ("router.weight", 0, -Double.infinity),
        ("ref.x", 3, Double.infinity),
        ("ref.grad_y", 7, Double.nan),
    ])
    func weightOrInputIsNamed(tensor: String, index: Int, value: Double) throws {
        let path = try with(Self.layer, tensor, index, value)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path, "--jacobian-tokens", "0"])
        expectOneLineError(r, "tensor '\(tensor)' holds \(value) at flat index \(index)", tensor)
        #expect(r.stdout.isEmpty)
    }

    @Test(arguments: ["ref.y", "ref.gates", "ref.lb_loss", "ref.grad_x", "ref.grad.router.weight"])
    func referenceFailsItsCheck(tensor: String) throws {
        let path = try with(Self.layer, tensor, 0, .nan)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for precision in ["float64", "float32"] {
            let r = try runAnalyze(["crosscheck", path, "--precision", precision, "--jacobian-tokens", "0", "--format", "csv"])
            #expect(r.status == 1)
            #expect(r.stderr.contains("crosscheck FAILED: 1 tensor(s) outside tolerance: \(tensor)"), "\(r.stderr)")
            let row = r.stdout.split(separator: "\n").first { $0.hasPrefix("\(tensor),") }
            #expect(row?.contains("inf") == true, "\(r.stdout)")
        }
    }

    /// Finite weights whose products overflow Float32: the recomputation is not finite, so
    /// the comparison fails rather than passing on infinities.
    @Test func overflowInFloat32Fails() throws {
        let path = try rewritten(Self.layer) { name, values in
            if name.hasPrefix("experts.") { values = values.map { $0 * 1e37 } }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["crosscheck", path, "--precision", "float32", "--jacobian-tokens", "0"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("crosscheck FAILED"))
        #expect(r.stderr.contains("ref.y"))
    }

    @Test(arguments: [(1, 4, Double.nan), (2, 0, Double.infinity), (0, 8, -Double.infinity)])
    func rankNamesTheExpert(expert: Int, index: Int, value: Double) throws {
        let path = try with(Self.experts, "experts.\(expert).weight", index, value)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["rank", "--experts", path])
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("tensor 'experts.\(expert).weight' holds \(value) at flat index \(index)"), "\(r.stderr)")
    }

    /// Finite experts whose products overflow Float64: an error, not a rank table.
    @Test func rankOverflowIsAnError() throws {
        let path = try rewritten(Self.experts, widen: true) { _, values in values = values.map { $0 * 1e200 } }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runAnalyze(["rank", "--experts", path, "--depth", "2"])
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("NaN or infinity"), "\(r.stderr)")
    }
}
