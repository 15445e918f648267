/// A fixed-size, zero-initialised block of scalars owned by one forward or backward pass.
///
/// The layer's activations and caches live in these so that the kernels work on plain
/// pointers with explicit sizes (as gemm does). A buffer is written only by the pass that
/// creates it; a cache handed to `backward` is read, never written, which is why the
/// type may cross threads (`@unchecked Sendable`).
final class Buffer<Scalar: Sendable>: @unchecked Sendable {
    let count: Int
    let p: UnsafeMutablePointer<Scalar>

    /// `count` copies of `value`.
    init(count: Int, value: Scalar) {
        precondition(count >= 0, "Buffer needs a non-negative size")
        self.count = count
        p = .allocate(capacity: Swift.max(count, 1))
        p.initialize(repeating: value, count: count)
    }

    /// A copy of `array`.
    init(_ array: [Scalar]) {
        count = array.count
        p = .allocate(capacity: Swift.max(count, 1))
        array.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { p.initialize(from: base, count: count) }
        }
    }

    deinit {
        p.deinitialize(count: count)
        p.deallocate()
    }

    /// The values as an array (for outputs handed to callers).
    var array: [Scalar] { Array(UnsafeBufferPointer(start: p, count: count)) }
}

extension Buffer where Scalar: BinaryFloatingPoint {
    /// `count` zeros.
    convenience init(zeros count: Int) { self.init(count: count, value: 0) }
}
