/// A fixed-size block of scalars owned by one forward or backward pass.
///
/// The layer's activations and caches live in these so that the kernels work on plain
/// pointers with explicit sizes (as gemm does). Memory comes from `BufferPool`, so a
/// training loop reuses the same blocks step after step. A buffer is written only by the
/// pass that creates it; a cache handed to `backward` is read, never written, which is
/// why the type may cross threads (`@unchecked Sendable`).
final class Buffer<Scalar: BinaryFloatingPoint & Sendable>: @unchecked Sendable {
    let count: Int
    let p: UnsafeMutablePointer<Scalar>

    /// `count` values that the caller writes in full before reading any (gemm outputs
    /// with β = 0, copies). Scalar is a trivial type, so no initialisation is needed.
    init(uninitialized count: Int) {
        precondition(count >= 0, "Buffer needs a non-negative size")
        self.count = count
        p = BufferPool.shared.allocate(bytes: count * MemoryLayout<Scalar>.stride)
            .bindMemory(to: Scalar.self, capacity: count)
    }

    /// `count` zeros.
    convenience init(zeros count: Int) {
        self.init(uninitialized: count)
        p.initialize(repeating: 0, count: count)
    }

    /// A copy of `array`.
    convenience init(_ array: [Scalar]) {
        self.init(uninitialized: array.count)
        array.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { p.initialize(from: base, count: count) }
        }
    }

    deinit {
        BufferPool.shared.release(UnsafeMutableRawPointer(p), bytes: count * MemoryLayout<Scalar>.stride)
    }

    /// The values as an array (for outputs handed to callers).
    var array: [Scalar] { Array(UnsafeBufferPointer(start: p, count: count)) }
}
