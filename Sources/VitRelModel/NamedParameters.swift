/// Anything whose trainable tensors can be visited by name in a fixed order: the model, its
/// gradient (a `zeroed()` model), or a plain list of tensors.
///
/// The optimiser and gradient clipping are written against this, so they can be checked on a
/// handful of tensors against PyTorch and then run unchanged on a whole Vision Transformer.
/// Implementations must visit the same names in the same order on every call; that order is
/// the order of optimiser moments and of every reduction (so results never depend on threads).
public protocol NamedParameters {
    associatedtype Scalar: TensorScalar
    mutating func forEachParameter(_ body: (String, inout Tensor<Scalar>) throws -> Void) rethrows
}

extension VisionTransformer: NamedParameters {}

extension NamedParameters {
    /// The parameters' names and shapes in visiting order.
    public var parameterNamesAndShapes: [(name: String, shape: [Int])] {
        var copy = self  // not written: shares storage
        var result = [(name: String, shape: [Int])]()
        copy.forEachParameter { name, tensor in result.append((name, tensor.shape)) }
        return result
    }

    /// The tensors in visiting order (shared storage, no copy).
    public var parameterTensors: [Tensor<Scalar>] {
        var copy = self
        var result = [Tensor<Scalar>]()
        copy.forEachParameter { _, tensor in result.append(tensor) }
        return result
    }
}

/// A plain ordered list of named tensors (tests, optimiser state, resume files).
public struct ParameterList<Scalar: TensorScalar>: NamedParameters, Equatable, Sendable {
    public var names: [String]
    public var tensors: [Tensor<Scalar>]

    public init(names: [String], tensors: [Tensor<Scalar>]) {
        precondition(names.count == tensors.count, "\(names.count) names for \(tensors.count) tensors")
        self.names = names
        self.tensors = tensors
    }

    /// Copies the parameters of `source` in its visiting order.
    public init<Source: NamedParameters>(_ source: Source) where Source.Scalar == Scalar {
        var copy = source
        var names = [String](), tensors = [Tensor<Scalar>]()
        copy.forEachParameter { name, tensor in
            names.append(name)
            tensors.append(tensor)
        }
        self.init(names: names, tensors: tensors)
    }

    public mutating func forEachParameter(_ body: (String, inout Tensor<Scalar>) throws -> Void) rethrows {
        for i in tensors.indices { try body(names[i], &tensors[i]) }
    }
}
