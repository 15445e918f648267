import LinearAlgebra

/// A model the training loop can fit: the DAG-MoE layer (weighted sum when L = 0) or a chain.
public protocol TrainableModel: Sendable {
    associatedtype Scalar: BLASScalar
    /// Every weight by name; the optimizer updates these.
    var weights: [String: Tensor<Scalar>] { get set }
    /// y for x (T×d) and the auxiliary part of the objective, Σ over routings of
    /// lb_coef·lb + z_coef·zl.
    func predict(_ x: Matrix<Scalar>) -> (y: Matrix<Scalar>, auxiliary: Double)
    /// Forward on x, then backward with the upstream gradient G = `lossGradient(y)`: the
    /// output, the auxiliary loss, and dJ/dθ for J = ⟨y, G⟩ + the auxiliary part.
    func gradients(_ x: Matrix<Scalar>, lossGradient: (Matrix<Scalar>) -> Matrix<Scalar>)
        -> (y: Matrix<Scalar>, auxiliary: Double, gradients: [String: Tensor<Scalar>])
}

extension TrainableModel {
    /// The number of trainable scalars.
    public var parameterCount: Int { weights.values.reduce(0) { $0 + $1.data.count } }
}

extension DAGMoELayer: TrainableModel {
    public var weights: [String: Tensor<Scalar>] {
        get { parameters.tensors }
        set { parameters.tensors = newValue }
    }

    public func predict(_ x: Matrix<Scalar>) -> (y: Matrix<Scalar>, auxiliary: Double) {
        let out = forward(x).output
        return (out.y, auxiliary(out))
    }

    public func gradients(_ x: Matrix<Scalar>, lossGradient: (Matrix<Scalar>) -> Matrix<Scalar>)
        -> (y: Matrix<Scalar>, auxiliary: Double, gradients: [String: Tensor<Scalar>]) {
        let (out, cache) = forward(x)
        let grads = backward(cache, gradY: lossGradient(out.y)).gradients
        return (out.y, auxiliary(out), grads.tensors)
    }

    func auxiliary(_ out: LayerOutput<Scalar>) -> Double {
        config.lbCoef * Double(out.loadBalanceLoss) + config.zCoef * Double(out.zLoss)
    }
}

extension ChainLayer: TrainableModel {
    public func predict(_ x: Matrix<Scalar>) -> (y: Matrix<Scalar>, auxiliary: Double) {
        let (y, outs, _) = forward(x)
        return (y, auxiliary(outs))
    }

    public func gradients(_ x: Matrix<Scalar>, lossGradient: (Matrix<Scalar>) -> Matrix<Scalar>)
        -> (y: Matrix<Scalar>, auxiliary: Double, gradients: [String: Tensor<Scalar>]) {
        let (y, outs, cache) = forward(x)
        return (y, auxiliary(outs), backward(cache, gradY: lossGradient(y)).gradients)
    }

    func auxiliary(_ outs: [LayerOutput<Scalar>]) -> Double {
        outs.reduce(0) { $0 + config.lbCoef * Double($1.loadBalanceLoss) + config.zCoef * Double($1.zLoss) }
    }
}
