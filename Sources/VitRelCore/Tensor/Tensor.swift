/// A dense, row-major tensor: a shape and a flat array of scalars.
///
/// Value semantics (copy on write through `Array`). Layers work on the flat storage with
/// explicit dimensions, as llm.c does; the shape travels with the data so that every
/// boundary (checkpoints, NPY, the CLI) can check it.
public struct Tensor<Scalar: TensorScalar>: Equatable, Sendable {
    public var shape: [Int]
    public var scalars: [Scalar]

    @inlinable
    public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(
            shape.reduce(1, *) == scalars.count,
            "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    @inlinable
    public init(zeros shape: [Int]) {
        self.init(shape: shape, scalars: .zeros(shape.reduce(1, *)))
    }

    @inlinable
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, scalars: [Scalar](repeating: value, count: shape.reduce(1, *)))
    }

    /// Converts from another precision (Float ↔ Double).
    @_specialize(where Scalar == Float, Other == Double)
    @_specialize(where Scalar == Double, Other == Float)
    public init<Other: TensorScalar>(_ other: Tensor<Other>) {
        self.init(shape: other.shape, scalars: other.scalars.map { Scalar($0) })
    }

    @inlinable public var count: Int { scalars.count }
    @inlinable public var rank: Int { shape.count }

    /// The same scalars under another shape with the same element count.
    @inlinable
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Sum of all elements, accumulated in Double whatever the precision.
    @inlinable
    public func sum() -> Double {
        scalars.withUnsafeBufferPointer { Kernels.sumAsDouble($0) }
    }

    /// Largest absolute elementwise difference; shapes must agree.
    @inlinable
    public func maxAbsDifference(_ other: Tensor) -> Double {
        precondition(shape == other.shape, "shape \(shape) vs \(other.shape)")
        var worst = 0.0
        for i in 0..<count { worst = max(worst, abs(Double(scalars[i]) - Double(other.scalars[i]))) }
        return worst
    }

    /// Slice `index` along the first axis (copy).
    @inlinable
    public func slice(_ index: Int) -> Tensor {
        precondition(rank >= 1 && index >= 0 && index < shape[0], "slice \(index) of shape \(shape)")
        let inner = Array(shape.dropFirst())
        let stride = inner.reduce(1, *)
        return Tensor(shape: inner, scalars: Array(scalars[index * stride..<(index + 1) * stride]))
    }

    /// Stacks tensors of one shape along a new first axis.
    @inlinable
    public static func stack(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "stack of nothing")
        let inner = parts[0].shape
        precondition(parts.allSatisfy { $0.shape == inner }, "stack needs equal shapes")
        var scalars = [Scalar]()
        scalars.reserveCapacity(parts.count * parts[0].count)
        for part in parts { scalars.append(contentsOf: part.scalars) }
        return Tensor(shape: [parts.count] + inner, scalars: scalars)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(count > 8 ? ", …" : "")]"
    }
}
