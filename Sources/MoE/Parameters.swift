import LinearAlgebra

/// A tensor's shape and its row-major values.
public struct Tensor<Scalar: BLASScalar>: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Scalar]

    public init(shape: [Int], data: [Scalar]) {
        precondition(data.count == shape.reduce(1, *), "Tensor shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Scalar](repeating: 0, count: shape.reduce(1, *)))
    }
}

/// The layer's weights (or their gradients) by spec name, for one configuration.
///
/// Names and shapes are exactly `config.parameterShapes`; the same type carries
/// gradients, so a gradient check or an optimizer walks both in step.
public struct Parameters<Scalar: BLASScalar>: Sendable {
    public let config: LayerConfig
    public var tensors: [String: Tensor<Scalar>]

    /// All weights zero.
    public init(zeros config: LayerConfig) {
        self.config = config
        tensors = Dictionary(uniqueKeysWithValues: config.parameterShapes.map { ($0.name, Tensor(zeros: $0.shape)) })
    }

    /// Weights from named tensors; every name of `config.parameterShapes` must be
    /// present with its shape (callers validate first and report errors by name).
    public init(config: LayerConfig, tensors: [String: Tensor<Scalar>]) {
        for (name, shape) in config.parameterShapes {
            precondition(tensors[name]?.shape == shape, "Parameters: \(name) missing or not of shape \(shape)")
        }
        self.config = config
        self.tensors = tensors
    }

    /// The names in the spec's fixed order.
    public var names: [String] { config.parameterShapes.map(\.name) }

    public subscript(name: String) -> Tensor<Scalar> {
        get {
            guard let t = tensors[name] else { preconditionFailure("Parameters has no tensor \(name)") }
            return t
        }
        set { tensors[name] = newValue }
    }
}
