import Checkpoint
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
public struct ReferenceComparison: Sendable {
    /// One check per reference tensor present, in the spec's table order.
    public let checks: [TensorCheck]
    /// References present but not checkable (gradients without `ref.grad_y`).
    public let notes: [String]

    /// True when every check passed (and there was at least one).
    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.ok) }

    /// Compares a forward pass of `layer` on `ref.x` (`output` and `cache`, from the caller's
    /// one pass) with the references, then runs backward from the same cache when the
    /// reference has `ref.grad_y`.
    public init<Scalar: BLASScalar>(layer: DAGMoELayer<Scalar>, output out: LayerOutput<Scalar>,
                                    cache: LayerCache<Scalar>, reference ref: LayerReference<Double>,
                                    tolerances tol: CrosscheckTolerances) {
        let config = layer.config
        let t = ref.tokens, k = config.topK
        func widen(_ values: [Scalar]) -> [Double] { values.map { Double($0) } }
        var checks: [TensorCheck] = []
        func check(_ name: String, _ got: [Scalar], _ want: Tensor<Double>?, _ tolerance: Double) {
            guard let want else { return }
            checks.append(TensorCheck(name: name, shape: want.shape, got: widen(got), want: want.data, tolerance: tolerance))
        }

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
            let g = Matrix<Scalar>(rows: gradY.shape[0], cols: gradY.shape[1], data: gradY.data.map { Scalar($0) })
            let (gradX, grads) = layer.backward(cache, gradY: g)
            check(ReferenceName.gradX, gradX.data, ref.gradX, tol.backward)
            for name in config.parameterShapes.map(\.name) {
                check(ReferenceName.grad(name), grads[name].data, ref.grad[name], tol.backward)
            }
        } else if ref.gradX != nil || !ref.grad.isEmpty {
            notes.append("gradient references not checked: the file has no ref.grad_y (the upstream gradient G)")
        }
        self.checks = checks
        self.notes = notes
    }
}
