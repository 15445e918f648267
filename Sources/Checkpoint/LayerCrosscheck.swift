import LinearAlgebra
import MoE

/// The precision a crosscheck recomputes the layer in.
public enum ComputePrecision: String, Sendable, CaseIterable {
    /// Float32: the production path, held to the same precision as the reference.
    case float32
    /// Float64 from the stored weights: the measured error is then the reference's own round-off.
    case float64
}

/// Bounds on `TensorCheck.maxRel` (error over the tensor's largest reference entry).
///
/// A Float32 reference carries round-off of a few units of 2⁻²⁴ ≈ 6e-8 per operation,
/// grown by dot products of length d or d_ff (typically √n-fold, at most n-fold) and by
/// the depth of the computation; the backward pass is about twice as deep and sums
/// terms that cancel. On the committed fixtures the worst measured values are 3e-7
/// forward and 1.4e-5 backward (docs/checkpoint-format.md); the defaults leave room for
/// layers with d and d_ff in the thousands while a wrong formula, a transposed weight or
/// a tampered reference moves the error to 1e-3 or more.
public struct CrosscheckTolerances: Sendable, Equatable {
    /// y, gates, edge gates and the two auxiliary losses.
    public var forward: Double
    /// dJ/dx and every dJ/dweight.
    public var backward: Double

    public init(forward: Double, backward: Double) {
        self.forward = forward
        self.backward = backward
    }

    /// The defaults for a precision (a Float32 recomputation adds its own round-off to the reference's).
    public static func defaults(_ precision: ComputePrecision) -> CrosscheckTolerances {
        switch precision {
        case .float64: return CrosscheckTolerances(forward: 1e-4, backward: 1e-3)
        case .float32: return CrosscheckTolerances(forward: 2e-4, backward: 2e-3)
        }
    }
}

/// The tensor-by-tensor comparison of a checkpoint's `ref.*` tensors with the Swift layer.
public struct LayerCrosscheck: Sendable {
    /// One check per reference tensor present, in the spec's table order.
    public let checks: [TensorCheck]
    /// References present but not checkable (gradients without `ref.grad_y`).
    public let notes: [String]

    /// True when every check passed (and there was at least one).
    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.ok) }

    /// Recomputes forward (and backward, when `ref.grad_y` is present) on `ref.x` and
    /// compares. Throws for weights that do not load or a configuration the layer rejects.
    public init(_ checkpoint: LayerCheckpoint, reference: LayerReference<Double>,
                precision: ComputePrecision = .float64, tolerances: CrosscheckTolerances? = nil) throws {
        let tol = tolerances ?? .defaults(precision)
        switch precision {
        case .float32: (checks, notes) = try LayerCrosscheck.compare(Float.self, checkpoint, reference, tol)
        case .float64: (checks, notes) = try LayerCrosscheck.compare(Double.self, checkpoint, reference, tol)
        }
    }

    private static func compare<Scalar: BLASScalar>(
        _: Scalar.Type, _ checkpoint: LayerCheckpoint, _ ref: LayerReference<Double>, _ tol: CrosscheckTolerances
    ) throws -> ([TensorCheck], [String]) {
        let config = checkpoint.config
        let layer = try DAGMoELayer(parameters: checkpoint.parameters(Scalar.self))
        let t = ref.tokens, k = config.topK
        func matrix(_ tensor: Tensor<Double>) -> Matrix<Scalar> {
            Matrix(rows: tensor.shape[0], cols: tensor.shape[1], data: tensor.data.map { Scalar($0) })
        }
        func widen(_ values: [Scalar]) -> [Double] { values.map { Double($0) } }
        var checks: [TensorCheck] = []
        func check(_ name: String, _ got: [Scalar], _ want: Tensor<Double>?, _ tolerance: Double) {
            guard let want else { return }
            checks.append(TensorCheck(name: name, shape: want.shape, got: widen(got), want: want.data, tolerance: tolerance))
        }

        let (out, cache) = layer.forward(matrix(ref.x))
        if let topk = ref.topk {
            checks.append(TensorCheck(name: ReferenceName.topk, shape: [t, k], got: out.topk.map { Int64($0) }, want: topk))
        }
        check(ReferenceName.gates, out.gates.data, ref.gates, tol.forward)
        for (l, edges) in out.edgeGates.enumerated() {
            check(ReferenceName.edgeGates(l), edges.data, ref.edgeGates[l], tol.forward)
        }
        check(ReferenceName.y, out.y.data, ref.y, tol.forward)
        check(ReferenceName.lbLoss, [out.loadBalanceLoss], ref.lbLoss.map { Tensor(shape: [], data: [$0]) }, tol.forward)
        check(ReferenceName.zLoss, [out.zLoss], ref.zLoss.map { Tensor(shape: [], data: [$0]) }, tol.forward)

        var notes: [String] = []
        if let gradY = ref.gradY {
            let (gradX, grads) = layer.backward(cache, gradY: matrix(gradY))
            check(ReferenceName.gradX, gradX.data, ref.gradX, tol.backward)
            for name in config.parameterShapes.map(\.name) {
                check(ReferenceName.grad(name), grads[name].data, ref.grad[name], tol.backward)
            }
        } else if ref.gradX != nil || !ref.grad.isEmpty {
            notes.append("gradient references not checked: the file has no ref.grad_y (the upstream gradient G)")
        }
        return (checks, notes)
    }
}
