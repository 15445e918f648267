import LinearAlgebra
import MoE

/// The spec's optional `ref.*` tensors that make a checkpoint self-checking.
///
/// `x` is always present (without `ref.x` a checkpoint has no reference); every
/// other tensor may be absent. Shapes are those of the spec's table with T =
/// `x.shape[0]`.
public struct LayerReference<Scalar: BLASScalar>: Sendable {
    /// `ref.x`, [T, d]: the inputs.
    public var x: Tensor<Scalar>
    /// `ref.y`, [T, d]: the outputs.
    public var y: Tensor<Scalar>?
    /// `ref.topk`, [T, K] flattened: selected experts in descending p.
    public var topk: [Int64]?
    /// `ref.gates`, [T, K].
    public var gates: Tensor<Scalar>?
    /// `ref.edge_gates.{l}`, [T, K, K] (target i, source j), by round l.
    public var edgeGates: [Int: Tensor<Scalar>]
    /// `ref.lb_loss`, `ref.z_loss`: the auxiliary losses over the T tokens.
    public var lbLoss: Scalar?
    public var zLoss: Scalar?
    /// `ref.grad_y`, [T, d]: the upstream gradient G.
    public var gradY: Tensor<Scalar>?
    /// `ref.grad_x`, [T, d]: dJ/dx.
    public var gradX: Tensor<Scalar>?
    /// `ref.grad.{weight}`: dJ/dweight, by weight name.
    public var grad: [String: Tensor<Scalar>]

    public init(x: Tensor<Scalar>, y: Tensor<Scalar>? = nil, topk: [Int64]? = nil, gates: Tensor<Scalar>? = nil,
                edgeGates: [Int: Tensor<Scalar>] = [:], lbLoss: Scalar? = nil, zLoss: Scalar? = nil,
                gradY: Tensor<Scalar>? = nil, gradX: Tensor<Scalar>? = nil, grad: [String: Tensor<Scalar>] = [:]) {
        self.x = x
        self.y = y
        self.topk = topk
        self.gates = gates
        self.edgeGates = edgeGates
        self.lbLoss = lbLoss
        self.zLoss = zLoss
        self.gradY = gradY
        self.gradX = gradX
        self.grad = grad
    }

    /// T: the number of reference tokens.
    public var tokens: Int { x.shape[0] }
}

/// The spec's reference tensor names.
public enum ReferenceName {
    public static let x = "ref.x", y = "ref.y", topk = "ref.topk", gates = "ref.gates"
    public static let lbLoss = "ref.lb_loss", zLoss = "ref.z_loss"
    public static let gradY = "ref.grad_y", gradX = "ref.grad_x"
    /// `ref.edge_gates.{l}`.
    public static func edgeGates(_ l: Int) -> String { "ref.edge_gates.\(l)" }
    /// `ref.grad.{weight}`.
    public static func grad(_ weight: String) -> String { "ref.grad.\(weight)" }

    /// Every reference name a configuration defines.
    static func all(_ config: LayerConfig) -> Set<String> {
        var names: Set<String> = [x, y, topk, gates, lbLoss, zLoss, gradY, gradX]
        for l in 0..<config.dagLayers { names.insert(edgeGates(l)) }
        for (weight, _) in config.parameterShapes { names.insert(grad(weight)) }
        return names
    }
}
