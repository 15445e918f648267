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

extension Parameters {
    /// The same tensors in another precision (Float ↔ Double), rounded to nearest.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Parameters<Other> {
        Parameters<Other>(config: config, tensors: tensors.mapValues { t in
            Tensor<Other>(shape: t.shape, data: t.data.map { Other($0) })
        })
    }

    /// Calls `body` with a pointer to the row-major values of tensor `name`
    /// (valid only inside `body`).
    func withValues<R>(_ name: String, _ body: (UnsafePointer<Scalar>) throws -> R) rethrows -> R {
        guard let t = tensors[name] else { preconditionFailure("Parameters has no tensor \(name)") }
        return try t.data.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Calls `body` with a mutable pointer to the values of tensor `name`, in place
    /// (valid only inside `body`); gradients accumulate through this.
    mutating func withMutableValues<R>(_ name: String, _ body: (UnsafeMutablePointer<Scalar>) throws -> R) rethrows -> R {
        precondition(tensors[name] != nil, "Parameters has no tensor \(name)")
        return try tensors[name]!.data.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

/// The spec's `state_dict` names, built in one place (they match `LayerConfig.parameterShapes`).
enum ParameterName {
    static let router = "router.weight"
    /// `experts.{e}.{w}.weight`, w ∈ w1, w2, w3.
    static func expert(_ e: Int, _ w: String) -> String { "experts.\(e).\(w).weight" }
    /// `shared.{w}.weight`, w ∈ w1, w2, w3.
    static func shared(_ w: String) -> String { "shared.\(w).weight" }
    /// `dag.{l}.{part}`, for example part `down.weight` or `edge.bias`.
    static func dag(_ l: Int, _ part: String) -> String { "dag.\(l).\(part)" }
}
