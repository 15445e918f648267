import Synchronization

/// Keeps the large blocks that `Buffer`s free, by exact size, for the next pass to reuse.
///
/// A layer pass allocates the same few dozen blocks (up to tens of MB each) every step.
/// Through malloc alone each step would map fresh pages and take a page fault and a
/// kernel zero-fill for every 4 KiB, about a tenth of a step's time at the benchmark
/// shape; reusing the blocks avoids that. Blocks under `minimumBytes` go straight to
/// malloc; at most `capacityBytes` are kept, the rest are freed.
final class BufferPool: Sendable {
    static let shared = BufferPool()

    static let minimumBytes = 64 * 1024
    static let capacityBytes = 512 << 20

    /// Free blocks by byte size, as addresses (plain integers cross the lock freely).
    private struct State {
        var free: [Int: [UInt]] = [:]
        var keptBytes = 0
    }

    private let state = Mutex(State())

    /// A block of `bytes` bytes aligned for any scalar, reused when one of that size is free.
    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= Self.minimumBytes {
            let reused = state.withLock { s -> UInt? in
                guard let block = s.free[bytes]?.popLast() else { return nil }
                s.keptBytes -= bytes
                return block
            }
            if let reused, let block = UnsafeMutableRawPointer(bitPattern: reused) { return block }
        }
        return .allocate(byteCount: max(bytes, 1), alignment: 64)
    }

    /// Returns a block from `allocate(bytes:)`.
    func release(_ block: UnsafeMutableRawPointer, bytes: Int) {
        if bytes >= Self.minimumBytes {
            let address = UInt(bitPattern: block)
            let kept = state.withLock { s -> Bool in
                guard s.keptBytes + bytes <= Self.capacityBytes else { return false }
                s.free[bytes, default: []].append(address)
                s.keptBytes += bytes
                return true
            }
            if kept { return }
        }
        block.deallocate()
    }
}
